/**
 * The cache backends a contract test runs against: in-process always, Redis when
 * the harness found one (else that variant is skipped with the reason). Each
 * instance gets its own key root, so test files and tests share one Redis
 * without seeing each other's keys or counters.
 */
import type { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import type { CacheBackend } from '../../src/cache/backend.js';
import { CacheService, type CacheServiceOptions } from '../../src/cache/cache-service.js';
import { escapeGlob, KeySpace } from '../../src/redis/keys.js';
import { MemoryCacheBackend } from '../../src/cache/memory-backend.js';
import { RedisCacheBackend } from '../../src/cache/redis-backend.js';
import { createLogger } from '../../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../../src/redis/clients.js';
import { testKeyPrefix, testRedisUrl } from './redis.js';

export interface CacheFixture {
  service: CacheService;
  backend: CacheBackend;
  keys: KeySpace;
  registry: Registry;
  /** The Redis client, for the Redis variant. */
  redis?: Redis;
  close(): Promise<void>;
}

export interface BackendVariant {
  name: 'memory' | 'redis';
  /** Why this variant cannot run here, or undefined. */
  skip: string | undefined;
  open(options?: Partial<CacheServiceOptions>): Promise<CacheFixture>;
}

const silent = createLogger('silent');

export function testKeySpace(): KeySpace {
  return new KeySpace(`${testKeyPrefix()}integration`);
}

async function fixture(
  backend: CacheBackend,
  options: Partial<CacheServiceOptions>,
  redis?: Redis,
): Promise<CacheFixture> {
  const keys = options.keys ?? testKeySpace();
  const registry = new Registry();
  const service = new CacheService({
    backend,
    keys,
    enabled: true,
    defaultTtlSeconds: 300,
    log: silent,
    registry,
    counterFlushMs: 0,
    ...options,
  });
  return {
    service,
    backend,
    keys,
    registry,
    redis,
    async close() {
      await service.close();
      if (redis) {
        await backend.deleteMatching(`${escapeGlob(keys.root)}*`);
        await closeRedis(redis);
      }
    },
  };
}

export function backendVariants(): BackendVariant[] {
  const url = testRedisUrl();
  return [
    {
      name: 'memory',
      skip: undefined,
      open: (options = {}) => fixture(new MemoryCacheBackend(), options),
    },
    {
      name: 'redis',
      skip: url === undefined ? 'no Redis for tests' : undefined,
      async open(options = {}) {
        const redis = createRedisClient(url ?? '', 'request', {
          name: 'test-cache',
          log: silent,
          commandTimeoutMs: 10_000,
        });
        try {
          // Generous: the machine may be busy with other suites; a client left
          // reconnecting would keep the test process alive.
          await connectRedis(redis, 15_000);
        } catch (err) {
          await closeRedis(redis);
          throw err;
        }
        return fixture(new RedisCacheBackend(redis), options, redis);
      },
    },
  ];
}

/**
 * A CacheService over a Redis that never answers (nothing listens on port 1),
 * for "the store is down" tests; teardown closes both.
 */
export function cacheOverUnreachableRedis(
  t: { teardown(fn: () => Promise<void> | void): void },
  name: string,
): CacheService {
  const redis = createRedisClient('redis://127.0.0.1:1', 'request', { name, log: silent });
  t.teardown(() => closeRedis(redis));
  return new CacheService({
    backend: new RedisCacheBackend(redis),
    enabled: true,
    defaultTtlSeconds: 300,
    log: silent,
    counterFlushMs: 0,
  });
}
