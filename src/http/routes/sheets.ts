/**
 * The Google Sheets API under /api/v1/google-sheets, with the old service's
 * request and response fields. Admin endpoints when ADMIN_TOKEN is set, except
 * /health, which reports the adapter (never calling Google) and is open.
 * The tenant is X-Management-Company-ID (alias X-Tenant-ID); it scopes the
 * cache and the outbound budget, and is validated before anything else runs.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { CacheService } from '../../cache/cache-service.js';
import { resolveTenant } from '../../redis/keys.js';
import type { Logger } from '../../lib/logger.js';
import { runBatch, type BatchOperation } from '../../services/sheets-batch.js';
import type { IntegrationEventSink } from '../../services/integration-ports.js';
import type { SheetsDeps } from '../../services/sheets-deps.js';
import { readSheet } from '../../services/sheets-read.js';
import { appendSheet, writeSheet } from '../../services/sheets-write.js';
import type {
  CallContext,
  CellValue,
  InsertDataOption,
  SheetsGateway,
  ValueInputOption,
  ValueRenderOption,
} from '../../sheets/types.js';
import { requireAdmin } from '../plugins/admin-auth.js';
import { tenantOf } from '../plugins/request-context.js';
import { strictValidatorCompiler } from '../plugins/strict-validation.js';
import { appendBody, batchBody, metadataParams, readBody, writeBody } from './sheets-schemas.js';

export interface SheetsRouteOptions {
  gateway: SheetsGateway;
  cache: CacheService;
  log: Logger;
  events?: IntegrationEventSink;
  adminToken: string | undefined;
}

interface ReadBody {
  spreadsheet_id: string;
  range: string;
  value_render_option?: ValueRenderOption;
}
interface WriteBody {
  spreadsheet_id: string;
  range: string;
  values: CellValue[][];
  value_input_option?: ValueInputOption;
  insert_data_option?: InsertDataOption;
}

function contextOf(request: FastifyRequest): CallContext {
  const header = tenantOf(request);
  // Validated here, before Google is called: a write must not happen and then
  // fail on an unusable tenant when its cache entries are invalidated.
  if (header !== undefined) resolveTenant(header);
  return { tenantId: header, requestId: request.id };
}

export async function sheetsRoutes(app: FastifyInstance, opts: SheetsRouteOptions): Promise<void> {
  app.setValidatorCompiler(strictValidatorCompiler);
  const deps: SheetsDeps = { gateway: opts.gateway, cache: opts.cache, log: opts.log, events: opts.events };
  const admin = { preHandler: requireAdmin(opts.adminToken) };

  app.get('/health', async () => opts.gateway.health());

  app.post<{ Body: ReadBody }>('/read', { ...admin, schema: { body: readBody } }, async (request) =>
    readSheet(deps, contextOf(request), {
      spreadsheetId: request.body.spreadsheet_id,
      range: request.body.range,
      valueRenderOption: request.body.value_render_option ?? 'FORMATTED_VALUE',
    }),
  );

  app.post<{ Body: WriteBody }>('/write', { ...admin, schema: { body: writeBody } }, async (request) =>
    writeSheet(deps, contextOf(request), {
      spreadsheetId: request.body.spreadsheet_id,
      range: request.body.range,
      values: request.body.values,
      valueInputOption: request.body.value_input_option ?? 'USER_ENTERED',
    }),
  );

  app.post<{ Body: WriteBody }>('/append', { ...admin, schema: { body: appendBody } }, async (request) =>
    appendSheet(deps, contextOf(request), {
      spreadsheetId: request.body.spreadsheet_id,
      range: request.body.range,
      values: request.body.values,
      valueInputOption: request.body.value_input_option ?? 'USER_ENTERED',
      insertDataOption: request.body.insert_data_option ?? 'INSERT_ROWS',
    }),
  );

  app.post<{ Body: { spreadsheet_id: string; operations: BatchOperation[] } }>(
    '/batch',
    { ...admin, schema: { body: batchBody } },
    async (request) =>
      runBatch(deps, contextOf(request), {
        spreadsheetId: request.body.spreadsheet_id,
        operations: request.body.operations,
      }),
  );

  app.get<{ Params: { spreadsheet_id: string } }>(
    '/metadata/:spreadsheet_id',
    { ...admin, schema: { params: metadataParams } },
    async (request) => opts.gateway.getMetadata(contextOf(request), request.params.spreadsheet_id),
  );
}
