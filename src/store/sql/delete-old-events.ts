/**
 * Retention: deleting old events a bounded batch at a time.
 *
 * Why batches: one DELETE of a month of events would hold row locks on all of
 * them and write all their WAL in one transaction, stalling autovacuum and any
 * retry that touches those rows until it commits. Each call here is its own
 * short transaction over at most `limit` rows (the caller loops), oldest first
 * on the received_at index (failed events on their own partial index), so a
 * batch starts where the last one stopped instead of rescanning the rows it
 * deleted. SKIP LOCKED leaves rows another session is
 * updating (a manual retry, a worker finishing) to a later run instead of
 * waiting for it; LIMIT counts only rows it could lock, so a batch shorter than
 * `limit` means nothing deletable is left.
 *
 * An event a worker holds a live lease on is never deleted, whatever status was
 * asked for: the worker is publishing it right now. Attempts go with their event
 * (ON DELETE CASCADE).
 */
import type pg from 'pg';

/** $1 statuses, $2 received before, $3 now: shared by the count and the delete so they agree. */
const OLD_EVENTS = `status = ANY($1::text[]) AND received_at < $2
     AND NOT (locked_until IS NOT NULL AND locked_until > $3)`;

/**
 * The batch's deletion also moves the event stream's horizon to the newest
 * stream position it deleted, so a stream client resuming from before it is
 * told that events it has not seen were purged (migration 0008).
 */
const DELETE_BATCH = `
WITH doomed AS (
  SELECT id FROM webhook_events
   WHERE ${OLD_EVENTS}
   ORDER BY received_at
   LIMIT $4
   FOR UPDATE SKIP LOCKED
), gone AS (
  DELETE FROM webhook_events AS e USING doomed WHERE e.id = doomed.id RETURNING e.published_xid
), horizon AS (
  INSERT INTO event_stream_horizon (purged_through)
  SELECT max(published_xid) FROM gone HAVING max(published_xid) IS NOT NULL
  ON CONFLICT (one) DO UPDATE
    SET purged_through = greatest(event_stream_horizon.purged_through, excluded.purged_through)
)
SELECT count(*)::int AS n FROM gone`;

export async function deleteOldEvents(
  db: pg.Pool,
  options: { statuses: readonly string[]; receivedBefore: Date; now: Date; limit: number },
): Promise<number> {
  const r = await db.query<{ n: number }>(DELETE_BATCH, [
    options.statuses,
    options.receivedBefore,
    options.now,
    options.limit,
  ]);
  return r.rows[0]?.n ?? 0;
}

/** How many events deleteOldEvents would remove, for the count shown before confirming. */
export async function countOldEvents(
  db: pg.Pool,
  options: { statuses: readonly string[]; receivedBefore: Date; now: Date },
): Promise<number> {
  const r = await db.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM webhook_events WHERE ${OLD_EVENTS}`,
    [options.statuses, options.receivedBefore, options.now],
  );
  return r.rows[0]?.count ?? 0;
}
