/**
 * Retention of the durable cache level: integration_cache rows past their
 * expires_at are deleted, 5,000 per statement so no statement holds long
 * locks. integctl cache purge-expired and the daemon's daily run call this
 * one function; the daemon's run never throws (a failure is logged, the next
 * day tries again).
 */
import type { Logger } from '../lib/logger.js';
import type { DurableCacheStore } from './integration-ports.js';

export const PURGE_BATCH = 5000;

export async function countExpired(store: DurableCacheStore, now = new Date()): Promise<number> {
  return store.countExpired(now);
}

export async function purgeExpired(store: DurableCacheStore, now = new Date()): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await store.deleteExpired(now, PURGE_BATCH);
    total += deleted;
    if (deleted < PURGE_BATCH) return total;
  }
}

/** Runs the purge now and then every `everyMs` (a day); stop() ends it. */
export function startDailyPurge(
  store: DurableCacheStore,
  log: Logger,
  everyMs = 86_400_000,
  firstAfterMs = 60_000,
): { stop(): void } {
  const run = async () => {
    try {
      const deleted = await purgeExpired(store);
      if (deleted > 0) log.info({ deleted }, 'expired integration_cache rows purged');
    } catch (err) {
      log.warn({ reason: (err as Error).message }, 'integration_cache purge failed; retrying tomorrow');
    }
  };
  const first = setTimeout(() => void run(), firstAfterMs);
  const timer = setInterval(() => void run(), everyMs);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
