/**
 * The one place that opens ioredis connections. A caller names what the
 * connection is for, and the profile decides how it behaves when Redis is slow
 * or away:
 *
 *   profile     used by                        offline  retries  timeout  connects     backoff
 *   request     cache, rate limits, integctl   off      1        1 s      when told    +200 ms to 2 s
 *   publisher   the bus's publishes            off      1        2 s      at once      x2, 200 ms to 2 s
 *   subscriber  bus and events tail Pub/Sub    on       no cap   5 s      at once      x2, 200 ms to 2 s
 *
 * (offline: the offline queue; retries and timeout: per command; connects "when
 * told": lazyConnect, the caller calls connectRedis(); connect timeout 3 s for all.)
 *
 * Why they differ:
 *  - `request`: a cache read or a rate-limit check sits inside an HTTP request.
 *    With the offline queue off, a command while Redis is down rejects at once
 *    and the cache turns that into a miss (the limiter into its in-memory
 *    insurance) within microseconds, instead of holding the request for the
 *    whole reconnect; the timeout covers a Redis that accepts connections but
 *    does not answer (paused, swapping). It connects only when told, so the
 *    daemon and integctl can wait for the first connection with a deadline
 *    (connectRedis) and decide whether a failure is fatal.
 *  - `publisher`: a publish must fail fast too, so the event goes to
 *    `retrying` instead of hanging the processor; its timeout is longer because
 *    one script call carries up to 200 events. It connects at once: publish()
 *    refuses without a round trip while the connection is not ready.
 *  - `subscriber`: a Pub/Sub connection serves no request and must outlast any
 *    outage, so its PSUBSCRIBE waits in the offline queue and is never given up.
 *    ioredis re-subscribes after a reconnect unless the caller does it itself
 *    (`autoResubscribe: false`, events tail, to say when it is listening again);
 *    events tail also connects when told (`lazyConnect`), to report at once a
 *    Redis that is not there to the person at the terminal.
 * Every profile reconnects forever with a capped backoff: Redis coming back is
 * the normal end of an outage. The two backoffs reach the 2 s cap at different
 * speeds for no deeper reason than history; they are kept as they were.
 *
 * ioredis multiplexes one connection; REDIS_MAX_CONNECTIONS is reported by
 * /cache/stats for compatibility but needs no pool here.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import { redactUrl } from '../lib/redact.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';

export type RedisProfile = 'request' | 'publisher' | 'subscriber';

export interface RedisClientOptions {
  /** CLIENT SETNAME, visible in CLIENT LIST: integrationd, integctl, ... (none when absent). */
  name?: string;
  /**
   * Where connection errors go, once per interval (an outage emits one per
   * reconnect attempt). Without it they are dropped: the caller learns of an
   * outage from its commands' rejections, or listens for 'error' itself.
   */
  log?: Logger;
  /** Overrides the profile's command timeout (tests on a busy machine, the bus's option). */
  commandTimeoutMs?: number;
  /** Overrides whether the client waits for connect() (events tail must see the first failure). */
  lazyConnect?: boolean;
  /** For subscribers: false when the caller re-subscribes after a reconnect itself. */
  autoResubscribe?: boolean;
}

const stepBackoff = (attempt: number) => Math.min(attempt * 200, 2000);
const doublingBackoff = (attempt: number) => Math.min(100 * 2 ** Math.min(attempt, 5), 2000);

/** Each profile's settings, as in the table above; the options can override the first two. */
const PROFILES = {
  request: {
    lazyConnect: true,
    commandTimeout: 1000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: stepBackoff,
  },
  publisher: {
    lazyConnect: false,
    commandTimeout: 2000,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: doublingBackoff,
  },
  subscriber: {
    lazyConnect: false,
    commandTimeout: 5000,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    retryStrategy: doublingBackoff,
  },
} satisfies Record<RedisProfile, RedisOptions>;

function profileOptions(profile: RedisProfile, options: RedisClientOptions): RedisOptions {
  const settings = PROFILES[profile];
  return {
    ...settings,
    connectTimeout: 3000,
    lazyConnect: options.lazyConnect ?? settings.lazyConnect,
    commandTimeout: options.commandTimeoutMs ?? settings.commandTimeout,
    ...(options.name !== undefined && { connectionName: options.name }),
    ...(options.autoResubscribe !== undefined && { autoResubscribe: options.autoResubscribe }),
  };
}

/** A client with the profile's settings; its 'error' events never crash the process. */
export function createRedisClient(
  url: string,
  profile: RedisProfile,
  options: RedisClientOptions = {},
): Redis {
  const redis = new Redis(url, profileOptions(profile, options));
  const log = options.log;
  if (log === undefined) {
    redis.on('error', () => undefined);
  } else {
    const warning = new ThrottledWarning(log, 'Redis connection failing; retrying');
    redis.on('error', (err: Error) => warning.report(err, { redis: redactUrl(url), client: options.name }));
  }
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
