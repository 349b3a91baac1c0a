/**
 * POST /api/v1/google-sheets/write and /append: change a sheet, then invalidate
 * every cached read of that spreadsheet for the tenant before answering, so a
 * read after the answer goes to Google.
 *
 * The invalidation runs whatever Google answered: a failed or timed-out write
 * may still have changed the sheet. If the cache store cannot invalidate
 * (Redis down), the write still succeeded at Google and is reported as such;
 * the failure is logged, and reads are misses while Redis is down anyway.
 * The residue is a Redis that drops only the invalidation and keeps old
 * entries: those live until their TTL (CACHE_DEFAULT_TTL) at most.
 *
 * A change Google accepted is announced on integration.sheets.data.updated
 * (spreadsheet id, updated range, rows, operation).
 */
import { AppError } from '../domain/errors.js';
import type { AppendRequest, CallContext, UpdateRequest, WriteResult } from '../sheets/types.js';
import { SHEETS_NAMESPACE, type SheetsDeps } from './sheets-deps.js';

export interface WriteAnswer {
  updated_range: string;
  updated_rows: number;
  updated_columns: number;
}

export interface AppendAnswer {
  updated_range: string;
  appended_rows: number;
}

async function invalidateSpreadsheet(
  deps: SheetsDeps,
  ctx: CallContext,
  spreadsheetId: string,
): Promise<void> {
  try {
    await deps.cache.invalidateScope(SHEETS_NAMESPACE, spreadsheetId, ctx.tenantId);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'CACHE_UNAVAILABLE') throw err;
    deps.log.error(
      {
        spreadsheetId,
        tenant: ctx.tenantId,
        requestId: ctx.requestId,
        reason: (err.cause as Error | undefined)?.message,
      },
      'Sheets write done but its cached reads could not be invalidated; they expire within CACHE_DEFAULT_TTL',
    );
  }
}

async function thenInvalidate<T>(
  deps: SheetsDeps,
  ctx: CallContext,
  spreadsheetId: string,
  change: () => Promise<T>,
): Promise<T> {
  try {
    return await change();
  } finally {
    await invalidateSpreadsheet(deps, ctx, spreadsheetId);
  }
}

/** integration.sheets.data.updated, once Google accepted the change. */
function announce(
  deps: SheetsDeps,
  ctx: CallContext,
  spreadsheetId: string,
  operation: 'write' | 'append',
  r: WriteResult,
): void {
  deps.events?.({
    eventType: 'sheets.data.updated',
    tenantId: ctx.tenantId,
    data: {
      spreadsheet_id: spreadsheetId,
      range: r.updatedRange,
      rows: r.updatedRows,
      columns: r.updatedColumns,
      operation,
    },
  });
}

export async function writeSheet(
  deps: SheetsDeps,
  ctx: CallContext,
  input: UpdateRequest,
): Promise<WriteAnswer> {
  const r: WriteResult = await thenInvalidate(deps, ctx, input.spreadsheetId, () =>
    deps.gateway.updateValues(ctx, input),
  );
  announce(deps, ctx, input.spreadsheetId, 'write', r);
  return { updated_range: r.updatedRange, updated_rows: r.updatedRows, updated_columns: r.updatedColumns };
}

export async function appendSheet(
  deps: SheetsDeps,
  ctx: CallContext,
  input: AppendRequest,
): Promise<AppendAnswer> {
  const r: WriteResult = await thenInvalidate(deps, ctx, input.spreadsheetId, () =>
    deps.gateway.appendValues(ctx, input),
  );
  announce(deps, ctx, input.spreadsheetId, 'append', r);
  return { updated_range: r.updatedRange, appended_rows: r.updatedRows };
}
