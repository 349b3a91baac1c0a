/**
 * GET /health/detailed and `integctl health`: each dependency checked with a
 * short deadline, the whole report shared for `cacheMs` so that polling it in
 * a loop costs Postgres one SELECT 1 per second at most.
 *
 *  - database down (or no answer within the deadline): unhealthy, HTTP 503;
 *    nothing can be ingested.
 *  - Redis down, the Sheets adapter or every geocoding provider unhealthy:
 *    degraded, HTTP 200; webhooks
 *    are still stored (published once Redis is back), the cache misses.
 * The Sheets status is passive (from real calls, no probe traffic) and costs no I/O.
 */
import { redactSecrets } from '../lib/redact.js';
import { cachedFor, withTimeout } from '../lib/time-limit.js';
import type { SheetsHealthReport } from '../sheets/types.js';
import type { GeocodingHealth } from './geocoding-health.js';

export type OverallStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface DependencyCheck {
  status: 'healthy' | 'unhealthy';
  latency_ms: number;
  mode: string;
  error?: string;
}

export interface DetailedHealth {
  status: OverallStatus;
  service: 'integration-service';
  version: string;
  timestamp: string;
  mode: { database: 'embedded' | 'external'; redis: 'external' | 'in-process' };
  dependencies: {
    database: DependencyCheck;
    redis: DependencyCheck;
    google_sheets: SheetsHealthReport | { status: 'not_configured'; configured: false };
    /** Present when the daemon serves geocoding: each provider from real traffic. */
    geocoding?: GeocodingHealth;
  };
}

export interface HealthDeps {
  version: string;
  mode: DetailedHealth['mode'];
  pingDatabase: () => Promise<unknown>;
  /** Undefined when Redis is not configured (in-process cache and bus). */
  pingRedis?: () => Promise<unknown>;
  sheets?: () => SheetsHealthReport;
  geocoding?: () => GeocodingHealth;
  timeoutMs?: number;
  cacheMs?: number;
  now?: () => number;
}

async function check(mode: string, ping: () => Promise<unknown>, timeoutMs: number, now: () => number) {
  const started = now();
  const latency = () => Math.round((now() - started) * 10) / 10;
  try {
    await withTimeout(ping(), timeoutMs, 'health check');
    return { status: 'healthy', latency_ms: latency(), mode } satisfies DependencyCheck;
  } catch (err) {
    // A driver's message can hold the URL it failed to reach, credentials and all.
    const error = redactSecrets(err instanceof Error && err.message !== '' ? err.message : String(err));
    return { status: 'unhealthy', latency_ms: latency(), mode, error } satisfies DependencyCheck;
  }
}

export function overallStatus(deps: DetailedHealth['dependencies']): OverallStatus {
  if (deps.database.status !== 'healthy') return 'unhealthy';
  if (deps.redis.status !== 'healthy' || deps.google_sheets.status === 'unhealthy') return 'degraded';
  if (deps.geocoding?.status === 'unhealthy') return 'degraded';
  return 'healthy';
}

/** Returns the report function; callers within `cacheMs` of the last answer share it. */
export function healthReporter(deps: HealthDeps): () => Promise<DetailedHealth> {
  const timeoutMs = deps.timeoutMs ?? 1000;
  const now = deps.now ?? (() => performance.now());
  const read = async (): Promise<DetailedHealth> => {
    const [database, redis] = await Promise.all([
      check(deps.mode.database, deps.pingDatabase, timeoutMs, now),
      deps.pingRedis
        ? check('external', deps.pingRedis, timeoutMs, now)
        : Promise.resolve<DependencyCheck>({ status: 'healthy', latency_ms: 0, mode: 'in-process' }),
    ]);
    const dependencies: DetailedHealth['dependencies'] = {
      database,
      redis,
      google_sheets: deps.sheets?.() ?? { status: 'not_configured', configured: false },
      ...(deps.geocoding ? { geocoding: deps.geocoding() } : {}),
    };
    return {
      status: overallStatus(dependencies),
      service: 'integration-service',
      version: deps.version,
      timestamp: new Date().toISOString(),
      mode: deps.mode,
      dependencies,
    };
  };
  return cachedFor(deps.cacheMs ?? 1000, read, now);
}
