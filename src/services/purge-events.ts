/**
 * Retention (`integctl events purge`): deleting events received before a
 * cutoff, in batches.
 *
 * Policy: by default only `completed` events go: they were published, so the
 * stored copy is history. `failed` events are kept until named, because they are
 * what an operator may still want to retry. `pending`, `processing` and
 * `retrying` events are work the daemon has not delivered yet; they are deleted
 * only when named explicitly, the confirmation says how many will never be
 * delivered, and one a worker holds a live lease on is never deleted. Age is
 * counted from received_at, the time the webhook arrived, which does not move
 * when an event is retried.
 */
import type { EventStatus } from '../domain/event.js';
import type { EventQueries, PurgePlan } from './ports.js';

export type { PurgePlan };

export const DEFAULT_PURGE_STATUSES: readonly EventStatus[] = ['completed'];
export const DEFAULT_PURGE_BATCH = 5000;

/** Statuses whose events have not reached consumers: purging them loses deliveries. */
export function undelivered(statuses: readonly EventStatus[]): EventStatus[] {
  return statuses.filter((s) => s !== 'completed');
}

/** How many events the purge would delete right now, per status. */
export async function countPurgeable(
  queries: EventQueries,
  plan: PurgePlan,
): Promise<Map<EventStatus, number>> {
  const counts = new Map<EventStatus, number>();
  for (const status of plan.statuses)
    counts.set(status, await queries.countPurgeable({ ...plan, statuses: [status] }));
  return counts;
}

/** Deletes the planned events a batch per statement; returns how many went. */
export async function purgeEvents(
  queries: EventQueries,
  plan: PurgePlan,
  options: { batchSize: number; onProgress?: (deleted: number) => void },
): Promise<number> {
  let deleted = 0;
  for (;;) {
    const n = await queries.purge({ ...plan, limit: options.batchSize });
    deleted += n;
    options.onProgress?.(deleted);
    if (n < options.batchSize) return deleted;
  }
}
