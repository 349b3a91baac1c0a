/**
 * An operator's retry: `POST /api/v1/webhooks/events/{id}/retry` and
 * `integctl events retry`, by id or in bulk by filter. Every path ends in
 * EventQueries.scheduleNow(): it makes events due now, and the daemon's retry
 * loop (claim-due-events.ts) publishes them on its next round. Nothing here
 * publishes by itself, so a manual retry gets the same leases, attempt
 * records and backoff as any other.
 */
import { isEventId } from './event-details.js';
import type { EventCursor, EventFilter, EventQueries } from './ports.js';

/** Ids per scheduleNow() statement in a bulk retry: row locks stay short while workers claim. */
export const DEFAULT_RETRY_BATCH = 1000;

/** What happened to each id an operator named. */
export interface RetryByIdResult {
  /** Made due now (or, in a dry run, would be). */
  scheduled: string[];
  /** No stored event has this id (or, for a caller that names a tenant, none of that tenant's). */
  unknown: string[];
  /** A worker holds a live lease on it right now; retrying it would race that worker. */
  busy: string[];
}

/** Ids that are not UUIDs: the caller refuses them as a usage error before changing anything. */
export function malformedIds(ids: readonly string[]): string[] {
  return ids.filter((id) => !isEventId(id));
}

/**
 * Schedules the named events. A caller that names a tenant sees only that
 * tenant's events: another tenant's is "unknown", so ids cannot be probed
 * across tenants.
 */
export async function retryEventsById(
  queries: EventQueries,
  ids: readonly string[],
  options: { now: Date; dryRun: boolean; tenant?: string },
): Promise<RetryByIdResult> {
  const wanted = [...new Set(ids.map((id) => id.toLowerCase()))];
  const found = await queries.lookup(wanted, options.now);
  const known = (id: string) => {
    const event = found.get(id);
    return event !== undefined && (options.tenant === undefined || event.tenantId === options.tenant);
  };
  const existing = wanted.filter(known);
  const unknown = wanted.filter((id) => !known(id));
  if (options.dryRun) {
    return {
      scheduled: existing.filter((id) => found.get(id)?.busy === false),
      unknown,
      busy: existing.filter((id) => found.get(id)?.busy === true),
    };
  }
  const scheduled = new Set(await queries.scheduleNow(existing, options.now));
  return {
    scheduled: existing.filter((id) => scheduled.has(id)),
    unknown,
    // scheduleNow's answer is authoritative: a lease taken since the lookup counts too.
    busy: existing.filter((id) => !scheduled.has(id)),
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
  queries: EventQueries,
  filter: EventFilter,
  options: { now: Date; batchSize: number; onProgress?: (done: number) => void },
): Promise<BulkRetryResult> {
  const result: BulkRetryResult = { matched: 0, scheduled: 0, busy: 0 };
  let after: EventCursor | undefined;
  for (;;) {
    const page = await queries.matchingIds(filter, options.batchSize, after);
    if (page.ids.length === 0) break;
    const scheduled = await queries.scheduleNow(page.ids, options.now);
    result.matched += page.ids.length;
    result.scheduled += scheduled.length;
    result.busy += page.ids.length - scheduled.length;
    options.onProgress?.(result.matched);
    if (page.ids.length < options.batchSize) break;
    after = page.last;
  }
  return result;
}
