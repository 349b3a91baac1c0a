/**
 * The tenant cache, with the old service's API: get, set, invalidatePattern,
 * stats. Values are JSON (strictly, see serialise.ts) under keys built by
 * src/redis/keys.ts, so no input reaches another tenant's or namespace's keys.
 *
 * Failure policy: the cache is an optimisation, so a store failure never fails
 * a caller's read or write. A failed get is a miss, a failed set is skipped;
 * both are counted (cache_backend_errors_total) and logged at most once per
 * interval. Invalidation and stats do fail loudly (CACHE_UNAVAILABLE): an
 * operator who asked to clear keys must know it did not happen, and a write
 * path that could not invalidate must be able to log it.
 *
 * CACHE_ENABLED=false makes get and set pass-throughs (no store traffic);
 * invalidation still runs, so entries written before the switch cannot come
 * back stale when it is turned on again.
 */
import { randomUUID } from 'node:crypto';
import type { Registry } from 'prom-client';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';
import { assertNamespace, escapeGlob, KeySpace, resolveTenant } from '../redis/keys.js';
import type { CacheBackend } from './backend.js';
import { BufferedCounters, namespacesOf, sumNamespaces, type NamespaceStats } from './counters.js';
import { cacheMetrics, type CacheMetrics } from './metrics.js';
import { serialise } from './serialise.js';

/** How long a fence token lives; far longer than any read that could race a write. */
const FENCE_TTL_SECONDS = 3600;
const MAX_TTL_SECONDS = 31_536_000;

export interface CacheServiceOptions {
  backend: CacheBackend;
  keys?: KeySpace;
  enabled: boolean;
  defaultTtlSeconds: number;
  log: Logger;
  registry?: Registry;
  /** How often buffered counters go to the store; 0 = only on flush()/close(). */
  counterFlushMs?: number;
  failureLogIntervalMs?: number;
}

export interface CacheStatsReport {
  tenant_id: string | null;
  namespaces: Record<string, NamespaceStats>;
  /** Only in the all-tenants report: each tenant's namespaces. */
  tenants?: Record<string, Record<string, NamespaceStats>>;
}

/** A read's proof of which invalidation it saw; see readFence(). */
export interface Fence {
  scope: string;
  token: string;
}

export class CacheService {
  readonly enabled: boolean;
  readonly defaultTtlSeconds: number;
  readonly keys: KeySpace;
  private readonly backend: CacheBackend;
  private readonly counters: BufferedCounters;
  private readonly metrics: CacheMetrics;
  private readonly warning: ThrottledWarning;
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(options: CacheServiceOptions) {
    this.backend = options.backend;
    this.keys = options.keys ?? new KeySpace();
    this.enabled = options.enabled;
    this.defaultTtlSeconds = options.defaultTtlSeconds;
    this.counters = new BufferedCounters(this.backend, this.keys);
    this.metrics = cacheMetrics(options.registry);
    this.warning = new ThrottledWarning(
      options.log,
      'cache store failing; reads are misses and writes are skipped',
      options.failureLogIntervalMs,
    );
    const every = options.counterFlushMs ?? 1000;
    if (every > 0) {
      this.timer = setInterval(() => void this.flushQuietly(), every);
      this.timer.unref();
    }
  }

  get backendKind(): 'redis' | 'memory' {
    return this.backend.kind;
  }

  private failed(operation: string, err: unknown): void {
    this.metrics.errors.inc({ operation });
    this.warning.report(err, { operation, backend: this.backend.kind });
  }

  private async flushQuietly(): Promise<void> {
    try {
      await this.counters.flush();
    } catch (err) {
      this.failed('counters', err);
    }
  }

  /** The cached value, or undefined on a miss, a store failure or a disabled cache. */
  async get<T = unknown>(namespace: string, key: string, tenantId?: string): Promise<T | undefined> {
    if (!this.enabled) return undefined;
    const tenant = resolveTenant(tenantId);
    const fullKey = this.keys.entry(namespace, tenant, key);
    let raw: string | null;
    try {
      raw = await this.backend.get(fullKey);
    } catch (err) {
      this.failed('get', err);
      raw = null;
    }
    if (raw !== null) {
      try {
        const value = JSON.parse(raw) as T;
        this.counters.add(tenant, namespace, 'hits');
        this.metrics.operations.inc({ operation: 'hit', namespace });
        return value;
      } catch (err) {
        // Not ours (written by hand?) or truncated: a miss, and the next set replaces it.
        this.failed('decode', err);
      }
    }
    this.counters.add(tenant, namespace, 'misses');
    this.metrics.operations.inc({ operation: 'miss', namespace });
    return undefined;
  }

  /**
   * Stores value for ttlSeconds (default CACHE_DEFAULT_TTL). Returns false when
   * nothing was stored: cache disabled, store failing, or the fence moved.
   * Throws CacheValueError for values JSON cannot carry faithfully and
   * AppError for a bad namespace, tenant, key or TTL: those are caller bugs.
   */
  async set(
    namespace: string,
    key: string,
    value: unknown,
    ttlSeconds?: number,
    tenantId?: string,
    fence?: Fence,
  ): Promise<boolean> {
    const tenant = resolveTenant(tenantId);
    const fullKey = this.keys.entry(namespace, tenant, key);
    const ttl = ttlSeconds ?? this.defaultTtlSeconds;
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TTL_SECONDS) {
      throw new AppError(
        'INVALID_CACHE_INPUT',
        `cache TTL must be an integer from 1 to ${MAX_TTL_SECONDS} seconds`,
      );
    }
    const text = serialise(value);
    if (!this.enabled) return false;
    let stored: boolean;
    try {
      if (fence === undefined) {
        await this.backend.set(fullKey, text, ttl);
        stored = true;
      } else {
        const fenceKey = this.keys.fence(namespace, tenant, fence.scope);
        stored = await this.backend.setIfFence(fullKey, text, ttl, fenceKey, fence.token);
      }
    } catch (err) {
      this.failed('set', err);
      return false;
    }
    if (stored) {
      this.counters.add(tenant, namespace, 'sets');
      this.metrics.operations.inc({ operation: 'set', namespace });
    }
    return stored;
  }

  /**
   * The current fence of a scope, to pass to set() after fetching from the
   * source: the set then only happens if no invalidateScope() ran meanwhile.
   * Undefined when the store cannot say (the caller should then not cache).
   */
  async readFence(namespace: string, scope: string, tenantId?: string): Promise<Fence | undefined> {
    if (!this.enabled) return undefined;
    const tenant = resolveTenant(tenantId);
    assertNamespace(namespace);
    try {
      const token = await this.backend.get(this.keys.fence(namespace, tenant, scope));
      return { scope, token: token ?? '' };
    } catch (err) {
      this.failed('fence', err);
      return undefined;
    }
  }

  /** Deletes every key of one namespace and tenant matching a glob; returns how many went. */
  async invalidatePattern(namespace: string, pattern: string, tenantId?: string): Promise<number> {
    const tenant = resolveTenant(tenantId);
    const glob = this.keys.pattern(namespace, tenant, pattern);
    let deleted: number;
    try {
      deleted = await this.backend.deleteMatching(glob);
    } catch (err) {
      throw unavailable('invalidate', err);
    }
    this.counters.add(tenant, namespace, 'invalidations', deleted);
    this.metrics.operations.inc({ operation: 'invalidate', namespace }, deleted);
    return deleted;
  }

  /**
   * Invalidates a scope (keys `{scope}:…`): first moves its fence, so reads in
   * flight cannot store what they fetched, then deletes its keys.
   */
  async invalidateScope(namespace: string, scope: string, tenantId?: string): Promise<number> {
    const tenant = resolveTenant(tenantId);
    assertNamespace(namespace);
    try {
      await this.backend.set(this.keys.fence(namespace, tenant, scope), randomUUID(), FENCE_TTL_SECONDS);
    } catch (err) {
      throw unavailable('invalidate', err);
    }
    return this.invalidatePattern(namespace, `${escapeGlob(scope)}:*`, tenant);
  }

  /** How many keys a pattern matches now (integctl cache invalidate --dry-run). */
  async countPattern(namespace: string, pattern: string, tenantId?: string): Promise<number> {
    const glob = this.keys.pattern(namespace, resolveTenant(tenantId), pattern);
    try {
      return await this.backend.countMatching(glob);
    } catch (err) {
      throw unavailable('count', err);
    }
  }

  /** Counters for one tenant, or (tenantId undefined) all tenants summed and one by one. */
  async stats(tenantId?: string, namespace?: string): Promise<CacheStatsReport> {
    if (namespace !== undefined) assertNamespace(namespace);
    const tenant = tenantId === undefined ? undefined : resolveTenant(tenantId);
    try {
      await this.counters.flush();
      if (tenant !== undefined) {
        const [hash] = await this.backend.readCounters([this.keys.stats(tenant)]);
        return { tenant_id: tenant, namespaces: namespacesOf(hash ?? {}, namespace) };
      }
      const tenants = (await this.backend.listMatching(this.keys.statsPattern()))
        .map((k) => this.keys.tenantOfStats(k))
        .filter((t): t is string => t !== undefined)
        .sort();
      const hashes = await this.backend.readCounters(tenants.map((t) => this.keys.stats(t)));
      const perTenant: Record<string, Record<string, NamespaceStats>> = {};
      tenants.forEach((t, i) => {
        const namespaces = namespacesOf(hashes[i] ?? {}, namespace);
        if (Object.keys(namespaces).length > 0) perTenant[t] = namespaces;
      });
      return { tenant_id: null, namespaces: sumNamespaces(Object.values(perTenant)), tenants: perTenant };
    } catch (err) {
      throw unavailable('stats', err);
    }
  }

  /** Cheap liveness of the store, for health reports. */
  async ping(): Promise<void> {
    await this.backend.ping();
  }

  /** Writes buffered counters now; used before reading stats elsewhere and at shutdown. */
  async flush(): Promise<void> {
    await this.flushQuietly();
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flushQuietly();
  }
}

/**
 * The error for a failed invalidation, count or stats read. Its message stays
 * generic because HTTP 5xx bodies carry no internals (Redis addresses); the
 * store's own error is the cause, which logs and integctl show.
 */
function unavailable(operation: string, err: unknown): AppError {
  const error = new AppError(
    'CACHE_UNAVAILABLE',
    `cache ${operation} failed: the cache store (Redis) is unavailable; retry later`,
  );
  error.cause = err;
  return error;
}
