/**
 * POST /api/v1/google-sheets/batch, as the old service: a list of read, write
 * and append operations on one spreadsheet, run in order, each answered on its
 * own (one failing does not stop the rest). Reads go through the cache and
 * writes invalidate it exactly as the single endpoints do, so a read after a
 * write in the same batch sees the write.
 *
 * Errors that are not the operation's own (rate limit, Sheets not configured,
 * our bugs) fail the whole batch: answering "success: false" 100 times for one
 * cause would hide it.
 */
import { AppError, type ErrorCode } from '../domain/errors.js';
import type {
  CallContext,
  CellValue,
  InsertDataOption,
  ValueInputOption,
  ValueRenderOption,
} from '../sheets/types.js';
import type { SheetsDeps } from './sheets-deps.js';
import { readSheet } from './sheets-read.js';
import { appendSheet, writeSheet } from './sheets-write.js';

export interface BatchOperation {
  operation: 'read' | 'write' | 'append';
  range: string;
  values?: CellValue[][];
  value_render_option?: ValueRenderOption;
  value_input_option?: ValueInputOption;
  insert_data_option?: InsertDataOption;
}

export interface BatchResult {
  index: number;
  operation: string;
  range: string;
  success: boolean;
  data?: CellValue[][];
  cached?: boolean;
  error?: string;
  error_code?: string;
  updated_rows?: number;
  updated_columns?: number;
  appended_rows?: number;
  updated_range?: string;
}

export interface BatchAnswer {
  total_operations: number;
  successful: number;
  failed: number;
  results: BatchResult[];
}

/** Failures that belong to one operation; anything else aborts the batch. */
const PER_OPERATION: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SHEETS_BAD_RANGE', 'SHEETS_BAD_REQUEST']);

async function runOne(
  deps: SheetsDeps,
  ctx: CallContext,
  spreadsheetId: string,
  op: BatchOperation,
): Promise<Partial<BatchResult>> {
  const values = op.values ?? [];
  const valueInputOption = op.value_input_option ?? 'USER_ENTERED';
  switch (op.operation) {
    case 'read': {
      const r = await readSheet(deps, ctx, {
        spreadsheetId,
        range: op.range,
        valueRenderOption: op.value_render_option ?? 'FORMATTED_VALUE',
      });
      return { data: r.values, cached: r.cached };
    }
    case 'write': {
      const r = await writeSheet(deps, ctx, { spreadsheetId, range: op.range, values, valueInputOption });
      return {
        updated_range: r.updated_range,
        updated_rows: r.updated_rows,
        updated_columns: r.updated_columns,
      };
    }
    case 'append': {
      const r = await appendSheet(deps, ctx, {
        spreadsheetId,
        range: op.range,
        values,
        valueInputOption,
        insertDataOption: op.insert_data_option ?? 'INSERT_ROWS',
      });
      return { updated_range: r.updated_range, appended_rows: r.appended_rows };
    }
  }
}

export async function runBatch(
  deps: SheetsDeps,
  ctx: CallContext,
  input: { spreadsheetId: string; operations: BatchOperation[] },
): Promise<BatchAnswer> {
  const results: BatchResult[] = [];
  for (const [index, op] of input.operations.entries()) {
    const base = { index, operation: op.operation, range: op.range };
    try {
      results.push({ ...base, success: true, ...(await runOne(deps, ctx, input.spreadsheetId, op)) });
    } catch (err) {
      if (!(err instanceof AppError) || !PER_OPERATION.has(err.code)) throw err;
      results.push({ ...base, success: false, error: err.message, error_code: err.code });
    }
  }
  const successful = results.filter((r) => r.success).length;
  return { total_operations: results.length, successful, failed: results.length - successful, results };
}
