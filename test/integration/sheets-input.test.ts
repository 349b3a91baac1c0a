/**
 * Bad input to the Sheets endpoints gets a clear 400 naming the field before
 * anything reaches Google; admin and tenant checks; the unconfigured adapter;
 * and a cache whose Redis is down, which must not affect Sheets answers.
 */
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import { UnconfiguredSheets } from '../../src/sheets/unconfigured-gateway.js';
import { cacheOverUnreachableRedis } from '../helpers/cache.js';
import { ADMIN, ADMIN_TOKEN, errorOf, SHEET_ID, sheetsFixture } from '../helpers/sheets.js';

/** One valid call to each POST endpoint. */
const POST_CALLS = [
  ['/read', { spreadsheet_id: SHEET_ID, range: 'A1' }],
  ['/write', { spreadsheet_id: SHEET_ID, range: 'A1', values: [[1]] }],
  ['/append', { spreadsheet_id: SHEET_ID, range: 'A1', values: [[1]] }],
  ['/batch', { spreadsheet_id: SHEET_ID, operations: [{ operation: 'read', range: 'A1' }] }],
] as const;

test('a spreadsheet id with slashes or dots is refused before Google sees it', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  for (const id of ['a/b', '../admin', `${SHEET_ID}/values/A1`, 'id with space', '', 'x'.repeat(129)]) {
    const res = await s.post('/read', { spreadsheet_id: id, range: 'A1' });
    t.is(res.statusCode, 400, id);
    t.is(errorOf(res).code, 'VALIDATION_FAILED');
    t.regex(errorOf(res).message, /spreadsheet_id/);
  }
  const meta = await s.app.inject({ url: '/api/v1/google-sheets/metadata/a%2Fb', headers: ADMIN });
  t.is(meta.statusCode, 400);
  t.regex(errorOf(meta).message, /spreadsheet_id/);
  t.is(s.fake.requests.length, 0);
});

test('values that are not a 2-D array of cells are refused, never coerced', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const bad: unknown[] = ['x', 5, null, {}, [], [1, 2], [['ok'], 'row'], [[{ a: 1 }]], [[[1]]], [[1, [2]]]];
  for (const values of bad) {
    for (const path of ['/write', '/append']) {
      const res = await s.post(path, { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1', values });
      t.is(res.statusCode, 400, `${path} ${JSON.stringify(values)}`);
      t.regex(errorOf(res).message, /values/, JSON.stringify(values));
    }
  }
  const missing = await s.post('/write', { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1' });
  t.regex(errorOf(missing).message, /must have required property 'values'/);
  t.is(s.fake.requests.length, 0);
});

test('ranges and options outside the schema are refused with the field named', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['/read', { spreadsheet_id: SHEET_ID, range: '' }, /range/],
    ['/read', { spreadsheet_id: SHEET_ID, range: 'A'.repeat(501) }, /range/],
    ['/read', { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1\n' }, /range/],
    ['/read', { spreadsheet_id: SHEET_ID, range: 42 }, /range must be string/],
    ['/read', { spreadsheet_id: SHEET_ID, range: 'A1', value_render_option: 'HTML' }, /value_render_option/],
    [
      '/write',
      { spreadsheet_id: SHEET_ID, range: 'A1', values: [[1]], value_input_option: 'PARSED' },
      /value_input_option/,
    ],
    [
      '/append',
      { spreadsheet_id: SHEET_ID, range: 'A1', values: [[1]], insert_data_option: 'APPEND' },
      /insert_data_option/,
    ],
    ['/batch', { spreadsheet_id: SHEET_ID, operations: [] }, /operations/],
    [
      '/batch',
      { spreadsheet_id: SHEET_ID, operations: [{ operation: 'write', range: 'A1' }] },
      /operations\/0.*values/,
    ],
    ['/batch', { spreadsheet_id: SHEET_ID, operations: [{ operation: 'delete', range: 'A1' }] }, /operation/],
    [
      '/batch',
      {
        spreadsheet_id: SHEET_ID,
        operations: Array.from({ length: 101 }, () => ({ operation: 'read', range: 'A1' })),
      },
      /operations/,
    ],
  ];
  for (const [path, body, message] of cases) {
    const res = await s.post(path, body);
    t.is(res.statusCode, 400, `${path} ${JSON.stringify(body).slice(0, 60)}`);
    t.regex(errorOf(res).message, message);
  }
  const notJson = await s.app.inject({
    method: 'POST',
    url: '/api/v1/google-sheets/read',
    headers: { ...ADMIN, 'content-type': 'application/json' },
    payload: '{"spreadsheet_id":',
  });
  t.is(notJson.statusCode, 400);
  t.is(errorOf(notJson).code, 'MALFORMED_BODY');
  t.is(s.fake.requests.length, 0);
});

test('a tenant header with glob characters or ":" is refused before the write reaches Google', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  for (const tenant of ['*', 'a*', 'uk:1', 'a[b]']) {
    const res = await s.post(
      '/write',
      { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1', values: [['x']] },
      { 'x-management-company-id': tenant },
    );
    t.is(res.statusCode, 400, tenant);
    t.is(errorOf(res).code, 'INVALID_TENANT');
  }
  t.is(s.fake.requests.length, 0);
});

test('with ADMIN_TOKEN set the Sheets endpoints need it; health stays open', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const none = {};
  for (const [path, body] of POST_CALLS) {
    const res = await s.app.inject({
      method: 'POST',
      url: `/api/v1/google-sheets${path}`,
      payload: body,
      headers: none,
    });
    t.is(res.statusCode, 401, path);
  }
  const meta = await s.app.inject({ url: `/api/v1/google-sheets/metadata/${SHEET_ID}` });
  t.is(meta.statusCode, 401);
  const withServiceToken = await s.app.inject({
    url: `/api/v1/google-sheets/metadata/${SHEET_ID}`,
    headers: { 'x-service-token': ADMIN_TOKEN },
  });
  t.is(withServiceToken.statusCode, 200);
  t.is((await s.app.inject({ url: '/api/v1/google-sheets/health' })).statusCode, 200);
});

test('no credentials configured: every Sheets endpoint answers 503 SHEETS_NOT_CONFIGURED, health says so', async (t) => {
  const s = await sheetsFixture({
    gateway: new UnconfiguredSheets('GOOGLE_SHEETS_CREDENTIALS_PATH is not set'),
  });
  t.teardown(() => s.close());
  for (const [path, body] of POST_CALLS) {
    const res = await s.post(path, body);
    t.is(res.statusCode, 503, path);
    t.is(errorOf(res).code, 'SHEETS_NOT_CONFIGURED');
    t.regex(errorOf(res).message, /GOOGLE_SHEETS_CREDENTIALS_PATH is not set/);
  }
  const meta = await s.app.inject({ url: `/api/v1/google-sheets/metadata/${SHEET_ID}`, headers: ADMIN });
  t.is(meta.statusCode, 503);
  const health = await s.app.inject({ url: '/api/v1/google-sheets/health' });
  t.is(health.statusCode, 200);
  t.like(health.json(), { service: 'google_sheets', status: 'not_configured', configured: false });
});

test('Redis down under the cache: Sheets reads and writes still answer, each read goes to Google', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const log = createLogger('silent');
  const cache = cacheOverUnreachableRedis(t, 'test-sheets-down');
  const app = buildApp({
    config: loadConfig({ env: { ADMIN_TOKEN } }),
    logger: log,
    version: '0.1.0',
    integrations: { cache, sheets: s.gateway },
  });
  t.teardown(() => app.close());
  const post = (path: string, payload: object) =>
    app.inject({ method: 'POST', url: `/api/v1/google-sheets${path}`, payload, headers: ADMIN });
  const read = { spreadsheet_id: SHEET_ID, range: 'Sheet1!A2' };
  for (let i = 0; i < 2; i++) {
    const res = await post('/read', read);
    t.is(res.statusCode, 200);
    t.like(res.json(), { values: [['Alice']], cached: false, cache_ttl_seconds: null });
  }
  t.is((await post('/write', { ...read, values: [['Alicia']] })).statusCode, 200);
  t.like((await post('/read', read)).json(), { values: [['Alicia']] });
  t.is(s.fake.requestsTo('/values/').length, 4);
});
