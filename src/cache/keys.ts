/**
 * Moved to src/redis/keys.ts, the one module that builds Redis keys. These
 * re-exports keep the callers outside the Redis adapters (src/cli/commands/cache.ts,
 * src/http/routes/sheets.ts, bench/cache.ts) working until they import it there;
 * then this file goes.
 */
export {
  assertNamespace,
  escapeGlob,
  GLOBAL_TENANT,
  KeySpace,
  MAX_KEY_LENGTH,
  resolveTenant,
} from '../redis/keys.js';
