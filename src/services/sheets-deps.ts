/**
 * What the Sheets use cases share: the adapter, the tenant cache and where in
 * it Sheets reads live. The namespace and the key shape are built with every
 * other Redis key in src/redis/keys.ts (SHEETS_NAMESPACE, sheetsReadKey): a
 * write invalidates the scope `{spreadsheet_id}` of one tenant.
 */
import type { CacheService } from '../cache/cache-service.js';
import type { Logger } from '../lib/logger.js';
import { sheetsReadKey } from '../redis/keys.js';
import type { SheetsGateway, ValueRenderOption } from '../sheets/types.js';
import type { IntegrationEventSink } from './integration-ports.js';

export { SHEETS_NAMESPACE } from '../redis/keys.js';

export interface SheetsDeps {
  gateway: SheetsGateway;
  cache: CacheService;
  log: Logger;
  /** Where a write or append is announced (integration.sheets.data.updated); none in some tests. */
  events?: IntegrationEventSink;
}

/** The cache key of one read, typed for the use cases (sheetsReadKey takes any render option). */
export function readKey(spreadsheetId: string, renderOption: ValueRenderOption, range: string): string {
  return sheetsReadKey(spreadsheetId, renderOption, range);
}
