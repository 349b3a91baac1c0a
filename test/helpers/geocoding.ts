/**
 * The geocoding API end to end for tests: the fake Google and Yandex servers
 * (test/fake-maps), and the daemon's real wiring (main/runtime.ts) pointed at
 * them through GOOGLE_MAPS_ROOT_URL / YANDEX_MAPS_ROOT_URL, on either cache
 * backend: in-process, or Redis under a key prefix of the test's own (then
 * the event bus is Redis too). Requests go through app.inject().
 */
import type { LightMyRequestResponse } from 'fastify';
import { createLogger } from '../../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../../src/redis/clients.js';
import { GOOGLE_KEY, YANDEX_KEY } from '../fake-maps/fixture.js';
import { startFakeGoogleMaps, type FakeGoogleMaps } from '../fake-maps/google.js';
import { startFakeYandexMaps, type FakeYandexMaps } from '../fake-maps/yandex.js';
import type { TestDatabase } from './db.js';
import { testRuntime, type TestRuntime } from './runtime.js';
import { testKeyPrefix, testRedisUrl } from './redis.js';

export const TOKEN = 'admin-token-0123456789abcdef';
export const ADMIN = { authorization: `Bearer ${TOKEN}` };
export const TENANT = { 'x-management-company-id': 'uk_company_1' };
export const ARBAT = 'Москва, улица Новый Арбат, 24';

export type Backend = 'memory' | 'redis';

export interface GeocodingApp {
  ctx: TestRuntime;
  google: FakeGoogleMaps;
  yandex: FakeYandexMaps;
  prefix: string;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  get(path: string): Promise<LightMyRequestResponse>;
  /** Provider requests so far (both fakes). */
  sent(): number;
  close(): Promise<void>;
}

export interface GeocodingAppOptions {
  backend?: Backend;
  keys?: { google?: boolean; yandex?: boolean };
  env?: Record<string, string>;
  db?: TestDatabase;
}

export function redisBackendSkip(): string | undefined {
  return testRedisUrl() === undefined ? 'no Redis for tests' : undefined;
}

export async function geocodingApp(options: GeocodingAppOptions = {}): Promise<GeocodingApp> {
  const google = await startFakeGoogleMaps(GOOGLE_KEY);
  const yandex = await startFakeYandexMaps(YANDEX_KEY);
  const keys = options.keys ?? { google: true, yandex: true };
  const prefix = `${testKeyPrefix()}integration`.replace(/:/g, '-');
  const env: Record<string, string> = {
    ADMIN_TOKEN: TOKEN,
    GOOGLE_MAPS_ROOT_URL: google.url,
    YANDEX_MAPS_ROOT_URL: yandex.url,
    GEOCODING_DEADLINE_SECONDS: '10',
    CACHE_KEY_PREFIX: prefix,
    ...(keys.google ? { GOOGLE_MAPS_API_KEY: GOOGLE_KEY } : {}),
    ...(keys.yandex ? { YANDEX_MAPS_API_KEY: YANDEX_KEY } : {}),
    ...(options.backend === 'redis' ? { REDIS_URL: testRedisUrl() ?? '' } : {}),
    ...options.env,
  };
  const ctx = await testRuntime(env, options.db);
  const app = ctx.runtime.app;
  return {
    ctx,
    google,
    yandex,
    prefix,
    post: (path, body, headers = {}) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/geocoding${path}`,
        payload: body as object,
        headers: { ...ADMIN, ...headers },
      }),
    get: (path) => app.inject({ method: 'GET', url: path, headers: ADMIN }),
    sent: () => google.geocodeRequests().length + yandex.geocodeRequests().length,
    async close() {
      await ctx.close();
      await google.close();
      await yandex.close();
      if (options.backend === 'redis') await deleteKeys(prefix);
    },
  };
}

/** Deletes a test's Redis keys (its prefix), as a FLUSH of them would. */
export async function deleteKeys(prefix: string): Promise<void> {
  const redis = createRedisClient(testRedisUrl() ?? '', 'request', {
    name: 'test-geocoding',
    log: createLogger('silent'),
  });
  await connectRedis(redis, 15_000);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    await closeRedis(redis);
  }
}

export function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  return res.json<{ error: { code: string; message: string } }>().error;
}
