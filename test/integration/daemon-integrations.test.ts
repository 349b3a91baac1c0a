/**
 * The real integrationd process wired to Redis, Postgres and the fake Sheets
 * server: a Sheets read through HTTP is cached, counted where integctl sees it,
 * audited in integration_logs and recorded in api_rate_limits by the time the
 * daemon has stopped. Without (usable) credentials the daemon still starts.
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { integctl } from '../helpers/cli.js';
import { startDaemon } from '../helpers/daemon.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { redisSkipReason, testKeyPrefix, testRedisUrl } from '../helpers/redis.js';
import { startFakeSheets } from '../fake-sheets/server.js';
import { createTestServiceAccount } from '../fake-sheets/service-account.js';

const dbs: TestDatabase[] = [];
test.after.always(async () => {
  for (const db of dbs) await db.drop();
});

const redisUrl = testRedisUrl();
const withRedis = redisUrl === undefined ? test.skip : test;
const TOKEN = 'admin-token-0123456789abcdef';

withRedis(
  `a Sheets read through the daemon: cached, counted for integctl, audited, usage recorded${redisUrl === undefined ? ` (${redisSkipReason()})` : ''}`,
  async (t) => {
    const db = await createTestDatabase();
    dbs.push(db);
    const account = createTestServiceAccount();
    const fake = await startFakeSheets({
      serviceAccountEmail: account.email,
      privateKeyPem: account.privateKeyPem,
    });
    t.teardown(() => fake.close());
    fake.addSpreadsheet('daemon_sheet_1', 'Daemon', { Sheet1: [['a', 'b']] });
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
      CACHE_KEY_PREFIX: `${testKeyPrefix()}integration`,
      ADMIN_TOKEN: TOKEN,
      GOOGLE_SHEETS_CREDENTIALS_PATH: account.file,
      GOOGLE_SHEETS_ROOT_URL: fake.url,
    };
    const d = await startDaemon(env);
    t.teardown(() => {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
    });
    t.regex(d.output(), /"sheets":"configured"/);
    const read = () =>
      fetch(`${d.url}/api/v1/google-sheets/read`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${TOKEN}`,
          'content-type': 'application/json',
          'x-management-company-id': 'uk_company_1',
        },
        body: JSON.stringify({ spreadsheet_id: 'daemon_sheet_1', range: 'Sheet1!A1:B1' }),
      });
    const first = await read();
    t.is(first.status, 200);
    t.like(await first.json(), { values: [['a', 'b']], cached: false });
    t.like(await (await read()).json(), { cached: true });
    t.is(fake.requestsTo('/values/').length, 1);

    const stats = await fetch(`${d.url}/cache/stats?tenant_id=uk_company_1`);
    t.like(await stats.json(), {
      tenant_id: 'uk_company_1',
      namespaces: { google_sheets: { hits: 1, misses: 1, total: 2, hit_rate: 50 } },
    });
    // integctl reads the daemon's counters from Redis.
    const cli = await integctl(['cache', 'stats', '--tenant', 'uk_company_1', '--json'], env);
    t.is(cli.code, 0, cli.stderr);
    t.like(JSON.parse(cli.stdout), { namespaces: { google_sheets: { hits: 1, misses: 1, sets: 1 } } });

    d.child.kill('SIGTERM');
    t.is(await d.exited, 0);
    const logs = await db.pool.query<{ operation: string; status: string; tenant_id: string }>(
      `SELECT operation, status, tenant_id FROM integration_logs WHERE service_name = 'google_sheets'`,
    );
    t.deepEqual(logs.rows, [{ operation: 'values.get', status: 'success', tenant_id: 'uk_company_1' }]);
    const usage = await db.pool.query<{ window_kind: string; request_count: number }>(
      `SELECT window_kind, request_count FROM api_rate_limits WHERE service_name = 'google_sheets' AND tenant_id = 'uk_company_1'`,
    );
    t.deepEqual(usage.rows, [{ window_kind: 'day', request_count: 1 }]);
  },
);

test('without credentials, or with a broken key file, the daemon starts and Sheets says not configured', async (t) => {
  const db = await createTestDatabase();
  dbs.push(db);
  const broken = path.join(os.tmpdir(), `integ-broken-${process.pid}.json`);
  writeFileSync(broken, '{"type":"authorized_user"}');
  for (const extra of [{}, { GOOGLE_SHEETS_CREDENTIALS_PATH: broken }]) {
    const d = await startDaemon({ DATABASE_URL: db.url, ...extra });
    const health = await fetch(`${d.url}/api/v1/google-sheets/health`);
    t.is(health.status, 200);
    t.like(await health.json(), { status: 'not_configured', configured: false });
    const read = await fetch(`${d.url}/api/v1/google-sheets/read`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ spreadsheet_id: 'x1', range: 'A1' }),
    });
    t.is(read.status, 503);
    t.like(await read.json(), { error: { code: 'SHEETS_NOT_CONFIGURED' } });
    if ('GOOGLE_SHEETS_CREDENTIALS_PATH' in extra) {
      t.regex(d.output(), /Google Sheets disabled: .*is not a service-account key/);
    }
    d.child.kill('SIGTERM');
    t.is(await d.exited, 0);
  }
});
