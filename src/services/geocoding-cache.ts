/**
 * The geocoding cache, per tenant, on two levels: hot in the cache service
 * (Redis, or in-process) and durable in integration_cache, so a Redis flush or
 * a restart does not pay a provider again for what it already answered. A read
 * tries the hot level, then the durable one (and puts what it found back into
 * the hot level for the time it has left); a write goes to both.
 *
 * Keys come from the normalised query (trim, spaces collapsed, Unicode NFC,
 * lower case: "  МОСКВА,  Новый Арбат 24" and "москва, новый арбат 24" are one
 * key) plus the provider choice (auto and an explicit provider are different
 * answers) and the language. Found answers live GEOCODING_CACHE_TTL (at most
 * 30 days: Google's terms allow caching coordinates for 30 consecutive days),
 * not-found ones GEOCODING_NOT_FOUND_CACHE_TTL.
 *
 * The cache never fails a lookup: a store that does not answer is a miss and a
 * skipped write (the hot level counts and logs its own; the durable level's
 * failures are logged here once per interval).
 */
import { createHash } from 'node:crypto';
import type { CacheService } from '../cache/cache-service.js';
import type { Logger } from '../lib/logger.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';
import {
  GEOCODING_NAMESPACE,
  geocodingForwardKey,
  geocodingReverseKey,
  resolveTenant,
} from '../redis/keys.js';
import type { ProviderName } from '../geocoding/index.js';
import type { DurableCacheStore } from './integration-ports.js';

export type ProviderChoice = 'auto' | ProviderName;

/** What is cached for one query. */
export type CachedAnswer<T> =
  { status: 'found'; result: T; provider: ProviderName } | { status: 'not_found' };

export function normaliseAddress(address: string): string {
  return address.normalize('NFC').trim().replace(/\s+/gu, ' ').toLowerCase();
}

function languageKey(language: string | undefined): string {
  const l = (language ?? '').trim().toLowerCase().replace(/_/g, '-');
  return l === '' ? '-' : l;
}

export function forwardCacheKey(
  address: string,
  choice: ProviderChoice,
  language?: string,
  region?: string,
): string {
  // The region biases the answer, so it is part of the query: appended to what is hashed.
  const query =
    region === undefined || region === ''
      ? normaliseAddress(address)
      : `${normaliseAddress(address)}\u0000region=${region.toLowerCase()}`;
  const digest = createHash('sha256').update(query, 'utf8').digest('base64url');
  return geocodingForwardKey(choice, languageKey(language), digest);
}

/** Seven decimals (about 1 cm), as the providers send them: two points that send the same request share a key. */
export function reverseCacheKey(
  latitude: number,
  longitude: number,
  choice: ProviderChoice,
  language?: string,
): string {
  const fixed = (v: number) => {
    const s = v.toFixed(7);
    return s === '-0.0000000' ? '0.0000000' : s;
  };
  return geocodingReverseKey(choice, languageKey(language), `${fixed(latitude)},${fixed(longitude)}`);
}

export interface GeocodingCacheOptions {
  cache: CacheService;
  /** The durable level; without it (tests, a cache without Postgres) only the hot level. */
  durable?: DurableCacheStore;
  ttlSeconds: number;
  notFoundTtlSeconds: number;
  log: Logger;
  now?: () => Date;
}

export class GeocodingCache {
  private readonly warning: ThrottledWarning;
  private readonly now: () => Date;

  constructor(private readonly options: GeocodingCacheOptions) {
    this.warning = new ThrottledWarning(
      options.log,
      'geocoding cache: integration_cache is failing; using Redis only',
    );
    this.now = options.now ?? (() => new Date());
  }

  async get<T>(key: string, tenantId: string | undefined): Promise<CachedAnswer<T> | undefined> {
    const { cache, durable } = this.options;
    const hot = await cache.get<CachedAnswer<T>>(GEOCODING_NAMESPACE, key, tenantId);
    if (hot !== undefined || durable === undefined || !cache.enabled) return hot;
    const now = this.now();
    let entry;
    try {
      entry = await durable.get(cache.keys.entry(GEOCODING_NAMESPACE, tenantId, key), now);
    } catch (err) {
      this.warning.report(err, { operation: 'get' });
      return undefined;
    }
    if (entry === undefined) return undefined;
    let value: CachedAnswer<T>;
    try {
      value = JSON.parse(entry.value) as CachedAnswer<T>;
    } catch {
      return undefined;
    }
    const left = Math.ceil((entry.expiresAt.getTime() - now.getTime()) / 1000);
    if (left >= 1) await cache.set(GEOCODING_NAMESPACE, key, value, left, tenantId);
    return value;
  }

  /** Stores an answer on both levels; not-found for the shorter TTL (0: not at all). */
  async put<T>(key: string, tenantId: string | undefined, value: CachedAnswer<T>): Promise<void> {
    const { cache, durable, ttlSeconds, notFoundTtlSeconds } = this.options;
    const ttl = value.status === 'found' ? ttlSeconds : notFoundTtlSeconds;
    if (ttl <= 0 || !cache.enabled) return;
    await cache.set(GEOCODING_NAMESPACE, key, value, ttl, tenantId);
    if (durable === undefined) return;
    try {
      await durable.put({
        cacheKey: cache.keys.entry(GEOCODING_NAMESPACE, tenantId, key),
        namespace: GEOCODING_NAMESPACE,
        tenant: resolveTenant(tenantId),
        value: JSON.stringify(value),
        expiresAt: new Date(this.now().getTime() + ttl * 1000),
      });
    } catch (err) {
      this.warning.report(err, { operation: 'put' });
    }
  }
}
