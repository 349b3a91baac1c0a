/**
 * POST /api/v1/geocoding/forward and /reverse (and integctl geocode, through
 * the daemon): the cache first, then the providers (geocoding-fallback.ts)
 * under one deadline, then the cache again, then an event.
 *
 *  - A cached answer says cached: true and names the provider that answered
 *    when it was fetched; attempted_providers is [] (nothing was asked now).
 *  - A not-found is cached too (briefly), but only when every provider of
 *    the plan was asked: one that was down may know the address.
 *  - What a provider found (not a cache hit) is published:
 *    integration.geocoding.address.resolved for a forward lookup,
 *    integration.geocoding.coordinates.resolved for a reverse one.
 */
import { AppError } from '../domain/errors.js';
import type {
  ForwardResult,
  GeocodingProvider,
  ProviderAnswer,
  ProviderCall,
  ReverseResult,
} from '../geocoding/index.js';
import {
  forwardCacheKey,
  reverseCacheKey,
  type GeocodingCache,
  type ProviderChoice,
} from './geocoding-cache.js';
import { resolveAcross } from './geocoding-fallback.js';
import type { GeocodingProviders } from './geocoding-providers.js';
import type { IntegrationEventSink } from './integration-ports.js';
import { knownService } from './service-settings.js';

export interface GeocodeDeps {
  providers: GeocodingProviders;
  cache: GeocodingCache;
  events: IntegrationEventSink;
  /** One lookup's deadline, retries and fallback included (GEOCODING_DEADLINE_SECONDS). */
  deadlineMs: number;
}

export interface GeocodeContext {
  tenantId?: string;
  requestId?: string;
}

export interface ForwardInput {
  address: string;
  provider: ProviderChoice;
  language?: string;
  /** A two-letter country code biasing the answer (sent to Google; Yandex has no such parameter). */
  region?: string;
}

export interface ReverseInput {
  latitude: number;
  longitude: number;
  provider: ProviderChoice;
  language?: string;
}

interface Provenance {
  provider: string;
  attempted_providers: string[];
  cached: boolean;
}

export type ForwardAnswer = ForwardResult & Provenance;
export type ReverseAnswer = ReverseResult & Provenance;

function notConfigured(deps: GeocodeDeps, choice: ProviderChoice): AppError {
  const plan = deps.providers.plan(choice);
  if (plan.skipped.some((s) => s.reason === 'disabled'))
    return new AppError(
      'EXTERNAL_SERVICE_DISABLED',
      `${plan.skipped.map((s) => s.name).join(' and ')} ${choice === 'auto' ? 'are' : 'is'} disabled or without a key; integctl services list says which`,
    );
  if (choice === 'auto') return new AppError('GEOCODING_NOT_CONFIGURED');
  const env = knownService(choice)?.keyEnv ?? 'its key';
  return new AppError(
    'GEOCODING_NOT_CONFIGURED',
    `${choice} has no API key: set ${env}, or integctl services update ${choice} --api-key-stdin`,
  );
}

async function lookup<T>(
  deps: GeocodeDeps,
  ctx: GeocodeContext,
  choice: ProviderChoice,
  key: string,
  send: (provider: GeocodingProvider, call: ProviderCall) => Promise<ProviderAnswer<T>>,
): Promise<{ result: T; provenance: Provenance }> {
  const hit = await deps.cache.get<T>(key, ctx.tenantId);
  if (hit?.status === 'found')
    return {
      result: hit.result,
      provenance: { provider: hit.provider, attempted_providers: [], cached: true },
    };
  if (hit?.status === 'not_found') throw new AppError('GEOCODE_NOT_FOUND');
  const plan = deps.providers.plan(choice);
  if (plan.slots.length === 0) throw notConfigured(deps, choice);
  const call: ProviderCall = { ...ctx, deadlineAt: Date.now() + deps.deadlineMs };
  const r = await resolveAcross(plan, call, send, deps.providers.halfOpenAfterSeconds);
  if (r.status === 'not_found') {
    if (r.definitive) await deps.cache.put(key, ctx.tenantId, { status: 'not_found' });
    throw new AppError('GEOCODE_NOT_FOUND', `${r.attempted.join(' and ')} found nothing for that query`);
  }
  await deps.cache.put(key, ctx.tenantId, { status: 'found', result: r.result, provider: r.provider });
  return {
    result: r.result,
    provenance: { provider: r.provider, attempted_providers: r.attempted, cached: false },
  };
}

export async function forwardGeocode(
  deps: GeocodeDeps,
  ctx: GeocodeContext,
  input: ForwardInput,
): Promise<ForwardAnswer> {
  const query = { address: input.address.trim(), language: input.language, region: input.region };
  const key = forwardCacheKey(query.address, input.provider, input.language, input.region);
  const { result, provenance } = await lookup(deps, ctx, input.provider, key, (p, call) =>
    p.forward(query, call),
  );
  if (!provenance.cached) {
    deps.events({
      eventType: 'geocoding.address.resolved',
      tenantId: ctx.tenantId,
      data: {
        query: query.address,
        coordinates: { latitude: result.latitude, longitude: result.longitude },
        formatted_address: result.formatted_address,
        provider: provenance.provider,
      },
    });
  }
  return { ...result, ...provenance };
}

export async function reverseGeocode(
  deps: GeocodeDeps,
  ctx: GeocodeContext,
  input: ReverseInput,
): Promise<ReverseAnswer> {
  const query = { latitude: input.latitude, longitude: input.longitude, language: input.language };
  const key = reverseCacheKey(input.latitude, input.longitude, input.provider, input.language);
  const { result, provenance } = await lookup(deps, ctx, input.provider, key, (p, call) =>
    p.reverse(query, call),
  );
  if (!provenance.cached) {
    deps.events({
      eventType: 'geocoding.coordinates.resolved',
      tenantId: ctx.tenantId,
      data: {
        query: { latitude: input.latitude, longitude: input.longitude },
        coordinates: { latitude: result.latitude, longitude: result.longitude },
        formatted_address: result.formatted_address,
        provider: provenance.provider,
      },
    });
  }
  return { ...result, ...provenance };
}
