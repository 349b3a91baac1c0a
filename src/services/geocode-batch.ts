/**
 * POST /api/v1/geocoding/batch and /distance, over the single lookups of
 * geocode.ts (so each address goes through the cache, the fallback, the
 * budgets and the audit log exactly as alone).
 *
 * A batch answers every address in input order, each ok, not_found or error
 * (with the error's code and message), with at most `concurrency` lookups in
 * flight: every provider attempt still takes the outbound budget of its
 * service and tenant, so a batch cannot outrun the limits, it waits for them
 * (up to OUTBOUND_RATE_LIMIT_MAX_WAIT_MS) or reports the item as
 * OUTBOUND_RATE_LIMITED. Addresses that normalise to one cache key are looked
 * up once. Only what no item could succeed under (no provider configured)
 * fails the whole batch.
 */
import { AppError } from '../domain/errors.js';
import { greatCircleKm, KM_PER_MILE, type Point } from '../domain/great-circle.js';
import { forwardGeocode, type ForwardAnswer, type GeocodeContext, type GeocodeDeps } from './geocode.js';
import { normaliseAddress, type ProviderChoice } from './geocoding-cache.js';

export type BatchItem =
  | { address: string; status: 'ok'; result: ForwardAnswer }
  | { address: string; status: 'not_found' }
  | { address: string; status: 'error'; error: { code: string; message: string } };

export interface BatchInput {
  addresses: string[];
  provider: ProviderChoice;
  language?: string;
}

async function one(deps: GeocodeDeps, ctx: GeocodeContext, input: BatchInput, address: string) {
  try {
    const result = await forwardGeocode(deps, ctx, {
      address,
      provider: input.provider,
      language: input.language,
    });
    return { status: 'ok' as const, result };
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'GEOCODE_NOT_FOUND') return { status: 'not_found' as const };
    return { status: 'error' as const, error: { code: err.code, message: err.message } };
  }
}

export async function geocodeBatch(
  deps: GeocodeDeps,
  ctx: GeocodeContext,
  input: BatchInput,
  concurrency: number,
): Promise<{ results: BatchItem[] }> {
  if (!deps.providers.anyConfigured()) throw new AppError('GEOCODING_NOT_CONFIGURED');
  const unique = new Map<string, string>();
  for (const a of input.addresses) if (!unique.has(normaliseAddress(a))) unique.set(normaliseAddress(a), a);
  const queue = [...unique.entries()];
  const outcomes = new Map<string, Awaited<ReturnType<typeof one>>>();
  const worker = async () => {
    for (let next = queue.shift(); next !== undefined; next = queue.shift())
      outcomes.set(next[0], await one(deps, ctx, input, next[1]));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  const results = input.addresses.map((address): BatchItem => {
    const o = outcomes.get(normaliseAddress(address));
    if (o === undefined) throw new Error('batch: an address was not looked up');
    return { address, ...o };
  });
  return { results };
}

export type DistanceEnd = Point | { address: string };

export interface DistanceAnswer {
  distance_km: number;
  distance_miles: number;
  straight_line: true;
  origin: Point & { formatted_address?: string; provider?: string; cached?: boolean };
  destination: Point & { formatted_address?: string; provider?: string; cached?: boolean };
}

async function pointOf(
  deps: GeocodeDeps,
  ctx: GeocodeContext,
  end: DistanceEnd,
  which: 'origin' | 'destination',
  provider: ProviderChoice,
): Promise<DistanceAnswer['origin']> {
  if (!('address' in end)) return { latitude: end.latitude, longitude: end.longitude };
  try {
    const r = await forwardGeocode(deps, ctx, { address: end.address, provider });
    return {
      latitude: r.latitude,
      longitude: r.longitude,
      formatted_address: r.formatted_address,
      provider: r.provider,
      cached: r.cached,
    };
  } catch (err) {
    if (err instanceof AppError && err.code === 'GEOCODE_NOT_FOUND')
      throw new AppError('GEOCODE_NOT_FOUND', `the ${which} address was not found: ${err.message}`);
    throw err;
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;

export async function geocodeDistance(
  deps: GeocodeDeps,
  ctx: GeocodeContext,
  input: { origin: DistanceEnd; destination: DistanceEnd; provider: ProviderChoice },
): Promise<DistanceAnswer> {
  const [origin, destination] = await Promise.all([
    pointOf(deps, ctx, input.origin, 'origin', input.provider),
    pointOf(deps, ctx, input.destination, 'destination', input.provider),
  ]);
  const km = greatCircleKm(origin, destination);
  return {
    distance_km: round(km),
    distance_miles: round(km / KM_PER_MILE),
    straight_line: true,
    origin,
    destination,
  };
}
