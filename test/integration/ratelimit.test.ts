/**
 * Outbound and ingest rate limits, against Redis and in-process: budgets per
 * service and tenant, waiting versus 429 with Retry-After, a budget shared by
 * two daemons, limits from external_services, usage in api_rate_limits, and
 * the per-process fallback while Redis is down.
 */
import test from 'ava';
import type { Redis } from 'ioredis';
import { escapeGlob } from '../../src/redis/keys.js';
import { RedisCacheBackend } from '../../src/cache/redis-backend.js';
import { AppError } from '../../src/domain/errors.js';
import { createLogger } from '../../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../../src/redis/clients.js';
import { IngestRateLimiter } from '../../src/ratelimit/ingest-limiter.js';
import {
  MemoryLimiterFactory,
  RedisLimiterFactory,
  type LimiterFactory,
} from '../../src/ratelimit/limiter-factory.js';
import { OutboundRateLimiter, type OutboundLimiterOptions } from '../../src/ratelimit/outbound-limiter.js';
import { loadConfig } from '../../src/config/load.js';
import { StaticServiceLimits } from '../../src/ratelimit/service-limits.js';
import { ServiceCatalog } from '../../src/services/service-catalog.js';
import { PgExternalServices } from '../../src/store/external-services.js';
import { ApiUsageRecorder } from '../../src/ratelimit/usage-recorder.js';
import type { Limits } from '../../src/ratelimit/windows.js';
import { testKeySpace } from '../helpers/cache.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { testRedisUrl } from '../helpers/redis.js';

const log = createLogger('silent');
const redisUrl = testRedisUrl();
let db: TestDatabase;
const clients: Redis[] = [];

test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  for (const c of clients) await closeRedis(c);
  await db?.drop();
});

async function redisClient(url = redisUrl ?? ''): Promise<Redis> {
  const client = createRedisClient(url, 'request', { name: 'test-ratelimit', log });
  clients.push(client);
  await connectRedis(client, 15_000).catch(() => undefined);
  return client;
}

interface Variant {
  name: string;
  skip: boolean;
  factory(): Promise<LimiterFactory>;
}

const variants: Variant[] = [
  { name: 'memory', skip: false, factory: async () => new MemoryLimiterFactory() },
  {
    name: 'redis',
    skip: redisUrl === undefined,
    factory: async () => new RedisLimiterFactory(await redisClient()),
  },
];

function limiterWith(factory: LimiterFactory, limits: Limits, extra: Partial<OutboundLimiterOptions> = {}) {
  return new OutboundRateLimiter({
    factory,
    keys: extra.keys ?? testKeySpace(),
    limits: new StaticServiceLimits(limits),
    maxWaitMs: 0,
    ...extra,
  });
}

for (const v of variants) {
  const it = v.skip ? test.skip : test;
  const name = (s: string) => `[${v.name}] ${s}`;

  it(name('over budget with no wait allowed: 429 OUTBOUND_RATE_LIMITED with a Retry-After'), async (t) => {
    const limiter = limiterWith(await v.factory(), { minute: 3 });
    for (let i = 0; i < 3; i++) await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
    const err = await t.throwsAsync(limiter.acquire({ service: 'google_sheets', tenantId: 't1' }), {
      instanceOf: AppError,
    });
    t.is(err?.code, 'OUTBOUND_RATE_LIMITED');
    t.is(err?.status, 429);
    t.true((err?.retryAfterSeconds ?? 0) > 0 && (err?.retryAfterSeconds ?? 99) <= 60);
  });

  it(name('budgets are per tenant and per service'), async (t) => {
    const limiter = limiterWith(await v.factory(), { minute: 1 });
    await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
    await limiter.acquire({ service: 'google_sheets', tenantId: 't2' });
    await limiter.acquire({ service: 'google_sheets' });
    await limiter.acquire({ service: 'google_maps', tenantId: 't1' });
    await t.throwsAsync(limiter.acquire({ service: 'google_sheets', tenantId: 't1' }), {
      instanceOf: AppError,
    });
  });

  it(name('no limit configured: calls are not throttled'), async (t) => {
    const limiter = limiterWith(await v.factory(), {});
    for (let i = 0; i < 200; i++) await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
    t.pass('200 calls went through without a limit');
  });

  it(name('within the allowed wait, a call over budget waits for the window and goes out'), async (t) => {
    const waits: number[] = [];
    const limiter = limiterWith(
      await v.factory(),
      { minute: 2 },
      {
        maxWaitMs: 5000,
        windowSeconds: { minute: 1, hour: 3600, day: 86_400 },
        sleep: async (ms) => {
          waits.push(ms);
          await new Promise((r) => setTimeout(r, ms));
        },
      },
    );
    for (let i = 0; i < 3; i++) await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
    t.true(waits.length >= 1, 'the third call waited');
    t.true(
      waits.every((ms) => ms > 0 && ms <= 1000),
      `waits ${waits.join(',')} fit in one 1 s window`,
    );
  });

  it(name('a call refused by the minute window does not spend the day budget'), async (t) => {
    const limiter = limiterWith(
      await v.factory(),
      { minute: 1, day: 3 },
      { maxWaitMs: 5000, windowSeconds: { minute: 1, hour: 3600, day: 3600 } },
    );
    for (let i = 0; i < 3; i++) await limiter.acquire({ service: 'svc', tenantId: 't1' });
    const err = await t.throwsAsync(limiter.acquire({ service: 'svc', tenantId: 't1' }), {
      instanceOf: AppError,
    });
    t.true((err?.retryAfterSeconds ?? 0) > 60, 'refused by the day window, not the minute');
  });

  it(
    name('ingest: off by default; a per-source limit refuses with RATE_LIMITED and Retry-After'),
    async (t) => {
      const limiter = new IngestRateLimiter(await v.factory(), testKeySpace(), 0);
      for (let i = 0; i < 50; i++) await limiter.check({ source: 'stripe', tenantId: 't1' });
      await limiter.check({ source: 'crm', tenantId: 't1', perMinute: 2 });
      await limiter.check({ source: 'crm', tenantId: 't1', perMinute: 2 });
      const err = await t.throwsAsync(limiter.check({ source: 'crm', tenantId: 't1', perMinute: 2 }), {
        instanceOf: AppError,
      });
      t.is(err?.code, 'RATE_LIMITED');
      const retryAfter = err?.retryAfterSeconds ?? 0;
      t.true(retryAfter > 0 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      await t.notThrowsAsync(
        limiter.check({ source: 'crm', tenantId: 't2', perMinute: 2 }),
        'another tenant',
      );
      await t.notThrowsAsync(
        limiter.check({ source: 'erp', tenantId: 't1', perMinute: 2 }),
        'another source',
      );
    },
  );
}

const withRedis = redisUrl === undefined ? test.skip : test;

withRedis('[redis] two daemons share one budget', async (t) => {
  const keys = testKeySpace();
  const daemonA = limiterWith(new RedisLimiterFactory(await redisClient()), { minute: 5 }, { keys });
  const daemonB = limiterWith(new RedisLimiterFactory(await redisClient()), { minute: 5 }, { keys });
  for (let i = 0; i < 3; i++) await daemonA.acquire({ service: 'google_sheets', tenantId: 't1' });
  for (let i = 0; i < 2; i++) await daemonB.acquire({ service: 'google_sheets', tenantId: 't1' });
  await t.throwsAsync(daemonA.acquire({ service: 'google_sheets', tenantId: 't1' }), {
    instanceOf: AppError,
  });
  await t.throwsAsync(daemonB.acquire({ service: 'google_sheets', tenantId: 't1' }), {
    instanceOf: AppError,
  });
  const client = await redisClient();
  const found = await new RedisCacheBackend(client).listMatching(
    `${escapeGlob(keys.root)}:_ratelimit_outbound:*`,
  );
  t.deepEqual(found, [`${keys.root}:_ratelimit_outbound:t1:google_sheets:minute`]);
});

test('Redis down: each process enforces the budget on its own (insurance limiter)', async (t) => {
  const down = await redisClient('redis://127.0.0.1:1');
  const limiter = limiterWith(new RedisLimiterFactory(down), { minute: 2 });
  await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
  await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
  const err = await t.throwsAsync(limiter.acquire({ service: 'google_sheets', tenantId: 't1' }), {
    instanceOf: AppError,
  });
  t.is(err?.code, 'OUTBOUND_RATE_LIMITED');
});

test('limits and the on/off switch come from external_services, defaults from config', async (t) => {
  await db.pool.query(
    `INSERT INTO external_services (name, service_type, rate_limit_per_minute, is_active)
     VALUES ('google_sheets', 'sheets', 2, true), ('yandex_maps', 'maps', NULL, false)`,
  );
  const config = loadConfig({
    env: { OUTBOUND_RATE_LIMIT_PER_MINUTE: '10', OUTBOUND_RATE_LIMIT_PER_DAY: '1000' },
  });
  const limits = new ServiceCatalog(new PgExternalServices(db.pool), config, log);
  await limits.refresh();
  t.deepEqual(limits.limitsFor('google_sheets'), { minute: 2, hour: 0, day: 1000 });
  t.deepEqual(limits.limitsFor('google_maps'), { minute: 10, hour: 0, day: 1000 });
  const limiter = new OutboundRateLimiter({
    factory: new MemoryLimiterFactory(),
    keys: testKeySpace(),
    limits,
    maxWaitMs: 0,
  });
  await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
  await limiter.acquire({ service: 'google_sheets', tenantId: 't1' });
  await t.throwsAsync(limiter.acquire({ service: 'google_sheets', tenantId: 't1' }), {
    instanceOf: AppError,
  });
  const disabled = await t.throwsAsync(limiter.acquire({ service: 'yandex_maps' }), { instanceOf: AppError });
  t.is(disabled?.code, 'EXTERNAL_SERVICE_DISABLED');
  // An UPDATE takes effect on the next refresh, without a restart.
  await db.pool.query(
    `UPDATE external_services SET rate_limit_per_minute = 100 WHERE name = 'google_sheets'`,
  );
  await limits.refresh();
  t.is(limits.limitsFor('google_sheets').minute, 100);
});

test('usage is added to api_rate_limits per window on flush, summed across daemons', async (t) => {
  const at = Date.UTC(2026, 10, 26, 10, 30, 15);
  const a = new ApiUsageRecorder(db.pool, log);
  const b = new ApiUsageRecorder(db.pool, log);
  for (let i = 0; i < 3; i++) a.record('usage_svc', 'uk_company_1', { minute: 60 }, at);
  b.record('usage_svc', 'uk_company_1', { minute: 60 }, at + 1000);
  b.record('usage_svc', '_global', {}, at);
  const before = await db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM api_rate_limits WHERE service_name = 'usage_svc'`,
  );
  t.is(before.rows[0]?.n, 0, 'nothing is written per call');
  await a.flush();
  await b.flush();
  const rows = await db.pool.query<{
    tenant_id: string;
    window_kind: string;
    window_start: Date;
    request_count: number;
    limit_value: number | null;
  }>(
    `SELECT tenant_id, window_kind, window_start, request_count, limit_value
       FROM api_rate_limits WHERE service_name = 'usage_svc' ORDER BY tenant_id, window_kind`,
  );
  t.deepEqual(
    rows.rows.map((r) => [
      r.tenant_id,
      r.window_kind,
      r.window_start.toISOString(),
      r.request_count,
      r.limit_value,
    ]),
    [
      ['', 'day', '2026-11-26T00:00:00.000Z', 1, null],
      ['uk_company_1', 'day', '2026-11-26T00:00:00.000Z', 4, null],
      ['uk_company_1', 'minute', '2026-11-26T10:30:00.000Z', 4, 60],
    ],
  );
});
