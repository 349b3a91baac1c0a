/**
 * One precision scale and one confidence rule for both providers, so that a
 * fallback or a caller can compare a Google answer with a Yandex one.
 *
 * Confidence is a property of the precision, not of the provider:
 *   exact 1.0, house 0.9, near 0.8, interpolated 0.7, street 0.6, area 0.4.
 * Google marks an answer partial_match when it matched only part of the
 * query (a house number it does not know, a misspelt street); that answer's
 * confidence is multiplied by 0.7 (ROOFTOP partial 0.7, APPROXIMATE partial
 * 0.28). Yandex 1.x has no such flag: its precision already says how much of
 * the query matched.
 *
 * Google's location_type:
 *   ROOFTOP → exact; RANGE_INTERPOLATED → interpolated;
 *   GEOMETRIC_CENTER → street when the result is a route or an intersection
 *   (the middle of a polyline), else area (the middle of a polygon);
 *   APPROXIMATE, or none → area.
 * Yandex's GeocoderMetaData.precision:
 *   exact → exact; number → house; near → near; range → interpolated;
 *   street → street; other, or a value Yandex adds later → area.
 */
import type { Precision } from './types.js';

export const CONFIDENCE: Readonly<Record<Precision, number>> = {
  exact: 1,
  house: 0.9,
  near: 0.8,
  interpolated: 0.7,
  street: 0.6,
  area: 0.4,
};

export const PARTIAL_MATCH_FACTOR = 0.7;

export function confidenceOf(precision: Precision, partialMatch = false): number {
  const c = CONFIDENCE[precision] * (partialMatch ? PARTIAL_MATCH_FACTOR : 1);
  return Math.round(c * 100) / 100;
}

const STREET_TYPES = new Set(['route', 'intersection']);

export function googlePrecision(locationType: string | undefined, resultTypes: readonly string[]): Precision {
  switch (locationType) {
    case 'ROOFTOP':
      return 'exact';
    case 'RANGE_INTERPOLATED':
      return 'interpolated';
    case 'GEOMETRIC_CENTER':
      return resultTypes.some((t) => STREET_TYPES.has(t)) ? 'street' : 'area';
    default:
      return 'area';
  }
}

const YANDEX_PRECISION: Readonly<Record<string, Precision>> = {
  exact: 'exact',
  number: 'house',
  near: 'near',
  range: 'interpolated',
  street: 'street',
  other: 'area',
};

export function yandexPrecision(precision: string | undefined): Precision {
  return (precision !== undefined ? YANDEX_PRECISION[precision] : undefined) ?? 'area';
}
