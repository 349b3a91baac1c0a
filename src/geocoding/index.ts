/**
 * What the geocoding use case and the wiring need, in one import: the
 * interface and its types (types.ts), the two providers and their options,
 * and the per-attempt metrics hook. Everything else in this folder is how
 * the providers do it.
 */
export type { CallOutcome, OnProviderCall, ProviderDeps } from './call-provider.js';
export { CONFIDENCE, PARTIAL_MATCH_FACTOR } from './precision.js';
export {
  GOOGLE_MAPS_DEFAULT_ROOT,
  GOOGLE_MAPS_SERVICE,
  GoogleMapsProvider,
  type GoogleMapsOptions,
} from './google-maps.js';
export {
  YANDEX_MAPS_DEFAULT_ROOT,
  YANDEX_MAPS_SERVICE,
  YandexMapsProvider,
  type YandexMapsOptions,
} from './yandex-maps.js';
export * from './types.js';
