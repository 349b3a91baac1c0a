/**
 * The one configuration schema. Every setting of SPEC.md is declared here once,
 * with its environment name, default, allowed values and whether it is a secret.
 * The loader (load.ts) layers the sources; this file only knows how to turn one
 * raw value into a typed one or say precisely why it cannot.
 */

import { validate as validateCron } from 'node-cron';
import { stripeSecretProblem } from '../domain/secrets.js';

/** A raw value as it arrives from env (string), a JSON file (any) or a flag. */
export type Raw = unknown;

export interface Setting<T> {
  /** Environment variable name; also the key in config/*.json files. */
  readonly env: string;
  /** Other accepted environment names (old service's spellings). */
  readonly aliases?: readonly string[];
  readonly secret?: boolean;
  readonly describe: string;
  readonly default: T;
  /** Returns the typed value or throws an Error whose message says what is allowed. */
  parse(raw: Raw): T;
}

export class InvalidValue extends Error {}

function str(raw: Raw): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new InvalidValue('expected a string');
}

function int(
  env: string,
  def: number,
  min: number,
  max: number,
  describe: string,
  extra: Partial<Setting<number>> = {},
): Setting<number> {
  return {
    env,
    describe,
    default: def,
    ...extra,
    parse(raw) {
      const s = str(raw);
      if (!/^-?\d+$/.test(s)) throw new InvalidValue(`expected an integer from ${min} to ${max}`);
      const n = Number(s);
      if (!Number.isSafeInteger(n) || n < min || n > max) {
        throw new InvalidValue(`expected an integer from ${min} to ${max}`);
      }
      return n;
    },
  };
}

function bool(env: string, def: boolean, describe: string): Setting<boolean> {
  return {
    env,
    describe,
    default: def,
    parse(raw) {
      if (typeof raw === 'boolean') return raw;
      const s = str(raw).toLowerCase();
      if (['true', '1', 'yes', 'on'].includes(s)) return true;
      if (['false', '0', 'no', 'off'].includes(s)) return false;
      throw new InvalidValue('expected true or false');
    },
  };
}

function oneOf<const V extends string>(
  env: string,
  values: readonly V[],
  def: V,
  describe: string,
): Setting<V> {
  return {
    env,
    describe,
    default: def,
    parse(raw) {
      const s = str(raw).toLowerCase();
      const found = values.find((v) => v === s);
      if (found === undefined) throw new InvalidValue(`expected one of ${values.join(', ')}`);
      return found;
    },
  };
}

function text(
  env: string,
  def: string,
  describe: string,
  extra: Partial<Setting<string>> = {},
): Setting<string> {
  return {
    env,
    describe,
    default: def,
    ...extra,
    parse(raw) {
      const s = str(raw);
      if (s === '') throw new InvalidValue('expected a non-empty string');
      return s;
    },
  };
}

function optional(
  env: string,
  describe: string,
  check: (s: string) => string,
  extra: Partial<Setting<string | undefined>> = {},
): Setting<string | undefined> {
  return {
    env,
    describe,
    default: undefined,
    ...extra,
    parse(raw) {
      if (raw === null || raw === undefined) return undefined;
      const s = str(raw);
      return s === '' ? undefined : check(s);
    },
  };
}

/** Accepts postgres://, postgresql:// and the old service's postgresql+asyncpg://. */
export function normaliseDatabaseUrl(s: string): string {
  const rewritten = s.replace(/^postgresql\+asyncpg:\/\//, 'postgres://');
  let url: URL;
  try {
    url = new URL(rewritten);
  } catch {
    throw new InvalidValue('expected a URL like postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new InvalidValue('expected a postgres:// or postgresql:// URL');
  }
  if (url.hostname === '' && !url.searchParams.has('host')) {
    throw new InvalidValue('expected a URL with a host, like postgres://user@host:5432/database');
  }
  if (url.port !== '' && !/^\d+$/.test(url.port)) throw new InvalidValue('expected a numeric port');
  return rewritten;
}

function redisUrl(s: string): string {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new InvalidValue('expected a URL like redis://host:6379/0 or rediss://host:6380');
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new InvalidValue('expected a redis:// or rediss:// URL');
  }
  return s;
}

function httpUrl(s: string): string {
  try {
    const url = new URL(s);
    if (url.protocol === 'http:' || url.protocol === 'https:') return s.replace(/\/+$/, '');
  } catch {
    /* fall through to the error below */
  }
  throw new InvalidValue('expected an http:// or https:// URL');
}

/** node-cron expressions with 5 or 6 fields (the optional first one is seconds), checked by node-cron itself. */
function cron(env: string, def: string, describe: string): Setting<string> {
  return {
    env,
    describe,
    default: def,
    parse(raw) {
      const s = str(raw);
      if (!validateCron(s)) {
        throw new InvalidValue('expected a cron expression with 5 or 6 fields, like */10 * * * * *');
      }
      return s;
    },
  };
}

function secretList(
  env: string,
  describe: string,
  problemOf: (secret: string) => string | undefined,
): Setting<readonly string[]> {
  return {
    env,
    describe,
    secret: true,
    default: [],
    parse(raw) {
      const items = Array.isArray(raw) ? raw.map(str) : str(raw).split(',');
      const secrets = items.map((s) => s.trim()).filter((s) => s !== '');
      for (const s of secrets) {
        const problem = problemOf(s);
        // The message never quotes the secret.
        if (problem !== undefined) throw new InvalidValue(`comma-separated secrets expected: ${problem}`);
      }
      return secrets;
    },
  };
}

export const schema = {
  port: int('PORT', 8009, 1, 65535, 'daemon listen port'),
  host: text('HOST', '0.0.0.0', 'daemon listen address'),
  httpHeadersTimeoutSeconds: int(
    'HTTP_HEADERS_TIMEOUT_SECONDS',
    10,
    1,
    3600,
    "longest a client may take to send a request's headers; then 408 and the connection is closed",
  ),
  httpRequestTimeoutSeconds: int(
    'HTTP_REQUEST_TIMEOUT_SECONDS',
    30,
    1,
    3600,
    'longest a client may take to send a whole request, body included; then 408 and the connection is closed',
  ),
  httpKeepAliveTimeoutSeconds: int(
    'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
    72,
    1,
    3600,
    'how long an idle keep-alive connection stays open (above the usual 60 s of load balancers)',
  ),
  httpMaxConnections: int(
    'HTTP_MAX_CONNECTIONS',
    4096,
    0,
    1_000_000,
    'most client connections open at once; more are closed on arrival (0 = no cap)',
  ),
  httpListenBacklog: int(
    'HTTP_LISTEN_BACKLOG',
    2048,
    1,
    65_535,
    'connections the kernel queues before the daemon accepts them (capped by net.core.somaxconn)',
  ),
  environment: oneOf(
    'ENVIRONMENT',
    ['development', 'test', 'production'],
    'development',
    'deployment environment',
  ),
  role: oneOf(
    'INTEGRATION_ROLE',
    ['all', 'api', 'worker'],
    'all',
    'api serves HTTP and ingests; worker processes and retries',
  ),
  databaseUrl: optional('DATABASE_URL', 'Postgres URL; unset = embedded Postgres', normaliseDatabaseUrl, {
    secret: true,
  }),
  databasePoolSize: int('DATABASE_POOL_SIZE', 20, 1, 1000, 'Postgres pool size (plus max overflow)'),
  databaseMaxOverflow: int('DATABASE_MAX_OVERFLOW', 10, 0, 1000, 'extra Postgres connections allowed'),
  redisUrl: optional('REDIS_URL', 'Redis URL; unset = in-process cache and bus', redisUrl, { secret: true }),
  redisMaxConnections: int('REDIS_MAX_CONNECTIONS', 50, 1, 10000, 'Redis connection budget'),
  cacheEnabled: bool('CACHE_ENABLED', true, 'cache reads of external APIs'),
  cacheDefaultTtl: int('CACHE_DEFAULT_TTL', 300, 1, 31_536_000, 'cache TTL in seconds', {
    aliases: ['REDIS_CACHE_TTL'],
  }),
  cacheKeyPrefix: {
    env: 'CACHE_KEY_PREFIX',
    describe: 'first part of every Redis key; differs per deployment sharing one Redis',
    default: 'integration',
    parse(raw: Raw): string {
      const s = str(raw);
      if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(s)) {
        throw new InvalidValue('expected 1-64 of A-Z a-z 0-9 _ . : - starting with a letter or digit');
      }
      return s;
    },
  } satisfies Setting<string>,
  outboundRateLimitPerMinute: int(
    'OUTBOUND_RATE_LIMIT_PER_MINUTE',
    0,
    0,
    1_000_000,
    'default calls per minute per external service and tenant (0 = none); external_services overrides',
  ),
  outboundRateLimitPerHour: int(
    'OUTBOUND_RATE_LIMIT_PER_HOUR',
    0,
    0,
    100_000_000,
    'default calls per hour per external service and tenant (0 = none)',
  ),
  outboundRateLimitPerDay: int(
    'OUTBOUND_RATE_LIMIT_PER_DAY',
    0,
    0,
    1_000_000_000,
    'default calls per day per external service and tenant (0 = none)',
  ),
  outboundRateLimitMaxWaitMs: int(
    'OUTBOUND_RATE_LIMIT_MAX_WAIT_MS',
    1000,
    0,
    60_000,
    'how long an outbound call over budget waits for it; longer waits answer 429 (0 = never wait)',
  ),
  webhookRateLimitPerMinute: int(
    'WEBHOOK_RATE_LIMIT_PER_MINUTE',
    0,
    0,
    1_000_000,
    'webhooks accepted per minute per source and tenant (0 = off); webhook_configs overrides per source',
  ),
  dataDir: text('INTEGRATION_DATA_DIR', './var', 'embedded Postgres data and other local state'),
  adminToken: optional(
    'ADMIN_TOKEN',
    'bearer token for admin endpoints; required in production',
    (s) => {
      if (s.length < 16) throw new InvalidValue('expected at least 16 characters');
      return s;
    },
    { secret: true },
  ),
  stripeWebhookSecret: secretList(
    'STRIPE_WEBHOOK_SECRET',
    'comma-separated whsec_ secrets for source stripe',
    stripeSecretProblem,
  ),
  webhookMaxBodyBytes: int(
    'WEBHOOK_MAX_BODY_BYTES',
    1_048_576,
    1,
    104_857_600,
    'largest webhook body accepted',
  ),
  webhookToleranceSeconds: int(
    'WEBHOOK_TOLERANCE_SECONDS',
    300,
    1,
    86_400,
    'replay window for timestamped schemes',
  ),
  retryCron: cron('RETRY_CRON', '*/10 * * * * *', 'retry loop schedule (node-cron, seconds field first)'),
  retryMaxAttempts: int('RETRY_MAX_ATTEMPTS', 3, 0, 100, 'default number of retries before failed'),
  retryBatchSize: int('RETRY_BATCH_SIZE', 500, 1, 10_000, 'events claimed per retry-loop statement'),
  eventLeaseSeconds: int(
    'EVENT_LEASE_SECONDS',
    60,
    5,
    3600,
    'how long a worker holds an event before others may take it',
  ),
  eventsStreamMaxLen: int(
    'EVENTS_STREAM_MAXLEN',
    100_000,
    1,
    100_000_000,
    'approximate cap of the Redis stream integration:events',
  ),
  eventsStreamPollMs: int(
    'EVENTS_STREAM_POLL_MS',
    200,
    20,
    10_000,
    "how often GET /api/v1/events/stream looks for what other daemons published (this daemon's own publishes go out at once)",
  ),
  eventsStreamHeartbeatSeconds: int(
    'EVENTS_STREAM_HEARTBEAT_SECONDS',
    15,
    1,
    300,
    'seconds between keepalive comments on an event stream, so proxies keep it open',
  ),
  eventsStreamMaxBufferBytes: int(
    'EVENTS_STREAM_MAX_BUFFER_BYTES',
    1_048_576,
    65_536,
    268_435_456,
    'unread bytes an event stream client may leave waiting before it is disconnected as too slow',
  ),
  publishDedupSeconds: int(
    'PUBLISH_DEDUP_SECONDS',
    600,
    0,
    86_400,
    'window in which an event is appended to the Redis stream at most once',
  ),
  shutdownTimeoutSeconds: int(
    'SHUTDOWN_TIMEOUT_SECONDS',
    10,
    1,
    600,
    'longest graceful shutdown before exit',
  ),
  googleSheetsCredentialsPath: optional(
    'GOOGLE_SHEETS_CREDENTIALS_PATH',
    'service-account JSON file',
    (s) => s,
  ),
  googleSheetsRootUrl: optional(
    'GOOGLE_SHEETS_ROOT_URL',
    "override of Google's API root (emulators, tests)",
    httpUrl,
  ),
  googleSheetsDeadlineSeconds: int(
    'GOOGLE_SHEETS_DEADLINE_SECONDS',
    30,
    1,
    300,
    'longest a Sheets call may take, retries of 429 and 5xx included',
  ),
  googleMapsApiKey: optional(
    'GOOGLE_MAPS_API_KEY',
    'Google Maps Geocoding API key (or per service: integctl services update google_maps --api-key-stdin)',
    (s) => s,
    { secret: true },
  ),
  yandexMapsApiKey: optional(
    'YANDEX_MAPS_API_KEY',
    'Yandex Geocoder API key (or per service: integctl services update yandex_maps --api-key-stdin)',
    (s) => s,
    { secret: true },
  ),
  googleMapsRootUrl: optional(
    'GOOGLE_MAPS_ROOT_URL',
    "override of Google Maps' API root, default https://maps.googleapis.com (emulators, tests)",
    httpUrl,
  ),
  yandexMapsRootUrl: optional(
    'YANDEX_MAPS_ROOT_URL',
    "override of the Yandex Geocoder's root, default https://geocode-maps.yandex.ru (emulators, tests)",
    httpUrl,
  ),
  geocodingCacheTtl: int(
    'GEOCODING_CACHE_TTL',
    2_592_000,
    1,
    2_592_000,
    "seconds a geocoding answer stays cached; at most 30 days (Google's terms)",
  ),
  geocodingNotFoundCacheTtl: int(
    'GEOCODING_NOT_FOUND_CACHE_TTL',
    3600,
    0,
    2_592_000,
    'seconds a "not found" stays cached (0 = not cached), so a typo is not paid for on every retry',
  ),
  geocodingDeadlineSeconds: int(
    'GEOCODING_DEADLINE_SECONDS',
    10,
    1,
    120,
    'longest one geocoding lookup may take, retries and the fallback to the next provider included',
  ),
  geocodingBreakerFailures: int(
    'GEOCODING_BREAKER_FAILURES',
    5,
    1,
    1000,
    'consecutive failures of a geocoding provider that open its circuit (auto then skips it)',
  ),
  geocodingBreakerOpenSeconds: int(
    'GEOCODING_BREAKER_OPEN_SECONDS',
    30,
    1,
    3600,
    'how long an open circuit skips its provider before the next real lookup may close it again',
  ),
  geocodingBatchConcurrency: int(
    'GEOCODING_BATCH_CONCURRENCY',
    4,
    1,
    32,
    'lookups of one POST /api/v1/geocoding/batch in flight at once (each still within the outbound budgets)',
  ),
  prometheusEnabled: bool('PROMETHEUS_ENABLED', true, 'serve /metrics'),
  logLevel: oneOf(
    'LOG_LEVEL',
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    'info',
    'log level',
  ),
} as const;

export type Schema = typeof schema;
export type Config = { readonly [K in keyof Schema]: Schema[K]['default'] | ReturnType<Schema[K]['parse']> };
export type ConfigKey = keyof Schema;
