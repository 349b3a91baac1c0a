/**
 * What the Sheets use cases share: the adapter, the tenant cache and where in
 * it Sheets reads live. Keys are `{spreadsheet_id}:{value_render_option}:{range}`
 * in namespace google_sheets, so one spreadsheet of one tenant is the scope
 * `{spreadsheet_id}` that a write invalidates (spreadsheet ids hold no ':').
 */
import type { CacheService } from '../cache/cache-service.js';
import type { Logger } from '../lib/logger.js';
import type { SheetsGateway, ValueRenderOption } from '../sheets/types.js';

export const SHEETS_NAMESPACE = 'google_sheets';

export interface SheetsDeps {
  gateway: SheetsGateway;
  cache: CacheService;
  log: Logger;
}

export function readKey(spreadsheetId: string, renderOption: ValueRenderOption, range: string): string {
  return `${spreadsheetId}:${renderOption}:${range}`;
}
