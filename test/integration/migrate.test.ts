import test from 'ava';
import { Migrator, readMigrations } from '../../src/store/migrator.js';
import { integctl } from '../helpers/cli.js';
import { createEmptyDatabase, type TestDatabase } from '../helpers/db.js';

const all = readMigrations().map((m) => m.name);
const dbs: TestDatabase[] = [];
test.after.always(async () => {
  for (const db of dbs) await db.drop();
});

async function fresh(): Promise<TestDatabase> {
  const db = await createEmptyDatabase();
  dbs.push(db);
  return db;
}

test('two migrations started at the same moment both succeed and apply each migration once', async (t) => {
  const db = await fresh();
  const [a, b] = await Promise.all([new Migrator(db.pool).up(), new Migrator(db.pool).up()]);
  t.deepEqual([...a, ...b].sort(), all);
  const rows = await db.pool.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name');
  t.deepEqual(
    rows.rows.map((r) => r.name),
    all,
  );
  t.deepEqual(await new Migrator(db.pool).pending(), []);
});

test('two integctl migrate processes at once both exit 0', async (t) => {
  const db = await fresh();
  const env = { DATABASE_URL: db.url };
  const [a, b] = await Promise.all([integctl(['migrate'], env), integctl(['migrate'], env)]);
  t.is(a.code, 0, a.stderr);
  t.is(b.code, 0, b.stderr);
  const status = await integctl(['migrate', 'status', '--json'], env);
  const parsed = JSON.parse(status.stdout) as Array<{ name: string; applied: boolean }>;
  t.deepEqual(
    parsed.map((s) => s.name),
    all,
  );
  t.true(parsed.every((s) => s.applied));
});

test('migrate down undoes the last migration; --to stops where asked', async (t) => {
  const db = await fresh();
  const m = new Migrator(db.pool);
  await m.up(all[2]);
  t.deepEqual(await m.pending(), all.slice(3));
  await m.up();
  const exists = async (name: string) =>
    (await db.pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]?.t !==
    null;
  t.deepEqual(await m.down(), [all[all.length - 1]]);
  // 0007's down brings back the index it replaced.
  t.true(await exists('webhook_events_status_received_idx'));
  t.false(await exists('webhook_events_failed_received_idx'));
  t.deepEqual(await m.down(all[3]), all.slice(3, -1).reverse());
  t.false(await exists('integration_cache'));
  t.deepEqual(await m.pending(), all.slice(3));
});

test('migrate --to an unknown name is a usage error naming the known ones', async (t) => {
  const db = await fresh();
  const r = await integctl(['migrate', 'up', '--to', '9999_nope'], { DATABASE_URL: db.url });
  t.is(r.code, 2);
  t.regex(r.stderr, /no migration named "9999_nope"; known: 0001_external_services/);
  t.deepEqual(await new Migrator(db.pool).pending(), all, 'nothing was applied');
});

test('migrate with an unknown action is a usage error', async (t) => {
  const r = await integctl(['migrate', 'sideways'], { DATABASE_URL: 'postgres://127.0.0.1:1/x' });
  t.is(r.code, 2);
  t.regex(r.stderr, /use up, down or status/);
});

test('every table of the old service exists, with the dedup key unique', async (t) => {
  const db = await fresh();
  await new Migrator(db.pool).up();
  for (const table of [
    'external_services',
    'integration_logs',
    'webhook_configs',
    'webhook_events',
    'api_rate_limits',
    'integration_cache',
  ]) {
    const r = await db.pool.query('SELECT to_regclass($1) AS t', [table]);
    t.is((r.rows[0] as { t: string }).t, table);
  }
  await db.pool.query(
    "INSERT INTO webhook_events (id, source, dedup_key, raw_body) VALUES (gen_random_uuid(), 's', 'k', '\\x00')",
  );
  await t.throwsAsync(
    db.pool.query(
      "INSERT INTO webhook_events (id, source, dedup_key, raw_body) VALUES (gen_random_uuid(), 's', 'k', '\\x00')",
    ),
    { message: /webhook_events_source_dedup_key/ },
  );
});
