/**
 * integctl services, geocode and cache purge-expired with their real wiring:
 * the known services listed without rows and with where each setting comes
 * from; a key read from stdin, stored, never printed; bad values as usage
 * errors before any connection; a change reaching a running daemon within
 * 5 s; geocode through a daemon on a real socket; the purge of expired
 * integration_cache rows.
 */
import test from 'ava';
import { GOOGLE_KEY, YANDEX_KEY } from '../fake-maps/fixture.js';
import { integctl } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { ARBAT, errorOf, geocodingApp, TOKEN } from '../helpers/geocoding.js';
import { eventually } from '../helpers/wait.js';

let db: TestDatabase;
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});
test.afterEach.always(async () => {
  await db.pool.query('DELETE FROM external_services');
  await db.pool.query('DELETE FROM integration_cache');
});

interface Described {
  name: string;
  has_row: boolean;
  api_key: { value: string; source: string };
  priority: { value: number; source: string };
  active: { value: boolean; source: string };
  base_url: { value: string | null; source: string };
  timeout_seconds: { value: number; source: string };
  rate_limit_per_day: { value: number; source: string };
}

test.serial(
  'services: the known ones without rows, a key from stdin never printed, every change checked',
  async (t) => {
    const env = { DATABASE_URL: db.url, GOOGLE_MAPS_API_KEY: GOOGLE_KEY, OUTBOUND_RATE_LIMIT_PER_DAY: '500' };
    const listed = await integctl(['services', 'list', '--json'], env);
    t.is(listed.code, 0, listed.stderr);
    const list = JSON.parse(listed.stdout) as Described[];
    t.deepEqual(
      list.map((s) => s.name),
      ['google_maps', 'yandex_maps', 'google_sheets'],
    );
    t.like(list[0], {
      has_row: false,
      api_key: { value: 'set', source: 'env' },
      priority: { value: 10, source: 'default' },
      base_url: { value: 'https://maps.googleapis.com', source: 'default' },
      rate_limit_per_day: { value: 500, source: 'env' },
    });
    t.like(list[1], {
      api_key: { value: 'not set', source: 'default' },
      priority: { value: 20, source: 'default' },
    });
    t.false(listed.stdout.includes(GOOGLE_KEY));

    const set = await integctl(
      [
        'services',
        'update',
        'yandex_maps',
        '--api-key-stdin',
        '--priority',
        '5',
        '--rate-limit-per-day',
        '20000',
      ],
      env,
      { stdin: `${YANDEX_KEY}\n` },
    );
    t.is(set.code, 0, set.stderr);
    t.regex(set.stdout, /service yandex_maps updated; running daemons use it within 5 s/);
    const shown = await integctl(['services', 'show', 'yandex_maps', '--json'], env);
    t.like(JSON.parse(shown.stdout) as Described, {
      has_row: true,
      api_key: { value: 'set', source: 'row' },
      priority: { value: 5, source: 'row' },
      timeout_seconds: { value: 5, source: 'row' },
      rate_limit_per_day: { value: 20000, source: 'row' },
    });
    const table = await integctl(['services', 'list'], env);
    t.regex(table.stdout, /│ yandex_maps\s+│ geocoding\s+│ true \(row\)\s+│ set \(row\)\s+│ 5 \(row\)/);
    const plain = await integctl(['services', 'show', 'yandex_maps'], env);
    t.regex(plain.stdout, /^api_key\s+set \(row\)$/m);
    for (const out of [set, shown, table, plain]) t.false((out.stdout + out.stderr).includes(YANDEX_KEY));
    const stored = await db.pool.query<{ api_key: string }>(
      "SELECT api_key FROM external_services WHERE name = 'yandex_maps'",
    );
    t.is(stored.rows[0]?.api_key, YANDEX_KEY, 'stored as webhook secrets are');

    const usage: string[][] = [
      ['services', 'show', 'Bad*Name'],
      ['services', 'update', 'google_sheets', '--base-url', 'https://sheets.example'],
      ['services', 'update', 'google_maps', '--timeout', '0'],
      ['services', 'update', 'google_maps', '--base-url', `https://maps.example/?key=${GOOGLE_KEY}`],
      ['services', 'update', 'google_maps', '--priority', 'first'],
      ['services', 'add', 'weather'],
    ];
    for (const args of usage) {
      const r = await integctl(args, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' });
      t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      t.false(r.stderr.includes(GOOGLE_KEY));
    }
    const empty = await integctl(['services', 'update', 'google_maps', '--api-key-stdin'], env, {
      stdin: ' \n',
    });
    t.is(empty.code, 2);
    t.regex(empty.stderr, /read an empty key/);
    t.is((await integctl(['services', 'show', 'nope'], env)).code, 1);
    t.is(
      (
        await integctl(
          ['services', 'add', 'weather', '--type', 'weather', '--base-url', 'https://w.example'],
          env,
        )
      ).code,
      0,
    );
    const again = await integctl(['services', 'add', 'weather', '--type', 'weather'], env);
    t.is(again.code, 1);
    t.regex(again.stderr, /service weather exists; use integctl services update weather/);
    t.is((await integctl(['services', 'disable', 'google_sheets'], env)).code, 0);
    t.like(
      JSON.parse((await integctl(['services', 'show', 'google_sheets', '--json'], env)).stdout) as Described,
      {
        active: { value: false, source: 'row' },
      },
    );
    t.is((await integctl(['services', 'remove', 'weather'], env)).code, 2, 'asks; no terminal: refuses');
    t.is((await integctl(['services', 'remove', 'weather', '--yes'], env)).code, 0);
    const none = await integctl(['services', 'remove', 'google_maps', '--yes'], env);
    t.is(none.code, 1);
    t.regex(none.stderr, /google_maps has no row to remove/);
  },
);

test.serial('a key set with integctl reaches the running daemon within 5 s; disabling it too', async (t) => {
  const g = await geocodingApp({ keys: {}, db });
  t.teardown(() => g.close());
  const before = await g.post('/forward', { address: ARBAT });
  t.is(errorOf(before).code, 'GEOCODING_NOT_CONFIGURED');
  const env = { DATABASE_URL: db.url };
  const set = await integctl(['services', 'update', 'google_maps', '--api-key-stdin'], env, {
    stdin: GOOGLE_KEY,
  });
  t.is(set.code, 0, set.stderr);
  const started = Date.now();
  const answer = await eventually(async () => {
    const r = await g.post('/forward', { address: ARBAT });
    return r.statusCode === 200 ? r.json<{ provider: string }>() : undefined;
  }, 'the daemon to use the new key');
  t.is(answer.provider, 'google_maps');
  t.true(Date.now() - started < 6000, `${Date.now() - started} ms`);
  t.is((await integctl(['services', 'disable', 'google_maps'], env)).code, 0);
  // A point of its own per poll: what was found before the switch took is cached and still served.
  let poll = 0;
  const off = await eventually(async () => {
    poll++;
    const r = await g.post('/reverse', { latitude: 51.50336 + poll * 1e-6, longitude: -0.12763 });
    return r.statusCode === 503 ? r : undefined;
  }, 'the daemon to see google_maps disabled');
  t.is(errorOf(off).code, 'EXTERNAL_SERVICE_DISABLED');
});

test.serial('geocode asks the daemon: an address, a point, JSON, and not found', async (t) => {
  const g = await geocodingApp({ db });
  t.teardown(() => g.close());
  const url = await g.ctx.runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const env = { DATABASE_URL: db.url, ADMIN_TOKEN: TOKEN };
  const forward = await integctl(['geocode', ARBAT, '--url', url], env);
  t.is(forward.code, 0, forward.stderr);
  t.regex(forward.stdout, /^ул\. Новый Арбат, 24, Москва, Россия, 119019$/m);
  t.regex(forward.stdout, /^latitude\s+55\.7521486$/m);
  t.regex(forward.stdout, /^provider\s+google_maps \(tried google_maps\)$/m);
  const cached = await integctl(['geocode', ARBAT, '--url', url], env);
  t.regex(cached.stdout, /^provider\s+google_maps \(cached\)$/m);
  const reverse = await integctl(
    ['geocode', '--reverse', '51.50336,-0.12763', '--provider', 'yandex_maps', '--json', '--url', url],
    env,
  );
  t.is(reverse.code, 0, reverse.stderr);
  t.like(JSON.parse(reverse.stdout) as Record<string, unknown>, {
    provider: 'yandex_maps',
    house_number: '10',
    city: 'London',
  });
  const missing = await integctl(['geocode', 'Нигдеград, 1', '--url', url], env);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /not found: /);
  const denied = await integctl(['geocode', ARBAT, '--url', url], { DATABASE_URL: db.url });
  t.is(denied.code, 1);
  t.regex(denied.stderr, /answered 401 UNAUTHORIZED/);
  for (const args of [
    ['geocode'],
    ['geocode', '--reverse', '91,0'],
    ['geocode', ARBAT, '--provider', 'bing'],
  ]) {
    t.is((await integctl([...args, '--url', url], env)).code, 2, args.join(' '));
  }
});

test.serial('cache purge-expired: counts, asks, deletes only expired rows', async (t) => {
  const env = { DATABASE_URL: db.url };
  await db.pool.query(
    `INSERT INTO integration_cache (cache_key, namespace, tenant_id, value, expires_at)
     SELECT 'old-' || i, 'geocoding', 't', '{}'::jsonb, now() - interval '1 day' FROM generate_series(1, 3) i
     UNION ALL SELECT 'fresh', 'geocoding', 't', '{}'::jsonb, now() + interval '1 day'`,
  );
  const dry = await integctl(['cache', 'purge-expired', '--dry-run'], env);
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /3 expired row\(s\) in integration_cache \(dry run: nothing deleted\)/);
  t.is((await integctl(['cache', 'purge-expired'], env)).code, 2, 'no terminal, no --yes: refuses');
  const done = await integctl(['cache', 'purge-expired', '--yes', '--json'], env);
  t.is(done.code, 0, done.stderr);
  t.deepEqual(JSON.parse(done.stdout), { expired: 3, deleted: 3, dry_run: false });
  const left = await db.pool.query<{ cache_key: string }>('SELECT cache_key FROM integration_cache');
  t.deepEqual(
    left.rows.map((r) => r.cache_key),
    ['fresh'],
  );
});
