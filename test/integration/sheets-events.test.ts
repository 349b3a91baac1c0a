/**
 * A Sheets write or append that Google accepted is announced on
 * integration.sheets.data.updated (spreadsheet id, updated range, rows,
 * operation, tenant); a read or a refused write announces nothing. The
 * envelope on the bus is checked in domain terms by integration-event.ts.
 */
import test from 'ava';
import { integrationChannel, integrationEnvelope } from '../../src/domain/integration-event.js';
import type { IntegrationEvent } from '../../src/services/integration-ports.js';
import { SHEET_ID, sheetsFixture } from '../helpers/sheets.js';

test('write and append publish integration.sheets.data.updated; a read and a bad range do not', async (t) => {
  const events: IntegrationEvent[] = [];
  const f = await sheetsFixture({ events: (e) => events.push(e) });
  t.teardown(() => f.close());
  const tenant = { 'x-management-company-id': 'uk_company_1' };
  const write = await f.post(
    '/write',
    { spreadsheet_id: SHEET_ID, range: 'Sheet1!A2:B2', values: [['Carol', 3]] },
    tenant,
  );
  t.is(write.statusCode, 200, write.body);
  const append = await f.post('/append', {
    spreadsheet_id: SHEET_ID,
    range: 'Sheet1!A:C',
    values: [
      ['Dan', 4, true],
      ['Eve', 5, false],
    ],
  });
  t.is(append.statusCode, 200, append.body);
  t.is((await f.post('/read', { spreadsheet_id: SHEET_ID, range: 'Sheet1!A1:C3' })).statusCode, 200);
  t.is(
    (await f.post('/write', { spreadsheet_id: SHEET_ID, range: 'NoSuchSheet!A1', values: [['x']] }))
      .statusCode,
    400,
  );
  t.deepEqual(events, [
    {
      eventType: 'sheets.data.updated',
      tenantId: 'uk_company_1',
      data: { spreadsheet_id: SHEET_ID, range: 'Sheet1!A2:B2', rows: 1, columns: 2, operation: 'write' },
    },
    {
      eventType: 'sheets.data.updated',
      tenantId: undefined,
      data: { spreadsheet_id: SHEET_ID, range: 'Sheet1!A4:C5', rows: 2, columns: 3, operation: 'append' },
    },
  ]);
  t.is(integrationChannel('sheets.data.updated'), 'integration.sheets.data.updated');
  const envelope = JSON.parse(
    integrationEnvelope('sheets.data.updated', undefined, { rows: 1 }, new Date(0)),
  ) as unknown;
  t.deepEqual(envelope, {
    event_type: 'sheets.data.updated',
    source: 'integration_service',
    timestamp: '1970-01-01T00:00:00.000Z',
    tenant_id: null,
    data: { rows: 1 },
  });
});
