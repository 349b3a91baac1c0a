/**
 * Manual retry (`integctl events retry`), by id or in bulk by filter.
 *
 * Both go through scheduleNow(), the same function as the HTTP retry endpoint:
 * it makes events due now and the daemon's retry loop publishes them on its next
 * tick. Nothing here publishes by itself, so a manual retry gets the same
 * leases, attempt records and backoff as any other.
 */
import type pg from 'pg';
import { scheduleNow } from '../store/sql/claim-due-events.js';
import { isEventId } from './event-details.js';
import { matchingEventIds, type EventCursor, type EventFilter } from './list-events.js';

/** Ids per scheduleNow() statement in a bulk retry: row locks stay short while workers claim. */
export const DEFAULT_RETRY_BATCH = 1000;

/** What happened to each id an operator named. */
export interface RetryByIdResult {
  /** Made due now (or, in a dry run, would be). */
  scheduled: string[];
  /** No stored event has this id. */
  unknown: string[];
  /** A worker holds a live lease on it right now; retrying it would race that worker. */
  busy: string[];
}

/** Ids that are not UUIDs: the caller refuses them as a usage error before changing anything. */
export function malformedIds(ids: readonly string[]): string[] {
  return ids.filter((id) => !isEventId(id));
}

export async function retryEventsById(
  db: pg.Pool,
  ids: readonly string[],
  options: { now: Date; dryRun: boolean },
): Promise<RetryByIdResult> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found = await db.query<{ id: string; busy: boolean }>(
    // `busy` is scheduleNow's own exclusion, so a dry run predicts what the real run does.
    `SELECT id, (status IN ('pending', 'processing') AND locked_until IS NOT NULL AND locked_until > $2) AS busy
       FROM webhook_events WHERE id = ANY($1::uuid[])`,
    [wanted, options.now],
  );
  const known = new Map(found.rows.map((row) => [row.id, row.busy]));
  const unknown = wanted.filter((id) => !known.has(id));
  if (options.dryRun) {
    const existing = wanted.filter((id) => known.has(id));
    return {
      scheduled: existing.filter((id) => known.get(id) === false),
      unknown,
      busy: existing.filter((id) => known.get(id) === true),
    };
  }
  const scheduled = new Set(
    await scheduleNow(
      db,
      wanted.filter((id) => known.has(id)),
      options.now,
    ),
  );
  return {
    scheduled: wanted.filter((id) => scheduled.has(id)),
    unknown,
    // scheduleNow's answer is authoritative: a lease taken since the lookup counts too.
    busy: wanted.filter((id) => known.has(id) && !scheduled.has(id)),
  };
}

export interface BulkRetryResult {
  matched: number;
  scheduled: number;
  /** Matched but held by a worker's live lease when their batch was scheduled. */
  busy: number;
}

/**
 * Schedules every event matching the filter, `batchSize` ids per statement so
 * no single UPDATE holds row locks on a large set while workers are claiming.
 *
 * Pages walk a keyset cursor (received_at, id), newest first, so an event
 * whose status changes behind the cursor (for instance a retried event that
 * fails again at once) is not picked up a second time, and the walk ends.
 */
export async function retryMatching(
  db: pg.Pool,
  filter: EventFilter,
  options: { now: Date; batchSize: number; onProgress?: (done: number) => void },
): Promise<BulkRetryResult> {
  const result: BulkRetryResult = { matched: 0, scheduled: 0, busy: 0 };
  let after: EventCursor | undefined;
  for (;;) {
    const page = await matchingEventIds(db, filter, options.batchSize, after);
    if (page.ids.length === 0) break;
    const scheduled = await scheduleNow(db, page.ids, options.now);
    result.matched += page.ids.length;
    result.scheduled += scheduled.length;
    result.busy += page.ids.length - scheduled.length;
    options.onProgress?.(result.matched);
    if (page.ids.length < options.batchSize) break;
    after = page.last;
  }
  return result;
}
