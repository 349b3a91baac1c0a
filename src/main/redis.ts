/**
 * The one place that opens ioredis connections for the cache and the rate
 * limiters (the event bus may want other settings and makes its own).
 *
 * Settings chosen for a cache in front of slow APIs:
 *  - enableOfflineQueue false: while Redis is down a command rejects at once
 *    instead of queueing; the cache turns that into a miss within microseconds
 *    rather than holding the request for the whole reconnect.
 *  - commandTimeout 1 s: a Redis that accepts connections but does not answer
 *    (paused, swapping) fails the command instead of hanging the request.
 *  - reconnect forever with a capped backoff; 'error' events are logged once per
 *    interval, since an outage emits one per reconnect attempt.
 * ioredis multiplexes one connection; REDIS_MAX_CONNECTIONS is reported by
 * /cache/stats for compatibility but needs no pool here.
 */
import { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import { redactUrl } from '../lib/redact.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';

export interface RedisClientOptions {
  /** CLIENT SETNAME, visible in CLIENT LIST: integrationd-cache, integctl, ... */
  name: string;
  log: Logger;
  commandTimeoutMs?: number;
}

export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  const redis = new Redis(url, {
    connectionName: options.name,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1000,
    connectTimeout: 3000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  const warning = new ThrottledWarning(options.log, 'Redis connection failing; retrying');
  redis.on('error', (err: Error) => warning.report(err, { redis: redactUrl(url), client: options.name }));
  return redis;
}

/**
 * Connects, waiting at most timeoutMs. On failure the client keeps reconnecting
 * in the background and the caller decides whether that is fatal (integctl) or
 * a degraded start (the daemon, whose cache then misses until Redis is back).
 */
export async function connectRedis(redis: Redis, timeoutMs = 3000): Promise<void> {
  if (redis.status === 'ready') return;
  // ioredis rejects connect() with "Connection is closed."; the reason (ECONNREFUSED,
  // WRONGPASS, ...) arrives as an 'error' event, so it is kept for the message.
  let reason: Error | undefined;
  const onError = (err: Error) => (reason = err);
  redis.on('error', onError);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const ready =
      redis.status === 'wait'
        ? redis.connect()
        : new Promise<void>((resolve) => redis.once('ready', () => resolve()));
    await Promise.race([ready, timeout]);
  } catch (err) {
    throw reason ?? err;
  } finally {
    clearTimeout(timer);
    redis.off('error', onError);
  }
}

/** Closes politely (QUIT) when connected, at once otherwise. */
export async function closeRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    try {
      await redis.quit();
      return;
    } catch {
      /* fall through to disconnect */
    }
  }
  redis.disconnect();
}
