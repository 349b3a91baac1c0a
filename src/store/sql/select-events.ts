/**
 * Finding stored events by what an operator knows about them: status, source,
 * tenant, type and a received_at window. One filter, turned into SQL in one
 * place, serves `integctl events list`, the count shown before a bulk retry and
 * the batches that retry then schedules, so "what list shows" and "what retry
 * touches" cannot drift apart.
 *
 * Hand-written SQL over the pg pool rather than Sequelize: the bulk retry pages
 * with a row-value keyset ((received_at, id) < (…)) that Sequelize cannot
 * express without a raw literal anyway. Order is newest first, (received_at
 * DESC, id DESC): the received_at index returns rows in that order, so a
 * limited listing of all events, or of completed ones, reads only the rows it
 * shows instead of sorting the table; failed events have a partial index in
 * that order (migration 0007), and pending, processing and retrying events are
 * read through their partial indexes (0004) and sorted, which is cheap while
 * they are few.
 */
import type pg from 'pg';
import type { EventCursor, EventFilter, EventPage, EventSummary } from '../../services/ports.js';
import { liveLease } from './claim-due-events.js';

/**
 * The WHERE clause for a filter (and optional keyset cursor), with its values
 * appended to `values` so callers can add their own parameters after it.
 */
function whereClause(filter: EventFilter, values: unknown[], after?: EventCursor): string {
  const terms: string[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };
  if (filter.statuses !== undefined && filter.statuses.length > 0)
    terms.push(`status = ANY(${param(filter.statuses)}::text[])`);
  if (filter.source !== undefined) terms.push(`source = ${param(filter.source)}`);
  if (filter.tenant !== undefined) terms.push(`tenant_id = ${param(filter.tenant)}`);
  if (filter.type !== undefined) terms.push(`event_type = ${param(filter.type)}`);
  if (filter.since !== undefined) terms.push(`received_at >= ${param(filter.since)}`);
  if (filter.until !== undefined) terms.push(`received_at < ${param(filter.until)}`);
  if (after !== undefined)
    terms.push(`(received_at, id) < (${param(after.receivedAt)}::timestamptz, ${param(after.id)}::uuid)`);
  return terms.length === 0 ? '' : `WHERE ${terms.join(' AND ')}`;
}

/** As read: the summary's fields with the times still Dates. */
type SummaryRow = Omit<EventSummary, 'next_retry_at' | 'received_at' | 'updated_at'> & {
  next_retry_at: Date | null;
  received_at: Date;
  updated_at: Date;
};

/**
 * The newest `limit` events matching the filter. One extra row is read to tell
 * whether more match, which costs nothing, where a count(*) over a large table
 * would cost a scan.
 */
export async function listEvents(db: pg.Pool, filter: EventFilter, limit: number): Promise<EventPage> {
  const values: unknown[] = [];
  const where = whereClause(filter, values);
  values.push(limit + 1);
  // The attempts subquery runs once per returned row on webhook_event_attempts_event_idx.
  const r = await db.query<SummaryRow>(
    `SELECT e.id, e.source, e.event_id, e.event_type, e.tenant_id, e.status,
            (SELECT count(*)::int FROM webhook_event_attempts a WHERE a.event_id = e.id) AS attempts,
            e.retry_count, e.max_retries, e.next_retry_at, e.last_error, e.received_at, e.updated_at
       FROM webhook_events e
       ${where}
      ORDER BY e.received_at DESC, e.id DESC
      LIMIT $${values.length}`,
    values,
  );
  const rows = r.rows.slice(0, limit);
  return {
    more: r.rows.length > limit,
    events: rows.map((row) => ({
      ...row,
      next_retry_at: row.next_retry_at?.toISOString() ?? null,
      received_at: row.received_at.toISOString(),
      updated_at: row.updated_at.toISOString(),
    })),
  };
}

/** How many events match: the number a bulk command shows before asking. */
export async function countEvents(db: pg.Pool, filter: EventFilter): Promise<number> {
  const values: unknown[] = [];
  const r = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM webhook_events ${whereClause(filter, values)}`,
    values,
  );
  return r.rows[0]?.count ?? 0;
}

/** The ids of the next `limit` matching events after `after`, newest first, for batch work. */
export async function matchingEventIds(
  db: pg.Pool,
  filter: EventFilter,
  limit: number,
  after?: EventCursor,
): Promise<{ ids: string[]; last: EventCursor | undefined }> {
  const values: unknown[] = [];
  const where = whereClause(filter, values, after);
  values.push(limit);
  // The cursor column has its own alias: named received_at, the text would be what ORDER BY sorts.
  const r = await db.query<{ id: string; cursor_at: string }>(
    `SELECT id, received_at::text AS cursor_at FROM webhook_events ${where}
      ORDER BY received_at DESC, id DESC LIMIT $${values.length}`,
    values,
  );
  const tail = r.rows[r.rows.length - 1];
  return {
    ids: r.rows.map((row) => row.id),
    last: tail === undefined ? undefined : { receivedAt: tail.cursor_at, id: tail.id },
  };
}

/**
 * The named events that exist, with their tenant and whether a live lease
 * holds them. `busy` is scheduleNow()'s own exclusion (claim-due-events.ts),
 * so a dry run predicts what the real retry does.
 */
export async function lookupEvents(
  db: pg.Pool,
  ids: readonly string[],
  now: Date,
): Promise<Map<string, { tenantId: string | null; busy: boolean }>> {
  const r = await db.query<{ id: string; tenant_id: string | null; busy: boolean }>(
    `SELECT id, tenant_id,
            ${liveLease('$2')} AS busy
       FROM webhook_events WHERE id = ANY($1::uuid[])`,
    [ids, now],
  );
  return new Map(r.rows.map((row) => [row.id, { tenantId: row.tenant_id, busy: row.busy }]));
}

/**
 * Unfinished events by status, for GET /api/v1/webhooks/health. Each arm of
 * the OR is a partial index's predicate (migrations 0004 and 0007), so this
 * counts them without reading the completed ones.
 */
export async function countUnfinished(db: pg.Pool): Promise<Record<string, number>> {
  const r = await db.query<{ status: string; count: number }>(
    `SELECT status, count(*)::int AS count FROM webhook_events
      WHERE status IN ('pending', 'processing') OR status = 'retrying' OR status = 'failed'
      GROUP BY status`,
  );
  const counts: Record<string, number> = { pending: 0, processing: 0, retrying: 0, failed: 0 };
  for (const row of r.rows) counts[row.status] = row.count;
  return counts;
}
