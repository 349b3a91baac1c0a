import { chmodSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { createEmptyDatabase, type TestDatabase } from '../helpers/db.js';
import { runDaemon, startDaemon } from '../helpers/daemon.js';
import { integctl } from '../helpers/cli.js';

const dbs: TestDatabase[] = [];
test.after.always(async () => {
  for (const db of dbs) await db.drop();
});

test('refuses to start against a schema that is behind, and says to run integctl migrate', async (t) => {
  const db = await createEmptyDatabase();
  dbs.push(db);
  const run = runDaemon([], { DATABASE_URL: db.url, PORT: '1' });
  t.is(await run.exited, 1);
  t.regex(
    run.output(),
    /schema is behind: \d+ pending migration\(s\) \(0001_external_services, .*\); run `integctl migrate`/,
  );
});

test('--migrate applies migrations, serves /health, and SIGTERM exits 0', async (t) => {
  const db = await createEmptyDatabase();
  dbs.push(db);
  const d = await startDaemon({ DATABASE_URL: db.url }, ['--migrate']);
  const res = await fetch(`${d.url}/health`);
  t.is(res.status, 200);
  t.deepEqual(await res.json(), { status: 'healthy', service: 'integration-service', version: '0.1.0' });
  t.regex(d.output(), /"database":"external \(127\.0\.0\.1:\d+\/integ_test_/);
  t.regex(d.output(), /"redis":"in-process \(no REDIS_URL\)"/);
  d.child.kill('SIGTERM');
  t.is(await d.exited, 0);
});

test('a DATABASE_URL pointing at nothing fails fast with "cannot connect to Postgres at host:port"', async (t) => {
  const run = runDaemon([], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nothing', PORT: '1' });
  t.is(await run.exited, 1);
  t.regex(run.output(), /cannot connect to Postgres at 127\.0\.0\.1:1\/nothing/);
  t.notRegex(run.output(), /at .*\.ts:\d+/, 'no stack trace');
});

test('bad configuration exits 78 with one line naming the key; unknown flags exit 2', async (t) => {
  const bad = runDaemon([], { PORT: 'abc' });
  t.is(await bad.exited, 78);
  t.regex(bad.output(), /PORT="abc".*integer from 1 to 65535/);
  const flag = runDaemon(['--no-such-flag'], {});
  t.is(await flag.exited, 2);
  t.regex(flag.output(), /unknown option '--no-such-flag'/);
});

test('a data dir that cannot be written is a configuration error', async (t) => {
  const run = runDaemon([], { INTEGRATION_DATA_DIR: '/dev/null/var', PORT: '1' });
  t.is(await run.exited, 78);
  t.regex(run.output(), /INTEGRATION_DATA_DIR="\/dev\/null\/var" is not a writable directory/);
});

test('embedded default: starts Postgres, serves, stops it on SIGTERM, reuses the data on the next start; integctl finds it', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'integ-embedded-'));
  chmodSync(dataDir, 0o755);
  const env = { INTEGRATION_DATA_DIR: dataDir };
  // No --migrate: the embedded default migrates its own database.
  const first = await startDaemon(env);
  t.regex(first.output(), /initialising embedded Postgres/);
  t.regex(first.output(), /migrations applied/);
  t.is((await fetch(`${first.url}/health`)).status, 200);
  // integctl attaches to the daemon's server rather than starting a second one.
  const status = await integctl(['migrate', 'status', '--json'], { ...env });
  t.is(status.code, 0, status.stderr);
  t.true((JSON.parse(status.stdout) as Array<{ applied: boolean }>).every((s) => s.applied));
  first.child.kill('SIGTERM');
  t.is(await first.exited, 0);
  t.regex(first.output(), /embedded Postgres stopped/);

  const second = await startDaemon(env);
  t.notRegex(second.output(), /initialising embedded Postgres/);
  t.is((await fetch(`${second.url}/health`)).status, 200);
  second.child.kill('SIGINT');
  t.is(await second.exited, 0);
  t.is(path.basename(dataDir).startsWith('integ-embedded-'), true);
});
