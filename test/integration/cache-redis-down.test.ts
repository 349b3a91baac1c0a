/**
 * Redis stopping under the cache: reads become misses and writes are skipped,
 * never an error to the caller; failures are counted and logged once per
 * interval; counters survive the outage; everything works again once Redis is
 * back. Runs against a redis-server of its own, which it kills.
 */
import { PassThrough } from 'node:stream';
import test from 'ava';
import { Registry } from 'prom-client';
import { CacheService } from '../../src/cache/cache-service.js';
import { RedisCacheBackend } from '../../src/cache/redis-backend.js';
import { AppError } from '../../src/domain/errors.js';
import type { Redis } from 'ioredis';
import { createLogger, type Logger } from '../../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../../src/redis/clients.js';
import { testKeySpace } from '../helpers/cache.js';
import { redisSkipReason, testRedisUrl } from '../helpers/redis.js';
import { startOwnRedis } from '../helpers/redis-server.js';

// Where the harness found no Redis, redis-server is probably not installed either.
const it = testRedisUrl() === undefined ? test.skip : test;
const skipNote = testRedisUrl() === undefined ? ` (skipped: ${redisSkipReason()})` : '';

function capturedLogger() {
  const stream = new PassThrough();
  const lines: Array<Record<string, unknown>> = [];
  stream.on('data', (c: Buffer) => {
    for (const line of c.toString('utf8').split('\n'))
      if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  return { log: createLogger('warn', stream), lines };
}

function cacheOn(redis: Redis, log: Logger, registry: Registry): CacheService {
  return new CacheService({
    backend: new RedisCacheBackend(redis),
    keys: testKeySpace(),
    enabled: true,
    defaultTtlSeconds: 300,
    log,
    registry,
    counterFlushMs: 0,
    failureLogIntervalMs: 60_000,
  });
}

async function waitFor(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

it(`Redis down during reads and writes: misses and skipped writes, counted, logged once; back to normal after${skipNote}`, async (t) => {
  const server = await startOwnRedis();
  t.teardown(() => server.stop());
  const { log, lines } = capturedLogger();
  const redis = createRedisClient(server.url, 'request', { name: 'test-down', log });
  t.teardown(() => closeRedis(redis));
  await connectRedis(redis, 15_000);
  const registry = new Registry();
  const cache = cacheOn(redis, log, registry);
  t.teardown(() => cache.close());

  t.true(await cache.set('ns', 'k', 'v', 60, 't'));
  t.is(await cache.get('ns', 'k', 't'), 'v');

  await server.kill();
  for (let i = 0; i < 50; i++) {
    t.is(await cache.get('ns', 'k', 't'), undefined);
    t.false(await cache.set('ns', 'k2', 'v2', 60, 't'));
  }
  t.is(await cache.readFence('ns', 'scope', 't'), undefined, 'no fence: a read must not cache');
  const invalidate = await t.throwsAsync(cache.invalidatePattern('ns', '*', 't'), { instanceOf: AppError });
  t.is(invalidate?.code, 'CACHE_UNAVAILABLE');
  t.notRegex(invalidate?.message ?? '', /127\.0\.0\.1|ECONNREFUSED/, 'no internals in the message');
  await cache.flush();

  const metrics = await registry.metrics();
  t.regex(metrics, /cache_backend_errors_total\{operation="get"\} 50/);
  t.regex(metrics, /cache_backend_errors_total\{operation="set"\} 50/);
  const storeWarnings = lines.filter(
    (l) => l.msg === 'cache store failing; reads are misses and writes are skipped',
  );
  t.is(storeWarnings.length, 1, 'one line for the whole burst');

  await server.start();
  await waitFor(async () => redis.status === 'ready', 'the client to reconnect');
  t.true(await cache.set('ns', 'k', 'again', 60, 't'));
  t.is(await cache.get('ns', 'k', 't'), 'again');
  // The counts made while Redis was down were kept and reach Redis now.
  const stats = await cache.stats('t');
  t.is(stats.namespaces.ns?.misses, 50);
  t.is(stats.namespaces.ns?.hits, 2);
});

test('a Redis that never answered: the cache starts and misses', async (t) => {
  const { log } = capturedLogger();
  const redis = createRedisClient('redis://127.0.0.1:1', 'request', { name: 'test-never', log });
  t.teardown(() => closeRedis(redis));
  await t.throwsAsync(connectRedis(redis, 500));
  const cache = cacheOn(redis, log, new Registry());
  t.teardown(() => cache.close());
  t.is(await cache.get('ns', 'k', 't'), undefined);
  t.false(await cache.set('ns', 'k', 1, 60, 't'));
  await t.throwsAsync(cache.stats('t'), { message: /cache stats failed/ });
});
