/**
 * The Sheets adapter's interface, in our terms rather than googleapis': what
 * services/ call, implemented by google-gateway.ts (the real API or an
 * emulator) and unconfigured-gateway.ts (no credentials).
 */
export type CellValue = string | number | boolean | null;
export type ValueRenderOption = 'FORMATTED_VALUE' | 'UNFORMATTED_VALUE' | 'FORMULA';
export type ValueInputOption = 'RAW' | 'USER_ENTERED';
export type InsertDataOption = 'OVERWRITE' | 'INSERT_ROWS';

/** Who a call is made for: audit rows, rate limits and logs use it. */
export interface CallContext {
  tenantId?: string;
  requestId?: string;
}

export interface ReadResult {
  range: string;
  values: CellValue[][];
}

export interface WriteResult {
  updatedRange: string;
  updatedRows: number;
  updatedColumns: number;
}

export interface SheetMetadata {
  id: number;
  title: string;
  index: number;
  row_count: number;
  col_count: number;
}

export interface SpreadsheetMetadata {
  id: string;
  title: string;
  url: string;
  sheet_count: number;
  sheets: SheetMetadata[];
}

export type SheetsStatus = 'healthy' | 'degraded' | 'unhealthy' | 'not_configured';

export interface SheetsHealthReport {
  service: 'google_sheets';
  status: SheetsStatus;
  configured: boolean;
  /** Why the adapter is not configured, or what failed last. */
  reason?: string;
  service_account_email?: string;
  api_root?: string;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_code: string | null;
  consecutive_failures: number;
  timestamp: string;
}

export interface ReadRequest {
  spreadsheetId: string;
  range: string;
  valueRenderOption: ValueRenderOption;
}

export interface UpdateRequest {
  spreadsheetId: string;
  range: string;
  values: CellValue[][];
  valueInputOption: ValueInputOption;
}

export interface AppendRequest extends UpdateRequest {
  insertDataOption: InsertDataOption;
}

export interface SheetsGateway {
  readonly configured: boolean;
  getValues(ctx: CallContext, input: ReadRequest): Promise<ReadResult>;
  updateValues(ctx: CallContext, input: UpdateRequest): Promise<WriteResult>;
  appendValues(ctx: CallContext, input: AppendRequest): Promise<WriteResult>;
  getMetadata(ctx: CallContext, spreadsheetId: string): Promise<SpreadsheetMetadata>;
  health(): SheetsHealthReport;
}
