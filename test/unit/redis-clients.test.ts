/**
 * The client profiles keep the settings their callers were built on (a change
 * here changes how the daemon behaves in a Redis outage), and no other file
 * opens a connection of its own.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import type { Redis } from 'ioredis';
import { createLogger } from '../../src/lib/logger.js';
import { createRedisClient, type RedisProfile } from '../../src/redis/clients.js';

// Nothing listens there, and lazyConnect keeps these clients from trying.
const UNREACHABLE = 'redis://127.0.0.1:1';

function settings(redis: Redis) {
  const o = redis.options;
  return {
    connectionName: o.connectionName,
    lazyConnect: o.lazyConnect,
    enableOfflineQueue: o.enableOfflineQueue,
    maxRetriesPerRequest: o.maxRetriesPerRequest,
    commandTimeout: o.commandTimeout,
    connectTimeout: o.connectTimeout,
    autoResubscribe: o.autoResubscribe,
    backoff: [1, 2, 3, 4, 5, 6, 10, 50].map((attempt) => o.retryStrategy?.(attempt)),
  };
}

function open(t: { teardown(fn: () => void): void }, profile: RedisProfile, options = {}): Redis {
  const redis = createRedisClient(UNREACHABLE, profile, { lazyConnect: true, ...options });
  t.teardown(() => redis.disconnect());
  return redis;
}

test('request: fails fast (no offline queue, 1 s), connects when told, steps of 200 ms', (t) => {
  const redis = createRedisClient(UNREACHABLE, 'request', {
    name: 'integrationd',
    log: createLogger('silent'),
  });
  t.teardown(() => redis.disconnect());
  t.is(redis.status, 'wait');
  t.deepEqual(settings(redis), {
    connectionName: 'integrationd',
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 1000,
    connectTimeout: 3000,
    autoResubscribe: true,
    backoff: [200, 400, 600, 800, 1000, 1200, 2000, 2000],
  });
  t.is(settings(open(t, 'request', { commandTimeoutMs: 10_000 })).commandTimeout, 10_000);
});

test('publisher: fails fast (no offline queue, 2 s), doubling backoff to 2 s', (t) => {
  t.deepEqual(settings(open(t, 'publisher')), {
    connectionName: null,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 3000,
    autoResubscribe: true,
    backoff: [200, 400, 800, 1600, 2000, 2000, 2000, 2000],
  });
  t.is(settings(open(t, 'publisher', { commandTimeoutMs: 1000 })).commandTimeout, 1000);
});

test('subscriber: queues and never gives up a command, 5 s, doubling backoff to 2 s', (t) => {
  t.deepEqual(settings(open(t, 'subscriber')), {
    connectionName: null,
    lazyConnect: true,
    enableOfflineQueue: true,
    maxRetriesPerRequest: null,
    commandTimeout: 5000,
    connectTimeout: 3000,
    autoResubscribe: true,
    backoff: [200, 400, 800, 1600, 2000, 2000, 2000, 2000],
  });
  t.false(settings(open(t, 'subscriber', { autoResubscribe: false })).autoResubscribe);
});

test('publisher and subscriber connect at once unless told to wait', (t) => {
  for (const profile of ['publisher', 'subscriber'] as const) {
    const redis = createRedisClient(UNREACHABLE, profile);
    t.teardown(() => redis.disconnect());
    t.false(redis.options.lazyConnect, profile);
    t.not(redis.status, 'wait', profile);
  }
});

test('an error event without a log does not crash the process', (t) => {
  const redis = open(t, 'publisher');
  t.notThrows(() => redis.emit('error', new Error('ECONNREFUSED')));
});

test('src/redis/clients.ts is the only file that constructs an ioredis client', (t) => {
  const src = fileURLToPath(new URL('../../src/', import.meta.url));
  const constructing: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/\.ts$/.test(entry.name) && /new (Redis|Cluster)\b/.test(readFileSync(file, 'utf8'))) {
        constructing.push(path.relative(src, file));
      }
    }
  };
  walk(src);
  t.deepEqual(constructing, [path.join('redis', 'clients.ts')]);
});
