/**
 * What Google's failures become, through the real client and the fake server:
 * 404, 403 with the sharing hint, 400 bad range, 401 bad credentials, 429 and
 * 5xx retried with backoff and Retry-After within the deadline, appends not
 * retried where that could duplicate rows, the outbound budget, and the audit
 * rows every attempt leaves.
 */
import test from 'ava';
import { BatchedAuditWriter } from '../../src/audit/audit-log.js';
import { createLogger } from '../../src/lib/logger.js';
import { MemoryLimiterFactory } from '../../src/ratelimit/limiter-factory.js';
import { OutboundRateLimiter } from '../../src/ratelimit/outbound-limiter.js';
import { StaticServiceLimits } from '../../src/ratelimit/service-limits.js';
import { testKeySpace } from '../helpers/cache.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { errorOf, SHEET_ID, sheetsFixture } from '../helpers/sheets.js';

let db: TestDatabase;
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});

const read = { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1:B2' };
const isValuesGet = (r: { method: string; path: string }) =>
  r.method === 'GET' && r.path.includes('/values/');

test('an unknown spreadsheet is 404 SHEETS_SPREADSHEET_NOT_FOUND', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const res = await s.post('/read', { spreadsheet_id: 'no_such_sheet_123', range: 'A1' });
  t.is(res.statusCode, 404);
  t.like(errorOf(res), { code: 'SHEETS_SPREADSHEET_NOT_FOUND' });
  t.regex(errorOf(res).message, /no spreadsheet no_such_sheet_123; check the id/);
});

test('a sheet not shared with the service account is 403 with the email to share it with', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  s.fake.addSpreadsheet('private_sheet_1', 'Private');
  s.fake.unshared.add('private_sheet_1');
  const res = await s.post('/write', { spreadsheet_id: 'private_sheet_1', range: 'A1', values: [[1]] });
  t.is(res.statusCode, 403);
  t.is(errorOf(res).code, 'SHEETS_ACCESS_DENIED');
  t.true(errorOf(res).message.includes(`share the sheet with ${s.account.email}`));
});

test("a range Google rejects is 400 SHEETS_BAD_RANGE with Google's reason", async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  for (const range of ['NoSuchTab!A1', 'Sheet1!A1:B2:C3', 'Sheet1!1A']) {
    const res = await s.post('/read', { spreadsheet_id: SHEET_ID, range });
    t.is(res.statusCode, 400, range);
    t.is(errorOf(res).code, 'SHEETS_BAD_RANGE');
    t.true(errorOf(res).message.includes(`Unable to parse range: ${range}`));
  }
});

test('Google answering 429 three times then 200: retried with backoff, answered 200, every attempt audited', async (t) => {
  const audit = new BatchedAuditWriter(db.pool, createLogger('silent'));
  const s = await sheetsFixture({ audit });
  t.teardown(() => s.close());
  s.fake.failNext(3, { status: 429, message: 'Quota exceeded for quota metric Read requests' }, isValuesGet);
  const res = await s.post('/read', read, {
    'x-management-company-id': 'uk_company_1',
    'x-request-id': 'req-429',
  });
  t.is(res.statusCode, 200, res.body);
  t.is(s.fake.requestsTo('/values/').length, 4);
  await audit.flush();
  const rows = await db.pool.query<{
    status: string;
    http_status: number;
    endpoint: string;
    tenant_id: string;
    error_message: string | null;
  }>(
    `SELECT status, http_status, endpoint, tenant_id, error_message FROM integration_logs WHERE request_id = 'req-429' ORDER BY id`,
  );
  t.deepEqual(
    rows.rows.map((r) => [r.status, r.http_status]),
    [
      ['error', 429],
      ['error', 429],
      ['error', 429],
      ['success', 200],
    ],
  );
  t.true(rows.rows.every((r) => r.tenant_id === 'uk_company_1'));
  t.true(rows.rows.every((r) => r.endpoint.startsWith(`${s.fake.url}/v4/spreadsheets/${SHEET_ID}/values/`)));
  t.regex(rows.rows[0]?.error_message ?? '', /Quota exceeded/);
  const all = JSON.stringify(rows.rows);
  t.false(/Bearer|eyJ|PRIVATE KEY/.test(all), 'no credentials in the audit log');
});

test('Retry-After is honoured before the next attempt', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  s.fake.failNext(1, { status: 429, retryAfter: '1' }, isValuesGet);
  const res = await s.post('/read', read);
  t.is(res.statusCode, 200);
  const [first, second] = s.fake.requestsTo('/values/');
  t.true((second?.at ?? 0) - (first?.at ?? 0) >= 990, 'the retry waited the second Google asked for');
});

test('a Retry-After beyond the deadline fails at once with 429 SHEETS_RATE_LIMITED and that Retry-After', async (t) => {
  const s = await sheetsFixture({ deadlineMs: 2000 });
  t.teardown(() => s.close());
  s.fake.failNext(1, { status: 429, retryAfter: '120' }, isValuesGet);
  const res = await s.post('/read', read);
  t.is(res.statusCode, 429);
  t.is(errorOf(res).code, 'SHEETS_RATE_LIMITED');
  t.is(res.headers['retry-after'], '120');
  t.is(s.fake.requestsTo('/values/').length, 1, 'no pointless retry');
});

test('5xx on a read is retried; 5xx on an append is not (it may have appended)', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  s.fake.failNext(2, { status: 503, message: 'The service is currently unavailable.' }, isValuesGet);
  t.is((await s.post('/read', read)).statusCode, 200);
  t.is(s.fake.requestsTo('/values/').length, 3);

  const isAppend = (r: { path: string }) => r.path.endsWith(':append');
  s.fake.failNext(1, { status: 500, message: 'Internal error encountered.' }, isAppend);
  const append = await s.post('/append', { spreadsheet_id: SHEET_ID, range: 'Sheet1!A:C', values: [['x']] });
  t.is(append.statusCode, 503);
  t.is(errorOf(append).code, 'SHEETS_UNAVAILABLE');
  t.truthy(append.headers['retry-after']);
  t.is(s.fake.requestsTo(':append').length, 1);

  s.fake.failNext(1, { status: 429 }, isAppend);
  t.is(
    (await s.post('/append', { spreadsheet_id: SHEET_ID, range: 'Sheet1!A:C', values: [['y']] })).statusCode,
    200,
  );
  t.is(s.fake.requestsTo(':append').length, 3, 'a 429 is refused unprocessed, so the append was retried');
});

test('5xx past the deadline is 503 SHEETS_UNAVAILABLE, without Google internals', async (t) => {
  const s = await sheetsFixture({ deadlineMs: 1500 });
  t.teardown(() => s.close());
  s.fake.failNext(50, { status: 500, message: 'backend shard xyz-42 exploded' }, isValuesGet);
  const res = await s.post('/read', read);
  t.is(res.statusCode, 503);
  t.is(errorOf(res).code, 'SHEETS_UNAVAILABLE');
  t.false(res.body.includes('xyz-42'));
  const health = await s.app.inject({ url: '/api/v1/google-sheets/health' });
  t.like(health.json(), { status: 'degraded', last_failure_code: 'SHEETS_UNAVAILABLE' });
});

test('Google not answering at all: 503 SHEETS_UNAVAILABLE once the deadline is spent, not a hang', async (t) => {
  const s = await sheetsFixture({ deadlineMs: 1000 });
  t.teardown(() => s.close());
  const held = s.fake.holdNext(isValuesGet);
  t.teardown(() => held.release());
  const res = await s.post('/read', read);
  t.is(res.statusCode, 503);
  t.is(errorOf(res).code, 'SHEETS_UNAVAILABLE');
  t.regex(errorOf(res).message, /did not answer/);
});

test('credentials Google does not accept: 502 SHEETS_AUTH_FAILED and health unhealthy', async (t) => {
  const s = await sheetsFixture({ foreignKey: true });
  t.teardown(() => s.close());
  const res = await s.post('/read', read);
  t.is(res.statusCode, 502);
  t.is(errorOf(res).code, 'SHEETS_AUTH_FAILED');
  t.true(errorOf(res).message.includes(s.account.email));
  const health = await s.app.inject({ url: '/api/v1/google-sheets/health' });
  t.is(health.statusCode, 200);
  t.like(health.json(), { status: 'unhealthy', configured: true, last_failure_code: 'SHEETS_AUTH_FAILED' });
});

test('the outbound budget applies to Sheets calls: over it, 429 OUTBOUND_RATE_LIMITED', async (t) => {
  const limiter = new OutboundRateLimiter({
    factory: new MemoryLimiterFactory(),
    keys: testKeySpace(),
    limits: new StaticServiceLimits({ minute: 1 }),
    maxWaitMs: 0,
  });
  const s = await sheetsFixture({ limiter });
  t.teardown(() => s.close());
  t.is((await s.post('/read', read, { 'x-management-company-id': 't1' })).statusCode, 200);
  t.is((await s.post('/read', read, { 'x-management-company-id': 't1' })).statusCode, 200, 'cached: no call');
  const other = await s.post('/read', { ...read, range: 'Sheet1!C1' }, { 'x-management-company-id': 't1' });
  t.is(other.statusCode, 429);
  t.is(errorOf(other).code, 'OUTBOUND_RATE_LIMITED');
  t.truthy(other.headers['retry-after']);
  t.is(
    (await s.post('/read', { ...read, range: 'Sheet1!C1' }, { 'x-management-company-id': 't2' })).statusCode,
    200,
  );
  t.is(s.fake.requestsTo('/values/').length, 2);
});

test('health reports a working adapter without calling Google', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  await s.post('/read', read);
  const before = s.fake.requests.length;
  const health = await s.app.inject({ url: '/api/v1/google-sheets/health' });
  t.is(health.statusCode, 200);
  t.like(health.json(), {
    service: 'google_sheets',
    status: 'healthy',
    configured: true,
    service_account_email: s.account.email,
    consecutive_failures: 0,
  });
  t.is(s.fake.requests.length, before);
});
