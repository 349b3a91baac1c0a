/**
 * GET /cache/stats through app.inject(), against both cache backends: the SPEC.md
 * shape, admin-only all-tenant stats, tenant scoping, bad tenant ids, and a
 * 503 without internals when the store is down.
 */
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { backendVariants, cacheOverUnreachableRedis, type CacheFixture } from '../helpers/cache.js';

const TOKEN = 'admin-token-0123456789abcdef';
const config = loadConfig({
  env: { ADMIN_TOKEN: TOKEN, CACHE_DEFAULT_TTL: '120', REDIS_MAX_CONNECTIONS: '40' },
});

async function appWith(f: CacheFixture) {
  const app = buildApp({
    config,
    logger: createLogger('silent'),
    version: '0.1.0',
    integrations: { cache: f.service },
  });
  await app.ready();
  return app;
}

for (const variant of backendVariants()) {
  const it = variant.skip === undefined ? test : test.skip;
  const name = (title: string) => `[${variant.name}] ${title}`;

  it(name('GET /cache/stats?tenant_id= answers in exactly the SPEC.md shape'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const app = await appWith(f);
    t.teardown(() => app.close());
    await f.service.set('google_sheets', 'a', 1, 60, 'uk_company_1');
    for (let i = 0; i < 3; i++) await f.service.get('google_sheets', 'a', 'uk_company_1');
    await f.service.get('google_sheets', 'b', 'uk_company_1');
    const res = await app.inject({ url: '/cache/stats?tenant_id=uk_company_1' });
    t.is(res.statusCode, 200);
    t.deepEqual(res.json(), {
      cache_enabled: true,
      default_ttl: 120,
      max_connections: 40,
      tenant_id: 'uk_company_1',
      namespaces: { google_sheets: { hits: 3, misses: 1, total: 4, hit_rate: 75 } },
    });
  });

  it(name('a tenant with no activity gets empty namespaces, not an error'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const app = await appWith(f);
    t.teardown(() => app.close());
    const res = await app.inject({ url: '/cache/stats?tenant_id=quiet_tenant' });
    t.is(res.statusCode, 200);
    t.deepEqual(res.json<{ namespaces: object }>().namespaces, {});
  });

  it(name('all tenants: admin only, summed plus per tenant'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const app = await appWith(f);
    t.teardown(() => app.close());
    await f.service.get('google_sheets', 'x', 't1');
    await f.service.get('google_sheets', 'x', 't2');
    const anonymous = await app.inject({ url: '/cache/stats' });
    t.is(anonymous.statusCode, 401);
    t.is(anonymous.json<{ error: { code: string } }>().error.code, 'UNAUTHORIZED');
    const admin = await app.inject({ url: '/cache/stats', headers: { authorization: `Bearer ${TOKEN}` } });
    t.is(admin.statusCode, 200);
    const body = admin.json<{
      tenant_id: null;
      namespaces: Record<string, { misses: number }>;
      tenants: object;
    }>();
    t.is(body.tenant_id, null);
    t.is(body.namespaces.google_sheets?.misses, 2);
    t.deepEqual(Object.keys(body.tenants), ['t1', 't2']);
    const serviceToken = await app.inject({ url: '/cache/stats', headers: { 'x-service-token': TOKEN } });
    t.is(serviceToken.statusCode, 200);
  });

  it(name("a tenant-scoped caller cannot read another tenant's stats"), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const app = await appWith(f);
    t.teardown(() => app.close());
    const other = await app.inject({
      url: '/cache/stats?tenant_id=t2',
      headers: { 'x-management-company-id': 't1' },
    });
    t.is(other.statusCode, 403);
    t.is(other.json<{ error: { code: string } }>().error.code, 'FORBIDDEN');
    const own = await app.inject({ url: '/cache/stats?tenant_id=t1', headers: { 'x-tenant-id': 't1' } });
    t.is(own.statusCode, 200);
    const asAdmin = await app.inject({
      url: '/cache/stats?tenant_id=t2',
      headers: { 'x-management-company-id': 't1', authorization: `Bearer ${TOKEN}` },
    });
    t.is(asAdmin.statusCode, 200);
  });

  it(name('tenant ids with glob characters or ":" get 400 INVALID_TENANT'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const app = await appWith(f);
    t.teardown(() => app.close());
    for (const bad of ['*', 'a*', 'a:b', 'a%3Fb', '%5Ba%5D', '']) {
      const res = await app.inject({ url: `/cache/stats?tenant_id=${bad}` });
      t.is(res.statusCode, 400, bad);
      t.is(res.json<{ error: { code: string } }>().error.code, 'INVALID_TENANT', bad);
    }
  });
}

test('with the store down, /cache/stats answers 503 CACHE_UNAVAILABLE without internals', async (t) => {
  const log = createLogger('silent');
  const cache = cacheOverUnreachableRedis(t, 'test-down');
  const app = buildApp({ config, logger: log, version: '0.1.0', integrations: { cache } });
  t.teardown(() => app.close());
  const res = await app.inject({ url: '/cache/stats?tenant_id=t1' });
  t.is(res.statusCode, 503);
  const body = res.json<{ error: { code: string; message: string } }>();
  t.is(body.error.code, 'CACHE_UNAVAILABLE');
  t.notRegex(body.error.message, /127\.0\.0\.1|ECONNREFUSED|enableOfflineQueue/);
});
