import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import test from 'ava';
import { destructiveStatements } from '../../src/store/migration-drops.js';
import { MigrationStateError, Migrator, readMigrations } from '../../src/store/migrator.js';
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
  // 0009's down drops the purge index and the columns it added.
  t.false(await exists('integration_cache_expires_at_idx'));
  t.deepEqual(await m.down(), [all[all.length - 2]]);
  // 0008's down drops the stream's index and table.
  t.false(await exists('webhook_events_published_xid_idx'));
  t.false(await exists('event_stream_horizon'));
  t.deepEqual(await m.down(), [all[all.length - 3]]);
  // 0007's down brings back the index it replaced.
  t.true(await exists('webhook_events_status_received_idx'));
  t.false(await exists('webhook_events_failed_received_idx'));
  t.deepEqual(await m.down(all[3]), all.slice(3, -3).reverse());
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

const tableExists = async (db: TestDatabase, name: string) =>
  (await db.pool.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name])).rows[0]?.t !==
  null;

test('migrate down run twice: the down that drops integration_cache with its rows says so and asks first', async (t) => {
  const db = await fresh();
  const env = { DATABASE_URL: db.url };
  t.is((await integctl(['migrate'], env)).code, 0);
  await db.pool.query(
    "INSERT INTO integration_cache (cache_key, namespace, tenant_id, value) VALUES ('k1', 'n', 't', '1'), ('k2', 'n', 't', '2')",
  );
  // 0009's down drops two columns of external_services, which has no rows: said, not asked.
  const priority = await integctl(['migrate', 'down'], env);
  t.is(priority.code, 0, priority.stderr);
  t.regex(priority.stdout, /^reverted {2}0009_external_services_priority/m);
  // 0008's down drops a column and a table, both empty: said, not asked.
  const stream = await integctl(['migrate', 'down'], env);
  t.is(stream.code, 0, stream.stderr);
  t.regex(stream.stdout, /^reverted {2}0008_event_stream/m);
  // 0007's down drops an index, no data: it runs without a question.
  const first = await integctl(['migrate', 'down'], env);
  t.is(first.code, 0, first.stderr);
  t.regex(first.stdout, /^reverted {2}0007_webhook_events_ingest_cost$/m);

  // 0006's drops the table and its two rows: without a terminal and without --yes it refuses.
  const refused = await integctl(['migrate', 'down'], env);
  t.is(refused.code, 2, refused.stderr);
  t.regex(refused.stderr, /Revert 0006_integration_cache\? This drops table integration_cache \(2 rows\)/);
  t.regex(refused.stderr, /Refusing without --yes/);
  t.true(await tableExists(db, 'integration_cache'));

  const dry = await integctl(['migrate', 'down', '--dry-run'], env);
  t.is(dry.code, 0, dry.stderr);
  t.regex(
    dry.stdout,
    /would revert {2}0006_integration_cache {2}\(drops table integration_cache \(2 rows\)\)/,
  );
  const dryJson = await integctl(['migrate', 'down', '--dry-run', '--json'], env);
  t.like(JSON.parse(dryJson.stdout), {
    dry_run: true,
    migrations: [
      { name: '0006_integration_cache', drops: [{ kind: 'table', table: 'integration_cache', rows: 2 }] },
    ],
  });
  t.true(await tableExists(db, 'integration_cache'));

  const yes = await integctl(['migrate', 'down', '--yes'], env);
  t.is(yes.code, 0, yes.stderr);
  t.regex(yes.stdout, /reverted {2}0006_integration_cache {2}\(dropped table integration_cache \(2 rows\)\)/);
  t.false(await tableExists(db, 'integration_cache'));

  // An empty table holds nothing to lose: said, not asked.
  const empty = await integctl(['migrate', 'down'], env);
  t.is(empty.code, 0, empty.stderr);
  t.regex(empty.stdout, /reverted {2}0005_api_rate_limits {2}\(dropped table api_rate_limits \(empty\)\)/);
});

test('migrate down --to asks once, naming each table with data it would drop', async (t) => {
  const db = await fresh();
  const env = { DATABASE_URL: db.url };
  await new Migrator(db.pool).up();
  await db.pool.query(
    "INSERT INTO webhook_events (id, source, dedup_key, raw_body) VALUES (gen_random_uuid(), 's', 'k', '\\x00')",
  );
  const r = await integctl(['migrate', 'down', '--to', all[3] ?? ''], env);
  t.is(r.code, 2);
  t.regex(
    r.stderr,
    /^integctl: Revert 0009_.*, 0004_webhook_events\? This drops table webhook_events \(1 row\);/m,
  );
  t.deepEqual(await new Migrator(db.pool).pending(), [], 'nothing was reverted');
  const json = await integctl(['migrate', 'down', '--to', all[3] ?? '', '--yes', '--json'], env);
  t.is(json.code, 0, json.stderr);
  t.deepEqual((JSON.parse(json.stdout) as { migrations: string[] }).migrations, all.slice(3).reverse());
  t.false(await tableExists(db, 'webhook_events'));
});

test('a bad --to is a usage error before any connection; one that is not applied is a failure', async (t) => {
  const nowhere = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' };
  for (const action of ['up', 'down']) {
    const r = await integctl(['migrate', action, '--to', '9999_nope'], nowhere);
    t.is(r.code, 2, r.stderr);
    t.regex(r.stderr, /no migration named "9999_nope"/);
  }
  const db = await fresh();
  const r = await integctl(['migrate', 'down', '--to', all[0] ?? ''], { DATABASE_URL: db.url });
  t.is(r.code, 1);
  t.regex(r.stderr, /migration 0001_external_services is not applied/);
});

test('down with a plan refuses when the applied migrations changed since', async (t) => {
  const db = await fresh();
  const m = new Migrator(db.pool);
  await m.up();
  const plan = await m.planDown();
  await m.down();
  await t.throwsAsync(
    m.down(
      undefined,
      plan.map((s) => s.name),
    ),
    { instanceOf: MigrationStateError, message: /changed since the plan/ },
  );
  t.deepEqual(await m.pending(), all.slice(-1), 'only the first down ran');
});

test('planDown reads what a down destroys: tables, columns with values, truncated and deleted rows', async (t) => {
  t.deepEqual(
    destructiveStatements(`
      -- a comment: DROP TABLE nothing;
      DROP INDEX IF EXISTS i;
      ALTER TABLE t DROP COLUMN a, DROP CONSTRAINT c, ALTER COLUMN b DROP DEFAULT, DROP IF EXISTS "Mixed";
      DROP TABLE IF EXISTS x, public."Y" CASCADE;
      TRUNCATE TABLE z;
      DELETE FROM w WHERE id > 3;`),
    [
      { kind: 'column', table: 't', column: 'a' },
      { kind: 'column', table: 't', column: '"Mixed"' },
      { kind: 'table', table: 'x' },
      { kind: 'table', table: 'public."Y"' },
      { kind: 'rows', table: 'z' },
      { kind: 'rows', table: 'w' },
    ],
  );
  const dir = mkdtempSync(path.join(tmpdir(), 'integ-migrations-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, '0001_t.sql'),
    '-- migrate:up\nCREATE TABLE t (a int);\n-- migrate:down\nDROP TABLE IF EXISTS t;\n',
  );
  writeFileSync(
    path.join(dir, '0002_t_b.sql'),
    '-- migrate:up\nALTER TABLE t ADD COLUMN b int;\n-- migrate:down\nALTER TABLE t DROP COLUMN IF EXISTS b;\n',
  );
  const db = await fresh();
  const m = new Migrator(db.pool, dir);
  await m.up();
  await db.pool.query('INSERT INTO t (a, b) VALUES (1, 1), (2, NULL), (3, 3)');
  t.deepEqual(await m.planDown(), [
    { name: '0002_t_b', drops: [{ kind: 'column', table: 't', column: 'b', rows: 2, more: false }] },
  ]);
  t.deepEqual(await m.planDown('0001_t'), [
    { name: '0002_t_b', drops: [{ kind: 'column', table: 't', column: 'b', rows: 2, more: false }] },
    { name: '0001_t', drops: [{ kind: 'table', table: 't', rows: 3, more: false }] },
  ]);
});
