/**
 * The cache contract, run against both backends: the in-process one and a real
 * Redis. Each test opens its own fixture (own key root), so they run in parallel.
 */
import test from 'ava';
import { Registry } from 'prom-client';
import { CacheService } from '../../src/cache/cache-service.js';
import { CacheValueError } from '../../src/cache/serialise.js';
import { createLogger } from '../../src/lib/logger.js';
import { AppError } from '../../src/domain/errors.js';
import { backendVariants } from '../helpers/cache.js';

for (const variant of backendVariants()) {
  const it = variant.skip === undefined ? test : test.skip;
  const name = (title: string) => `[${variant.name}] ${title}`;

  it(name('set then get returns the same JSON value; unknown keys miss'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const value = { rows: [['a', 1, true, null]], nested: { n: 1.5 } };
    t.true(await f.service.set('google_sheets', 'sheet-1:A1', value, 60, 'uk_company_1'));
    t.deepEqual(await f.service.get('google_sheets', 'sheet-1:A1', 'uk_company_1'), value);
    t.is(await f.service.get('google_sheets', 'other', 'uk_company_1'), undefined);
  });

  it(name('tenants and namespaces are isolated from each other'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('google_sheets', 'k', 'tenant-a', 60, 'tenant_a');
    await f.service.set('google_sheets', 'k', 'tenant-b', 60, 'tenant_b');
    await f.service.set('geocoding', 'k', 'geo-a', 60, 'tenant_a');
    await f.service.set('google_sheets', 'k', 'no-tenant', 60);
    t.is(await f.service.get('google_sheets', 'k', 'tenant_a'), 'tenant-a');
    t.is(await f.service.get('google_sheets', 'k', 'tenant_b'), 'tenant-b');
    t.is(await f.service.get('geocoding', 'k', 'tenant_a'), 'geo-a');
    t.is(await f.service.get('google_sheets', 'k'), 'no-tenant');
  });

  it(name('keys have the shape {root}:{namespace}:{tenant}:{key}'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('google_sheets', 'abc:Sheet1!A1', 1, 60, 'uk_company_1');
    const key = `${f.keys.root}:google_sheets:uk_company_1:abc:Sheet1!A1`;
    t.is(await f.backend.get(key), '1');
  });

  it(name('a pattern of only * clears one tenant and namespace, never beyond'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    for (const key of ['a', 'b', 'c:d']) await f.service.set('google_sheets', key, key, 60, 't1');
    await f.service.set('google_sheets', 'a', 'keep', 60, 't2');
    await f.service.set('geocoding', 'a', 'keep', 60, 't1');
    await f.service.set('google_sheets', 'a', 'keep', 60);
    t.is(await f.service.countPattern('google_sheets', '*', 't1'), 3);
    t.is(await f.service.invalidatePattern('google_sheets', '*', 't1'), 3);
    t.is(await f.service.get('google_sheets', 'a', 't1'), undefined);
    t.is(await f.service.get('google_sheets', 'a', 't2'), 'keep');
    t.is(await f.service.get('geocoding', 'a', 't1'), 'keep');
    t.is(await f.service.get('google_sheets', 'a'), 'keep');
  });

  it(name('patterns match only the key part, with Redis glob rules'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    for (const key of ['s1:A1', 's1:B2', 's10:A1', 's2:A1', 'x[1]'])
      await f.service.set('ns', key, key, 60, 't');
    t.is(await f.service.invalidatePattern('ns', 's1:*', 't'), 2);
    t.is(await f.service.get('ns', 's10:A1', 't'), 's10:A1');
    t.is(await f.service.invalidatePattern('ns', 's?:A1', 't'), 1);
    t.is(await f.service.invalidatePattern('ns', 'x\\[1\\]', 't'), 1);
    t.is(await f.service.invalidatePattern('ns', 'nothing*', 't'), 0);
  });

  it(name('glob characters or ":" in a tenant or namespace are refused'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    for (const tenant of ['*', 't*', 't?', 't[1]', 'a:b', '', ' t', 'a\\b']) {
      const err = await t.throwsAsync(f.service.get('ns', 'k', tenant), { instanceOf: AppError });
      t.is(err?.code, 'INVALID_TENANT', tenant);
      await t.throwsAsync(f.service.invalidatePattern('ns', '*', tenant), { instanceOf: AppError });
    }
    for (const namespace of ['*', 'google_*', 'a:b', 'ns?', '[ns]', '', '_stats', 'UPPER']) {
      const err = await t.throwsAsync(f.service.set(namespace, 'k', 1, 60, 't'), { instanceOf: AppError });
      t.is(err?.code, 'INVALID_CACHE_INPUT', namespace);
    }
    const colon = await t.throwsAsync(f.service.get('ns', 'k', 'a:b'));
    t.regex(colon?.message ?? '', /tenant "a:b" contains ":"/);
  });

  it(name('empty and 10,000-character keys and patterns are refused with the reason'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const empty = await t.throwsAsync(f.service.get('ns', '', 't'), { instanceOf: AppError });
    t.regex(empty?.message ?? '', /key is empty/);
    const long = 'k'.repeat(10_000);
    const tooLong = await t.throwsAsync(f.service.set('ns', long, 1, 60, 't'), { instanceOf: AppError });
    t.regex(tooLong?.message ?? '', /10000 characters long; the limit is 1024/);
    await t.throwsAsync(f.service.invalidatePattern('ns', '', 't'), { message: /pattern is empty/ });
    await t.throwsAsync(f.service.invalidatePattern('ns', `${long}*`, 't'), { message: /limit is 1024/ });
    await t.throwsAsync(f.service.get('ns', 'a\nb', 't'), { message: /control character/ });
    t.true(await f.service.set('ns', 'k'.repeat(1024), 1, 60, 't'));
  });

  it(name('values JSON cannot carry faithfully are refused, not silently mangled'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const cases: Array<[unknown, RegExp]> = [
      [undefined, /undefined cannot be cached/],
      [10n, /not JSON-serialisable.*BigInt/],
      [circular, /not JSON-serialisable.*circular/i],
      [{ f: () => 1 }, /property "f" is a function/],
      [{ s: Symbol('x') }, /property "s" is a symbol/],
      [{ n: Number.NaN }, /property "n" is NaN/],
      [[1, Number.POSITIVE_INFINITY], /property "1" is Infinity/],
      [[1, undefined], /array item 1 is undefined/],
      [{ m: new Map([[1, 2]]) }, /property "m" is a Map/],
    ];
    for (const [value, message] of cases) {
      await t.throwsAsync(f.service.set('ns', 'k', value, 60, 't'), { instanceOf: CacheValueError, message });
    }
    t.is(await f.service.get('ns', 'k', 't'), undefined, 'nothing was stored');
    t.true(await f.service.set('ns', 'k', { kept: 1, dropped: undefined }, 60, 't'));
    t.deepEqual(await f.service.get('ns', 'k', 't'), { kept: 1 });
  });

  it(name('a bad TTL is refused'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    for (const ttl of [0, -1, 1.5, 40_000_000]) {
      await t.throwsAsync(f.service.set('ns', 'k', 1, ttl, 't'), { message: /TTL must be an integer/ });
    }
  });

  it(name('entries expire after their TTL'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('ns', 'short', 'v', 1, 't');
    t.is(await f.service.get('ns', 'short', 't'), 'v');
    await new Promise((r) => setTimeout(r, 2100));
    t.is(await f.service.get('ns', 'short', 't'), undefined);
  });

  it(name('stats count hits, misses, sets and invalidations per tenant and namespace'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('google_sheets', 'a', 1, 60, 'uk_company_1');
    for (let i = 0; i < 3; i++) await f.service.get('google_sheets', 'a', 'uk_company_1');
    await f.service.get('google_sheets', 'missing', 'uk_company_1');
    await f.service.get('geocoding', 'missing', 'uk_company_2');
    await f.service.invalidatePattern('google_sheets', '*', 'uk_company_1');
    const one = await f.service.stats('uk_company_1');
    t.deepEqual(one, {
      tenant_id: 'uk_company_1',
      namespaces: {
        google_sheets: { hits: 3, misses: 1, total: 4, hit_rate: 75, sets: 1, invalidations: 1 },
      },
    });
    const all = await f.service.stats();
    t.is(all.tenant_id, null);
    t.deepEqual(Object.keys(all.tenants ?? {}), ['uk_company_1', 'uk_company_2']);
    t.deepEqual(all.namespaces.geocoding, {
      hits: 0,
      misses: 1,
      total: 1,
      hit_rate: 0,
      sets: 0,
      invalidations: 0,
    });
    const filtered = await f.service.stats(undefined, 'geocoding');
    t.deepEqual(Object.keys(filtered.namespaces), ['geocoding']);
    t.deepEqual(Object.keys(filtered.tenants ?? {}), ['uk_company_2']);
  });

  it(name('hit_rate is a percentage with two decimals'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('ns', 'a', 1, 60, 't');
    await f.service.get('ns', 'a', 't');
    await f.service.get('ns', 'b', 't');
    await f.service.get('ns', 'c', 't');
    t.is((await f.service.stats('t')).namespaces.ns?.hit_rate, 33.33);
  });

  it(name('the same counts appear as Prometheus counters'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('ns', 'a', 1, 60, 't');
    await f.service.get('ns', 'a', 't');
    await f.service.get('ns', 'b', 't');
    const text = await f.registry.metrics();
    t.regex(text, /cache_operations_total\{operation="hit",namespace="ns"\} 1/);
    t.regex(text, /cache_operations_total\{operation="miss",namespace="ns"\} 1/);
    t.regex(text, /cache_operations_total\{operation="set",namespace="ns"\} 1/);
  });

  it(name('CACHE_ENABLED=false: get and set pass through, invalidation still runs'), async (t) => {
    const on = await variant.open();
    t.teardown(() => on.close());
    await on.service.set('ns', 'a', 'old', 60, 't');
    const off = new CacheService({
      backend: on.backend,
      keys: on.keys,
      enabled: false,
      defaultTtlSeconds: 300,
      log: createLogger('silent'),
      registry: new Registry(),
      counterFlushMs: 0,
    });
    t.false(await off.set('ns', 'a', 'new', 60, 't'));
    t.is(await off.get('ns', 'a', 't'), undefined);
    t.is(await on.service.get('ns', 'a', 't'), 'old', 'the disabled set did not write');
    t.is(await off.invalidatePattern('ns', '*', 't'), 1);
    t.is(await on.service.get('ns', 'a', 't'), undefined);
  });

  it(name('a fenced set after invalidateScope does not store (no stale read after a write)'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    // A read takes its fence, fetches (slowly), and meanwhile a write invalidates the scope.
    const fence = await f.service.readFence('google_sheets', 'sheet1', 't');
    t.truthy(fence);
    await f.service.set('google_sheets', 'sheet1:A1', 'before', 60, 't');
    t.is(await f.service.invalidateScope('google_sheets', 'sheet1', 't'), 1);
    t.false(await f.service.set('google_sheets', 'sheet1:A1', 'stale', 60, 't', fence));
    t.is(await f.service.get('google_sheets', 'sheet1:A1', 't'), undefined);
    // A read that starts after the write stores normally.
    const fresh = await f.service.readFence('google_sheets', 'sheet1', 't');
    t.true(await f.service.set('google_sheets', 'sheet1:A1', 'after', 60, 't', fresh));
    t.is(await f.service.get('google_sheets', 'sheet1:A1', 't'), 'after');
  });

  it(name('invalidateScope treats the scope literally, not as a glob'), async (t) => {
    const f = await variant.open();
    t.teardown(() => f.close());
    await f.service.set('ns', 'a*:1', 1, 60, 't');
    await f.service.set('ns', 'ab:1', 1, 60, 't');
    t.is(await f.service.invalidateScope('ns', 'a*', 't'), 1);
    t.is(await f.service.get('ns', 'ab:1', 't'), 1);
  });
}
