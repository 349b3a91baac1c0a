/**
 * The batched integration_logs writer against a real Postgres: rows arrive on
 * flush (not per call), carry no credentials, and a Postgres outage queues
 * rows up to a bound instead of failing or blocking callers.
 */
import test from 'ava';
import { BatchedAuditWriter } from '../../src/audit/audit-log.js';
import { redactCredentials } from '../../src/audit/sanitise.js';
import { createLogger } from '../../src/lib/logger.js';
import { createPool } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

const log = createLogger('silent');
let db: TestDatabase;
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});

interface LogRow {
  service_name: string;
  operation: string;
  endpoint: string | null;
  method: string | null;
  status: string;
  http_status: number | null;
  duration_ms: number;
  request_bytes: number | null;
  response_bytes: number | null;
  error_message: string | null;
  request_id: string | null;
  tenant_id: string | null;
}

async function rowsFor(service: string): Promise<LogRow[]> {
  const r = await db.pool.query<LogRow>(
    'SELECT * FROM integration_logs WHERE service_name = $1 ORDER BY id',
    [service],
  );
  return r.rows;
}

test.serial('rows are written in a batch on flush, with every field', async (t) => {
  const writer = new BatchedAuditWriter(db.pool, log);
  writer.record({
    service: 'audit_a',
    operation: 'values.get',
    url: 'https://sheets.googleapis.com/v4/spreadsheets/abc/values/Sheet1!A1?valueRenderOption=FORMATTED_VALUE&key=AIzaSECRET',
    method: 'GET',
    ok: true,
    httpStatus: 200,
    durationMs: 12.6,
    requestBytes: 0,
    responseBytes: 345,
    requestId: 'req-1',
    tenantId: 'uk_company_1',
  });
  writer.record({
    service: 'audit_a',
    operation: 'values.update',
    ok: false,
    httpStatus: 429,
    durationMs: 3,
    error: 'Quota exceeded',
  });
  t.deepEqual(await rowsFor('audit_a'), [], 'nothing is written on the request path');
  await writer.flush();
  const rows = await rowsFor('audit_a');
  t.is(rows.length, 2);
  t.like(rows[0], {
    operation: 'values.get',
    endpoint: 'https://sheets.googleapis.com/v4/spreadsheets/abc/values/Sheet1!A1',
    method: 'GET',
    status: 'success',
    http_status: 200,
    duration_ms: 13,
    request_bytes: 0,
    response_bytes: 345,
    request_id: 'req-1',
    tenant_id: 'uk_company_1',
  });
  t.like(rows[1], { status: 'error', http_status: 429, error_message: 'Quota exceeded', tenant_id: null });
  t.false(JSON.stringify(rows).includes('AIzaSECRET'), 'the query string (API keys) is never stored');
});

test.serial('a batch fills by itself: reaching maxBatch flushes without waiting for the timer', async (t) => {
  const writer = new BatchedAuditWriter(db.pool, log, { maxBatch: 5 });
  for (let i = 0; i < 5; i++) writer.record({ service: 'audit_b', operation: 'op', ok: true, durationMs: 1 });
  // No flush() and no timer (start() was not called): the full batch went by itself.
  const deadline = Date.now() + 10_000;
  while ((await rowsFor('audit_b')).length < 5 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  t.is((await rowsFor('audit_b')).length, 5);
});

test('credentials in error texts are replaced by ***', (t) => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const text = [
    'Authorization: Bearer ya29.a0AfH6SMBxyz',
    `token ${jwt}`,
    'url?access_token=abc123&x=1',
    '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----"}',
    'client_secret=s3cr3t password: hunter2',
  ].join(' | ');
  const clean = redactCredentials(text);
  for (const secret of ['ya29.a0AfH6SMBxyz', jwt, 'abc123', 'MIIEv', 's3cr3t', 'hunter2']) {
    t.false(clean.includes(secret), secret);
  }
  t.regex(clean, /access_token=\*\*\*/);
  t.is(redactCredentials('x'.repeat(5000)).length, 1000);
});

test('Postgres down: record never throws, rows queue up to the bound, oldest dropped first', async (t) => {
  const deadPool = createPool('postgres://postgres@127.0.0.1:1/none', 1, 'test-dead');
  t.teardown(() => deadPool.end());
  const writer = new BatchedAuditWriter(deadPool, log, { maxQueue: 10, maxBatch: 1000 });
  for (let i = 0; i < 25; i++)
    writer.record({ service: 'audit_c', operation: `op${i}`, ok: true, durationMs: 1 });
  await writer.flush();
  t.is(writer.queuedRows, 10);
  t.is(writer.droppedRows, 15);

  // The bound keeps the newest rows: the same overflow against a working database writes the last 10.
  const recovered = new BatchedAuditWriter(db.pool, log, { maxQueue: 10 });
  for (let i = 0; i < 25; i++)
    recovered.record({ service: 'audit_c', operation: `op${i}`, ok: true, durationMs: 1 });
  await recovered.flush();
  const rows = await rowsFor('audit_c');
  t.deepEqual(
    rows.map((r) => r.operation),
    Array.from({ length: 10 }, (_, i) => `op${i + 15}`),
  );
});
