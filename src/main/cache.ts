/**
 * Builds the cache service from configuration: the Redis store when a client is
 * given (REDIS_URL), the in-process one otherwise. Shared by the daemon's wiring
 * and integctl, so both read and write the same keys and counters.
 */
import type { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { CacheService } from '../cache/cache-service.js';
import { MemoryCacheBackend } from '../cache/memory-backend.js';
import { RedisCacheBackend } from '../cache/redis-backend.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import { KeySpace } from '../redis/keys.js';

export function buildCacheService(
  config: Config,
  log: Logger,
  redis: Redis | undefined,
  options: { registry?: Registry; counterFlushMs?: number } = {},
): CacheService {
  return new CacheService({
    backend: redis ? new RedisCacheBackend(redis) : new MemoryCacheBackend(),
    keys: new KeySpace(config.cacheKeyPrefix),
    enabled: config.cacheEnabled,
    defaultTtlSeconds: config.cacheDefaultTtl,
    log,
    registry: options.registry,
    counterFlushMs: options.counterFlushMs,
  });
}
