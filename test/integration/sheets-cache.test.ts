/**
 * Sheets reads, writes, appends, batch and metadata through the real
 * @googleapis/sheets client against the fake server, on both cache backends:
 * reads are cached per spreadsheet, range and render option; a write or append
 * invalidates the spreadsheet before answering; a read racing a write cannot
 * leave stale values behind.
 */
import test from 'ava';
import { backendVariants } from '../helpers/cache.js';
import { ADMIN, SHEET_ID, sheetsFixture } from '../helpers/sheets.js';

interface ReadAnswer {
  values: unknown[][];
  range: string;
  cached: boolean;
  cache_ttl_seconds: number | null;
}

for (const variant of backendVariants()) {
  const it = variant.skip === undefined ? test : test.skip;
  const name = (s: string) => `[${variant.name} cache] ${s}`;

  it(name('read answers values and range; the second read is served from the cache'), async (t) => {
    const s = await sheetsFixture({ variant });
    t.teardown(() => s.close());
    const body = { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1:C3' };
    const first = await s.post('/read', body, { 'x-management-company-id': 'uk_company_1' });
    t.is(first.statusCode, 200, first.body);
    t.deepEqual(first.json<ReadAnswer>(), {
      values: [
        ['name', 'flat', 'paid'],
        ['Alice', '12', 'TRUE'],
        ['Bob', '7', 'FALSE'],
      ],
      range: 'Sheet1!A1:C3',
      cached: false,
      cache_ttl_seconds: 300,
    });
    const second = await s.post('/read', body, { 'x-management-company-id': 'uk_company_1' });
    t.like(second.json<ReadAnswer>(), { cached: true, range: 'Sheet1!A1:C3' });
    t.true((second.json<ReadAnswer>().cache_ttl_seconds ?? 0) > 290);
    t.deepEqual(second.json<ReadAnswer>().values, first.json<ReadAnswer>().values);
    t.is(s.fake.requestsTo('/values/').length, 1, 'Google was asked once');
    t.true((await s.cache.service.stats('uk_company_1')).namespaces.google_sheets?.hits === 1);
  });

  it(name('the render option is part of the cache key'), async (t) => {
    const s = await sheetsFixture({ variant });
    t.teardown(() => s.close());
    const formatted = await s.post('/read', { spreadsheet_id: SHEET_ID, range: 'Sheet1!B2' });
    const raw = await s.post('/read', {
      spreadsheet_id: SHEET_ID,
      range: 'Sheet1!B2',
      value_render_option: 'UNFORMATTED_VALUE',
    });
    t.deepEqual(formatted.json<ReadAnswer>().values, [['12']]);
    t.deepEqual(raw.json<ReadAnswer>().values, [[12]]);
    t.false(raw.json<ReadAnswer>().cached);
  });

  it(name('a write after a read of the same range is never served stale'), async (t) => {
    const s = await sheetsFixture({ variant });
    t.teardown(() => s.close());
    const tenant = { 'x-management-company-id': 'uk_company_1' };
    const read = { spreadsheet_id: SHEET_ID, range: 'Sheet1!A2:B2' };
    t.deepEqual((await s.post('/read', read, tenant)).json<ReadAnswer>().values, [['Alice', '12']]);
    const write = await s.post(
      '/write',
      { spreadsheet_id: SHEET_ID, range: 'Sheet1!A2:B2', values: [['Alice', 14]] },
      tenant,
    );
    t.is(write.statusCode, 200, write.body);
    t.deepEqual(write.json(), { updated_range: 'Sheet1!A2:B2', updated_rows: 1, updated_columns: 2 });
    const after = (await s.post('/read', read, tenant)).json<ReadAnswer>();
    t.false(after.cached);
    t.deepEqual(after.values, [['Alice', '14']]);
  });

  it(name('an append invalidates every cached range of that spreadsheet, and only that one'), async (t) => {
    const s = await sheetsFixture({ variant });
    t.teardown(() => s.close());
    s.fake.addSpreadsheet('other_sheet_0001', 'Other', { Sheet1: [['x']] });
    const whole = { spreadsheet_id: SHEET_ID, range: 'Sheet1' };
    const other = { spreadsheet_id: 'other_sheet_0001', range: 'Sheet1!A1' };
    await s.post('/read', whole);
    await s.post('/read', other);
    const append = await s.post('/append', {
      spreadsheet_id: SHEET_ID,
      range: 'Sheet1!A:C',
      values: [['Carol', 3, true]],
    });
    t.is(append.statusCode, 200, append.body);
    t.deepEqual(append.json(), { updated_range: 'Sheet1!A4:C4', appended_rows: 1 });
    const after = (await s.post('/read', whole)).json<ReadAnswer>();
    t.false(after.cached);
    t.deepEqual(after.values.at(-1), ['Carol', '3', 'TRUE']);
    t.true((await s.post('/read', other)).json<ReadAnswer>().cached, 'other spreadsheets stay cached');
  });

  it(name('a read racing a write cannot put pre-write values back into the cache'), async (t) => {
    const s = await sheetsFixture({ variant });
    t.teardown(() => s.close());
    const read = { spreadsheet_id: SHEET_ID, range: 'Sheet1!A3:B3' };
    // The read reaches Google and is answered with the old row, but the answer
    // is held back until the write below has completed and invalidated.
    const held = s.fake.holdNext((r) => r.method === 'GET' && r.path.includes('/values/'));
    const slowRead = s.post('/read', read);
    await held.arrived;
    const write = await s.post('/write', {
      spreadsheet_id: SHEET_ID,
      range: 'Sheet1!A3:B3',
      values: [['Bob', 8]],
    });
    t.is(write.statusCode, 200);
    held.release();
    t.deepEqual(
      (await slowRead).json<ReadAnswer>().values,
      [['Bob', '7']],
      'the racing read saw the old row',
    );
    const next = (await s.post('/read', read)).json<ReadAnswer>();
    t.false(next.cached, 'the old row was not cached');
    t.deepEqual(next.values, [['Bob', '8']]);
  });

  it(name('batch runs reads, writes and appends in order; a read after a write sees it'), async (t) => {
    const s = await sheetsFixture({ variant });
    t.teardown(() => s.close());
    await s.post('/read', { spreadsheet_id: SHEET_ID, range: 'Sheet1!B2' });
    const res = await s.post('/batch', {
      spreadsheet_id: SHEET_ID,
      operations: [
        { operation: 'read', range: 'Sheet1!B2' },
        { operation: 'write', range: 'Sheet1!B2', values: [[99]] },
        { operation: 'read', range: 'Sheet1!B2' },
        { operation: 'append', range: "'Meter readings'!A:B", values: [['m-1', 42]] },
        { operation: 'read', range: 'Nope!A1' },
      ],
    });
    t.is(res.statusCode, 200, res.body);
    const body = res.json<{
      total_operations: number;
      successful: number;
      failed: number;
      results: Array<Record<string, unknown>>;
    }>();
    t.like(body, { total_operations: 5, successful: 4, failed: 1 });
    t.like(body.results[0], { index: 0, operation: 'read', success: true, data: [['12']], cached: true });
    t.like(body.results[1], {
      index: 1,
      operation: 'write',
      success: true,
      updated_rows: 1,
      updated_columns: 1,
    });
    t.like(body.results[2], { index: 2, success: true, data: [['99']], cached: false });
    t.like(body.results[3], { index: 3, operation: 'append', success: true, appended_rows: 1 });
    t.like(body.results[4], { index: 4, success: false, error_code: 'SHEETS_BAD_RANGE' });
    t.regex(String(body.results[4]?.error), /Unable to parse range: Nope!A1/);
  });
}

test('metadata answers the old service shape', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const res = await s.app.inject({ url: `/api/v1/google-sheets/metadata/${SHEET_ID}`, headers: ADMIN });
  t.is(res.statusCode, 200, res.body);
  t.deepEqual(res.json(), {
    id: SHEET_ID,
    title: 'Residents',
    url: `${s.fake.url}/spreadsheets/d/${SHEET_ID}/edit`,
    sheet_count: 2,
    sheets: [
      { id: 0, title: 'Sheet1', index: 0, row_count: 1000, col_count: 26 },
      { id: 1000, title: 'Meter readings', index: 1, row_count: 1000, col_count: 26 },
    ],
  });
});

test('cache entries are per tenant: the same range read by two tenants is fetched twice', async (t) => {
  const s = await sheetsFixture();
  t.teardown(() => s.close());
  const body = { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1' };
  await s.post('/read', body, { 'x-management-company-id': 't1' });
  const t2 = await s.post('/read', body, { 'x-management-company-id': 't2' });
  t.false(t2.json<ReadAnswer>().cached);
  t.is(s.fake.requestsTo('/values/').length, 2);
});
