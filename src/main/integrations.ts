/**
 * Wiring of the outbound half of the daemon: Redis (when configured), the tenant
 * cache, outbound rate limits, the audit log and the Google Sheets adapter.
 * startRuntime() calls this once and hands `appDeps` to buildApp; stop() undoes
 * it in reverse order (final audit rows and counters are flushed before Redis
 * and Postgres close).
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config/schema.js';
import type { AppDeps } from '../http/app.js';
import type { Logger } from '../lib/logger.js';
import { redactUrl } from '../lib/redact.js';
import { buildCacheService } from './cache.js';
import { closeRedis, connectRedis, createRedisClient } from './redis.js';

export interface Integrations {
  appDeps: Pick<AppDeps, 'cache'>;
  redis: Redis | undefined;
  stop(): Promise<void>;
}

export async function startIntegrations(config: Config, log: Logger, _pool: pg.Pool): Promise<Integrations> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const step of stops.reverse()) {
      try {
        await step();
      } catch (err) {
        log.warn({ err }, 'error while stopping integrations');
      }
    }
  };

  let redis: Redis | undefined;
  if (config.redisUrl !== undefined) {
    const client = createRedisClient(config.redisUrl, { name: 'integrationd', log });
    redis = client;
    stops.push(() => closeRedis(client));
    try {
      await connectRedis(client);
    } catch (err) {
      // Not fatal: the cache misses and rate limits fall back to per-process
      // budgets until Redis answers; the client keeps reconnecting.
      log.error(
        { redis: redactUrl(config.redisUrl), reason: (err as Error).message },
        'Redis does not answer; starting degraded (cache misses) and reconnecting in the background',
      );
    }
  }

  const cache = buildCacheService(config, log, redis);
  stops.push(() => cache.close());
  log.info(
    { cache: config.cacheEnabled ? cache.backendKind : 'disabled', ttl: config.cacheDefaultTtl },
    'cache ready',
  );

  return { appDeps: { cache }, redis, stop };
}
