/**
 * POST /api/v1/google-sheets/read: a range, from the cache when a read of the
 * same spreadsheet, range and render option is there, else from Google.
 *
 * A read takes the spreadsheet's fence before going to Google and stores what
 * it fetched only if no write invalidated the spreadsheet meanwhile (see
 * CacheService.readFence): a slow read racing a write can therefore not put
 * pre-write values back into the cache after the write answered.
 */
import type { CallContext, CellValue, ReadRequest } from '../sheets/types.js';
import { readKey, SHEETS_NAMESPACE, type SheetsDeps } from './sheets-deps.js';

export interface ReadAnswer {
  values: CellValue[][];
  range: string;
  cached: boolean;
  /** Seconds the answer stays cached from now; null when it is not cached. */
  cache_ttl_seconds: number | null;
}

interface CachedRead {
  range: string;
  values: CellValue[][];
  /** When it was fetched (ms since epoch), for the remaining TTL. */
  at: number;
  ttl: number;
}

export async function readSheet(deps: SheetsDeps, ctx: CallContext, input: ReadRequest): Promise<ReadAnswer> {
  const { cache, gateway } = deps;
  const key = readKey(input.spreadsheetId, input.valueRenderOption, input.range);
  const hit = await cache.get<CachedRead>(SHEETS_NAMESPACE, key, ctx.tenantId);
  if (hit !== undefined) {
    const left = Math.max(1, Math.ceil(hit.ttl - (Date.now() - hit.at) / 1000));
    return { values: hit.values, range: hit.range, cached: true, cache_ttl_seconds: left };
  }
  const fence = await cache.readFence(SHEETS_NAMESPACE, input.spreadsheetId, ctx.tenantId);
  const fresh = await gateway.getValues(ctx, input);
  const ttl = cache.defaultTtlSeconds;
  const entry: CachedRead = { range: fresh.range, values: fresh.values, at: Date.now(), ttl };
  const stored =
    fence !== undefined && (await cache.set(SHEETS_NAMESPACE, key, entry, ttl, ctx.tenantId, fence));
  return { values: fresh.values, range: fresh.range, cached: false, cache_ttl_seconds: stored ? ttl : null };
}
