/**
 * Claiming work for the retry loop, in one statement.
 *
 * Due work is: retrying events whose next_retry_at has come, and pending or
 * processing events whose lease expired (their worker died or stalled) or that
 * never had one (ingested by an api-only daemon). The CTE picks a batch with
 * FOR UPDATE SKIP LOCKED, so any number of workers claim disjoint batches
 * without waiting on each other, and the UPDATE sets the lease in the same
 * statement, so a claimed event is never visible as due to another worker.
 * Both WHERE branches match a partial index (webhook_events_due_retry_idx,
 * webhook_events_lease_idx) that holds only unfinished rows.
 *
 * The payload is not read as jsonb text: the envelope carries the text ingest
 * published (publishedPayloadText of the raw body), so a retried event reaches
 * consumers with the same bytes as the first attempt.
 *
 * `now` is a parameter, not now(), so tests drive time with an injected clock.
 * Not a named statement, for the reason given in finish-events.ts: a generic
 * plan made on a small table would keep scanning it when it grew.
 */
import type pg from 'pg';

const CLAIM = `
WITH due AS (
  SELECT id FROM webhook_events
   WHERE (status = 'retrying' AND next_retry_at <= $1)
      OR (status IN ('pending', 'processing') AND (locked_until IS NULL OR locked_until < $1))
   LIMIT $2
   FOR UPDATE SKIP LOCKED
)
UPDATE webhook_events AS e
   SET status = 'processing', locked_until = $1::timestamptz + $3::interval, locked_by = $4, updated_at = now()
  FROM due
 WHERE e.id = due.id
RETURNING e.id, e.source, e.event_id, e.event_type, e.tenant_id, e.content_type,
          e.payload IS NOT NULL AS has_payload, e.raw_body, e.retry_count, e.max_retries,
          e.published_at IS NOT NULL AS replay`;

export interface ClaimedEvent {
  id: string;
  source: string;
  event_id: string | null;
  event_type: string;
  tenant_id: string | null;
  content_type: string | null;
  /** The stored payload's text is derived from raw_body (domain/webhook-body.ts publishedPayloadText). */
  has_payload: boolean;
  raw_body: Buffer;
  retry_count: number;
  max_retries: number;
  /** Already published once: an operator's retry of a completed event. */
  replay: boolean;
}

export async function claimDueEvents(
  db: pg.Pool,
  options: { now: Date; limit: number; leaseSeconds: number; worker: string },
): Promise<ClaimedEvent[]> {
  const r = await db.query<ClaimedEvent>({
    text: CLAIM,
    values: [options.now, options.limit, `${options.leaseSeconds} seconds`, options.worker],
  });
  return r.rows;
}

/** Hands back this worker's leases (graceful shutdown): its events are due again at once. */
export async function releaseLeases(db: pg.Pool, worker: string): Promise<number> {
  const r = await db.query(
    `UPDATE webhook_events SET locked_until = NULL, locked_by = NULL, status = 'pending', updated_at = now()
      WHERE locked_by = $1 AND status IN ('pending', 'processing')`,
    [worker],
  );
  return r.rowCount ?? 0;
}

/**
 * "A worker holds this event now": pending or processing under a lease that
 * ends after `at`. Neither a manual retry nor a purge may take such an event
 * from its worker; lookupEvents() reports it as busy with the same words.
 */
export function liveLease(at: string): string {
  return `(status IN ('pending', 'processing') AND locked_until IS NOT NULL AND locked_until > ${at})`;
}

/**
 * Makes events due now (manual retry). An event another worker holds a live
 * lease on is left alone; completed and failed events are published again.
 * Returns the ids that were scheduled.
 */
export async function scheduleNow(db: pg.Pool, ids: readonly string[], now: Date): Promise<string[]> {
  if (ids.length === 0) return [];
  const r = await db.query<{ id: string }>(
    `UPDATE webhook_events
        SET status = 'retrying', next_retry_at = $2, locked_until = NULL, locked_by = NULL, updated_at = now()
      WHERE id = ANY($1::uuid[])
        AND NOT ${liveLease('$2')}
      RETURNING id`,
    [ids, now],
  );
  return r.rows.map((row) => row.id);
}
