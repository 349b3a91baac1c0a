/**
 * The geocoding API through the daemon's real wiring, Google's real client and
 * our Yandex client against the fake servers, on both cache backends: a
 * Cyrillic address resolved once and then cached (same key whatever its
 * spacing and case), the durable level surviving a Redis flush or a restart,
 * not-found at one provider falling back to the next, reverse lookups, a
 * batch in input order, and the events of what a provider resolved.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import {
  ARBAT,
  deleteKeys,
  geocodingApp,
  redisBackendSkip,
  TENANT,
  type Backend,
  type GeocodingApp,
} from '../helpers/geocoding.js';
import { testRuntime } from '../helpers/runtime.js';

interface Forward {
  latitude: number;
  longitude: number;
  formatted_address: string;
  components: Record<string, string | null>;
  place_id: string | null;
  precision: string;
  confidence: number;
  provider: string;
  attempted_providers: string[];
  cached: boolean;
}

async function open(t: ExecutionContext, backend: Backend): Promise<GeocodingApp> {
  const g = await geocodingApp({ backend });
  t.teardown(() => g.close());
  return g;
}

for (const backend of ['memory', 'redis'] as const) {
  const skip = backend === 'redis' ? redisBackendSkip() : undefined;
  const it = skip === undefined ? test : test.skip;
  const name = (s: string) => `${backend}: ${s}${skip === undefined ? '' : ` (${skip})`}`;

  it(
    name('a Cyrillic address is resolved by Google, then served from the cache under any spelling'),
    async (t) => {
      const g = await open(t, backend);
      // Tenants of this test's own: on Redis, other tests' events arrive on the same channels.
      const mine = `events_${Math.random().toString(36).slice(2, 10)}`;
      const other = `${mine}_other`;
      const TENANT = { 'x-management-company-id': mine };
      const events: Array<{ channel: string; payload: string }> = [];
      const unsubscribe = await g.ctx.runtime.bus.subscribe('integration.geocoding.*', (channel, payload) => {
        const tenant = (JSON.parse(payload) as { tenant_id?: unknown }).tenant_id;
        if (tenant === mine || tenant === other) events.push({ channel, payload });
      });
      t.teardown(() => unsubscribe());
      const first = await g.post('/forward', { address: ARBAT, language: 'ru' }, TENANT);
      t.is(first.statusCode, 200, first.body);
      const body = first.json<Forward>();
      t.like(body, {
        latitude: 55.7521486,
        longitude: 37.5847163,
        formatted_address: 'ул. Новый Арбат, 24, Москва, Россия, 119019',
        place_id: 'ChIJd1KjvU5KtUYRzXh2Hq0aL8Q',
        precision: 'exact',
        provider: 'google_maps',
        cached: false,
      });
      t.deepEqual(body.attempted_providers, ['google_maps']);
      t.like(body.components, {
        country_code: 'RU',
        city: 'Москва',
        house_number: '24',
        postal_code: '119019',
      });
      t.true(body.confidence > 0.9 && body.confidence <= 1);
      t.is(g.sent(), 1);

      const again = await g.post(
        '/forward',
        { address: `  ${ARBAT.toUpperCase().replace(/ /g, '   ')}  `, language: 'ru' },
        TENANT,
      );
      t.is(again.statusCode, 200);
      t.like(again.json<Forward>(), { cached: true, provider: 'google_maps', latitude: 55.7521486 });
      t.deepEqual(again.json<Forward>().attempted_providers, []);
      t.is(g.sent(), 1, 'the second lookup asked no provider');

      // Another tenant, another language, another provider choice: other keys.
      t.false(
        (
          await g.post('/forward', { address: ARBAT, language: 'ru' }, { 'x-tenant-id': other })
        ).json<Forward>().cached,
      );
      t.false((await g.post('/forward', { address: ARBAT, language: 'en' }, TENANT)).json<Forward>().cached);
      const yandex = await g.post(
        '/forward',
        { address: ARBAT, language: 'ru', provider: 'yandex_maps' },
        TENANT,
      );
      t.like(yandex.json<Forward>(), { provider: 'yandex_maps', cached: false, precision: 'exact' });
      t.is(g.sent(), 4);

      await new Promise((r) => setTimeout(r, 100));
      const resolved = events.filter((e) => e.channel === 'integration.geocoding.address.resolved');
      t.is(resolved.length, 4, 'one event per provider fetch, none for the cache hit');
      const envelope = JSON.parse(resolved[0]?.payload ?? '{}') as Record<string, unknown>;
      t.like(envelope, {
        event_type: 'geocoding.address.resolved',
        source: 'integration_service',
        tenant_id: mine,
        data: {
          query: ARBAT,
          coordinates: { latitude: 55.7521486, longitude: 37.5847163 },
          formatted_address: 'ул. Новый Арбат, 24, Москва, Россия, 119019',
          provider: 'google_maps',
        },
      });
      t.regex(String(envelope.timestamp), /^\d{4}-\d\d-\d\dT/);
    },
  );

  it(name('the durable level answers after the hot level is gone: no provider is paid again'), async (t) => {
    const g = await open(t, backend);
    t.is((await g.post('/forward', { address: ARBAT }, TENANT)).statusCode, 200);
    t.is((await g.post('/reverse', { latitude: 55.7521486, longitude: 37.5847163 }, TENANT)).statusCode, 200);
    t.is(g.sent(), 2);
    const rows = await g.ctx.db.pool.query<{
      cache_key: string;
      namespace: string;
      tenant_id: string;
      ttl: number;
    }>(
      `SELECT cache_key, namespace, tenant_id, extract(epoch FROM expires_at - now())::int AS ttl
         FROM integration_cache ORDER BY cache_key`,
    );
    t.is(rows.rows.length, 2);
    for (const row of rows.rows) {
      t.is(row.namespace, 'geocoding');
      t.is(row.tenant_id, 'uk_company_1');
      t.true(row.cache_key.startsWith(`${g.prefix}:geocoding:uk_company_1:`), row.cache_key);
      t.true(row.ttl > 2_591_000 && row.ttl <= 2_592_000, `30 days, ${row.ttl}`);
    }
    let app = g.ctx.runtime.app;
    if (backend === 'redis') await deleteKeys(g.prefix);
    else {
      // The in-process cache dies with the daemon: a restart on the same database.
      const restarted = await testRuntime(
        {
          ADMIN_TOKEN: 'admin-token-0123456789abcdef',
          GOOGLE_MAPS_ROOT_URL: g.google.url,
          YANDEX_MAPS_ROOT_URL: g.yandex.url,
          GOOGLE_MAPS_API_KEY: 'AIzaSyFAKE-k3y_for-geocoding-tests-0123',
          CACHE_KEY_PREFIX: g.prefix,
        },
        g.ctx.db,
      );
      t.teardown(() => restarted.close());
      app = restarted.runtime.app;
    }
    const headers = { authorization: 'Bearer admin-token-0123456789abcdef', ...TENANT };
    const forward = await app.inject({
      method: 'POST',
      url: '/api/v1/geocoding/forward',
      headers,
      payload: { address: ARBAT },
    });
    t.like(forward.json<Forward>(), { cached: true, provider: 'google_maps', latitude: 55.7521486 });
    const reverse = await app.inject({
      method: 'POST',
      url: '/api/v1/geocoding/reverse',
      headers,
      payload: { latitude: 55.7521486, longitude: 37.5847163 },
    });
    t.like(reverse.json<Record<string, unknown>>(), { cached: true, house_number: '24' });
    t.is(g.sent(), 2, 'nothing sent after the flush');
  });

  it(name('not found at Google is asked of Yandex; found nowhere is a 404, cached briefly'), async (t) => {
    const g = await open(t, backend);
    g.google.failNext(1, { kind: 'status', status: 'ZERO_RESULTS' });
    const r = await g.post('/forward', { address: ARBAT }, TENANT);
    t.is(r.statusCode, 200, r.body);
    t.like(r.json<Forward>(), {
      provider: 'yandex_maps',
      cached: false,
      formatted_address: 'Россия, Москва, улица Новый Арбат, 24',
    });
    t.deepEqual(r.json<Forward>().attempted_providers, ['google_maps', 'yandex_maps']);

    const nowhere = await g.post('/forward', { address: 'Нигдеград, улица Несуществующая, 1' }, TENANT);
    t.is(nowhere.statusCode, 404);
    t.is(nowhere.json<{ error: { code: string } }>().error.code, 'GEOCODE_NOT_FOUND');
    const before = g.sent();
    t.is(
      (await g.post('/forward', { address: 'нигдеград, улица несуществующая, 1' }, TENANT)).statusCode,
      404,
    );
    t.is(g.sent(), before, 'the not-found was cached');
  });

  it(name('reverse: the old fields, filled; the event names the point'), async (t) => {
    const g = await open(t, backend);
    // A tenant of this test's own: on Redis, other tests' geocoding events arrive on the same channels.
    const mine = `reverse_${Math.random().toString(36).slice(2, 10)}`;
    const events: string[] = [];
    const off = await g.ctx.runtime.bus.subscribe('integration.geocoding.coordinates.*', (_c, p) => {
      if ((JSON.parse(p) as { tenant_id?: unknown }).tenant_id === mine) events.push(p);
    });
    t.teardown(() => off());
    const r = await g.post(
      '/reverse',
      { latitude: 51.50336, longitude: -0.12763, language: 'en' },
      { 'x-management-company-id': mine },
    );
    t.is(r.statusCode, 200, r.body);
    t.deepEqual(r.json(), {
      formatted_address: '10 Downing St, London SW1A 2AA, UK',
      street: 'Downing Street',
      house_number: '10',
      city: 'London',
      postal_code: 'SW1A 2AA',
      country: 'United Kingdom',
      latitude: 51.5033635,
      longitude: -0.1276248,
      provider: 'google_maps',
      attempted_providers: ['google_maps'],
      cached: false,
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    t.is(events.length, 1);
    t.like(JSON.parse(events[0] ?? '{}'), {
      event_type: 'geocoding.coordinates.resolved',
      tenant_id: mine,
      data: { query: { latitude: 51.50336, longitude: -0.12763 }, provider: 'google_maps' },
    });
  });

  it(
    name('a batch answers in input order, each ok, not_found or error, and looks a repeat up once'),
    async (t) => {
      const g = await open(t, backend);
      const addresses = [
        '10 Downing Street, London',
        'Нигдеград, 1',
        ARBAT,
        '10 downing street,   london',
        'Москва, Тверская улица',
      ];
      const r = await g.post('/batch', { addresses }, TENANT);
      t.is(r.statusCode, 200, r.body);
      const results = r.json<{ results: Array<{ address: string; status: string; result?: Forward }> }>()
        .results;
      t.deepEqual(
        results.map((x) => [x.address, x.status]),
        addresses.map((a, i) => [a, i === 1 ? 'not_found' : 'ok']),
      );
      t.is(results[0]?.result?.place_id, 'ChIJRxzRQcUEdkgRGVaKyzmkgvg');
      t.is(results[3]?.result?.place_id, 'ChIJRxzRQcUEdkgRGVaKyzmkgvg');
      t.is(results[4]?.result?.precision, 'street');
      // The unknown one was asked of both providers; the repeat was not asked again.
      t.is(g.google.geocodeRequests().length, 4);
      t.is(g.yandex.geocodeRequests().length, 1);
    },
  );
}
