/**
 * Every Redis key this service reads or writes is built here, and nowhere
 * else. The whole keyspace, with `{root}` = CACHE_KEY_PREFIX (`integration`):
 *
 *   {root}:{namespace}:{tenant}:{key}        a cached value (KeySpace.entry)
 *   {root}:_stats:{tenant}:counters          hash of cache counters (stats)
 *   {root}:_fence:{tenant}:{namespace}:{scope}  invalidation fence (fence)
 *   {root}:_ratelimit_{kind}:{tenant}:{subject}:{window}
 *                                            rate-limiter-flexible's counters
 *                                            (rateLimitPrefix + ':' + rateLimitKey)
 *   integration:events                       the event stream (eventsStreamKey)
 *   {integration:events}:published:{event id}  publish marker (publishMarkerKey)
 *
 * The stream and its markers are not under `{root}`: the stream's name is the
 * old service's, which consumers read, and the bus is not configured with a
 * cache prefix. Pub/Sub channel names (`integration.webhook.…`) are not keys
 * (no keyspace, no slot) and are named with the event, in domain/event.ts.
 *
 * Cache keys keep the old service's shape `{root}:{namespace}:{tenant_id}:{key}`.
 * Isolation rests on two rules enforced below:
 *  - a namespace or tenant can hold neither a glob character (`* ? [ ] \`) nor
 *    `:`, so the literal prefix `{root}:{namespace}:{tenant}:` of a pattern can
 *    only ever match that one namespace and tenant;
 *  - only the key part of a pattern may hold globs, and Redis matches a pattern
 *    against the whole key, so `*` there stays inside the prefix.
 * Namespaces starting with `_` are ours (counters, fences, rate limits) and are
 * refused from callers, so no invalidation pattern can reach them.
 */
import { AppError } from '../domain/errors.js';
import { isTenantId, TENANT_RULE } from '../domain/tenant.js';

/** The tenant of calls that name none (no X-Management-Company-ID header). */
export const GLOBAL_TENANT = '_global';

const NAMESPACE = /^[a-z0-9][a-z0-9_.-]{0,63}$/;
const ROOT = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const FORBIDDEN = /[*?[\]\\:]/;
// eslint-disable-next-line no-control-regex -- control characters are what this rejects
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Longest key (or key pattern) part, in UTF-16 units; Sheets keys stay far below it. */
export const MAX_KEY_LENGTH = 1024;

function describeProblem(value: string, what: string, rule: string): string {
  const bad = FORBIDDEN.exec(value)?.[0];
  const reason = bad !== undefined ? `contains ${JSON.stringify(bad)}` : 'is not allowed';
  return `${what} ${JSON.stringify(value.slice(0, 80))} ${reason}: ${rule}`;
}

export function assertNamespace(namespace: string): void {
  if (typeof namespace !== 'string' || !NAMESPACE.test(namespace)) {
    throw new AppError(
      'INVALID_CACHE_INPUT',
      describeProblem(
        String(namespace),
        'namespace',
        'use 1-64 of a-z 0-9 _ . - starting with a letter or digit (no glob characters or ":")',
      ),
    );
  }
}

/** Validates a caller's tenant id; undefined means the tenant-less space. */
export function resolveTenant(tenantId: string | undefined): string {
  if (tenantId === undefined) return GLOBAL_TENANT;
  if (tenantId === GLOBAL_TENANT) return tenantId;
  if (!isTenantId(tenantId)) {
    throw new AppError(
      'INVALID_TENANT',
      describeProblem(String(tenantId), 'tenant', `${TENANT_RULE} (no glob characters or ":")`),
    );
  }
  return tenantId;
}

function assertKeyPart(value: string, what: 'key' | 'pattern'): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new AppError('INVALID_CACHE_INPUT', `cache ${what} is empty`);
  }
  if (value.length > MAX_KEY_LENGTH) {
    throw new AppError(
      'INVALID_CACHE_INPUT',
      `cache ${what} is ${value.length} characters long; the limit is ${MAX_KEY_LENGTH}`,
    );
  }
  if (CONTROL.test(value)) {
    throw new AppError('INVALID_CACHE_INPUT', `cache ${what} contains a control character`);
  }
}

/** Backslash-escapes Redis glob characters so a literal can sit inside a pattern. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[*?[\]\\]/g, (c) => `\\${c}`);
}

export class KeySpace {
  readonly root: string;

  constructor(root = 'integration') {
    if (!ROOT.test(root)) {
      throw new Error(`cache key prefix ${JSON.stringify(root)} must be 1-64 of A-Z a-z 0-9 _ . : -`);
    }
    this.root = root;
  }

  /** The key of one cached value. */
  entry(namespace: string, tenantId: string | undefined, key: string): string {
    assertNamespace(namespace);
    const tenant = resolveTenant(tenantId);
    assertKeyPart(key, 'key');
    return `${this.root}:${namespace}:${tenant}:${key}`;
  }

  /** A SCAN pattern confined to one namespace and tenant; globs only in keyPattern. */
  pattern(namespace: string, tenantId: string | undefined, keyPattern: string): string {
    assertNamespace(namespace);
    const tenant = resolveTenant(tenantId);
    assertKeyPart(keyPattern, 'pattern');
    return `${this.root}:${namespace}:${tenant}:${keyPattern}`;
  }

  /** A hash of counters `{namespace}:{counter}` for one tenant. */
  stats(tenant: string): string {
    return `${this.root}:_stats:${tenant}:counters`;
  }

  /** Matches every tenant's stats hash (tenants hold no ':' so the pattern is exact). */
  statsPattern(): string {
    return `${escapeGlob(this.root)}:_stats:*:counters`;
  }

  /** The tenant a stats key belongs to, or undefined for a foreign key. */
  tenantOfStats(key: string): string | undefined {
    const prefix = `${this.root}:_stats:`;
    const suffix = ':counters';
    if (!key.startsWith(prefix) || !key.endsWith(suffix)) return undefined;
    const tenant = key.slice(prefix.length, key.length - suffix.length);
    return tenant.includes(':') ? undefined : tenant;
  }

  /**
   * The fence of a scope (a spreadsheet, say) in a namespace and tenant: a token
   * replaced on every invalidation of the scope, so a read that began before a
   * write cannot store what it fetched after the write invalidated it.
   */
  fence(namespace: string, tenant: string, scope: string): string {
    return `${this.root}:_fence:${tenant}:${namespace}:${scope}`;
  }

  /** Prefix for rate-limiter-flexible, which appends `:{key}`; see ratelimit/. */
  rateLimitPrefix(kind: 'outbound' | 'ingest'): string {
    return `${this.root}:_ratelimit_${kind}`;
  }

  /** The per-limiter key under rateLimitPrefix(): tenant first, like the cache keys. */
  rateLimitKey(tenant: string, subject: string, window: string): string {
    return `${tenant}:${subject}:${window}`;
  }
}

/**
 * Sheets reads are cached in this namespace under sheetsReadKey(); one
 * spreadsheet of one tenant is the fence scope `{spreadsheet_id}` that a write
 * invalidates (spreadsheet ids hold no ':', so the scope is the key's first part).
 */
export const SHEETS_NAMESPACE = 'google_sheets';

/** The key part of one cached Sheets read: `{spreadsheet_id}:{value_render_option}:{range}`. */
export function sheetsReadKey(spreadsheetId: string, renderOption: string, range: string): string {
  return `${spreadsheetId}:${renderOption}:${range}`;
}

/**
 * Geocoding answers are cached in this namespace, one key per normalised query,
 * provider choice and language (services/geocoding-cache.ts normalises):
 * `fwd:{choice}:{language}:{sha256 of the address, base64url}` and
 * `rev:{choice}:{language}:{latitude},{longitude}`. The address is hashed so a
 * key is short and holds no glob character whatever was asked.
 */
export const GEOCODING_NAMESPACE = 'geocoding';

export function geocodingForwardKey(choice: string, language: string, addressDigest: string): string {
  return `fwd:${choice}:${language}:${addressDigest}`;
}

export function geocodingReverseKey(choice: string, language: string, point: string): string {
  return `rev:${choice}:${language}:${point}`;
}

/** The namespaces our code caches in: their metric series exist from the start, at 0. */
export const KNOWN_NAMESPACES: readonly string[] = [SHEETS_NAMESPACE, GEOCODING_NAMESPACE];

/** The event stream's name, kept from the old service (consumers read it). */
export const EVENTS_STREAM = 'integration:events';

/** The event stream; `testPrefix` lets test files share one Redis. */
export function eventsStreamKey(testPrefix = ''): string {
  return `${testPrefix}${EVENTS_STREAM}`;
}

/**
 * The marker of an event the bus has appended to `streamKey`. Its hash tag is
 * the stream key itself (which holds no braces, so Redis hashes all of it):
 * marker and stream share a hash slot, so the bus's one script that checks the
 * marker and XADDs also runs on Redis Cluster.
 */
export function publishMarkerKey(streamKey: string, eventId: string): string {
  return `{${streamKey}}:published:${eventId}`;
}
