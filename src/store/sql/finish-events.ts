/**
 * Recording the outcome of processing attempts, a batch per statement.
 *
 * Every attempt gets a webhook_event_attempts row (time, duration, outcome,
 * error) in the same statement that moves the event on, through a
 * data-modifying CTE: one round trip per batch, and an attempt is recorded if
 * and only if its outcome is. The `locked_by = $worker` guard makes a worker
 * whose lease was taken over (it stalled past locked_until) record nothing.
 *
 * These statements are named (prepared once per connection) and meant for a
 * keyed pool (database.ts createKeyedPool), whose sessions never plan a
 * sequential scan. Both halves matter: planning every batch cost ~8 µs of
 * Postgres CPU per webhook, and a generic plan made on an ordinary connection
 * while the table was small (a fresh install, right after a purge) scanned the
 * whole table for `id = ANY($1)` as it grew (Postgres CPU per webhook ~165 µs
 * instead of ~98 µs in bench:ingest).
 *
 * A completion stamps the event's place in the event stream (published_xid,
 * migration 0008) and sets published_at to the attempt's start, the timestamp
 * of the envelope it published, so the stream can send consumers the very
 * envelope Redis got.
 */
import type pg from 'pg';
import type { FailedOutcome } from '../../services/ports.js';

const COMPLETE = `
WITH done AS (
  UPDATE webhook_events
     SET status = 'completed', published_at = $3, published_xid = pg_current_xact_id(),
         locked_until = NULL, locked_by = NULL,
         next_retry_at = NULL, last_error = NULL, updated_at = now()
   WHERE id = ANY($1::uuid[]) AND locked_by = $2
  RETURNING id, retry_count
)
INSERT INTO webhook_event_attempts (event_id, attempt, started_at, duration_ms, outcome, worker)
SELECT id, retry_count + 1, $3, $4, 'completed', $2 FROM done`;

const FAIL = `
WITH done AS (
  UPDATE webhook_events AS e
     SET status = u.status, retry_count = u.retry_count, next_retry_at = u.next_retry_at,
         last_error = u.error, locked_until = NULL, locked_by = NULL, updated_at = now()
    FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[])
         AS u(id, status, retry_count, next_retry_at, error)
   WHERE e.id = u.id AND e.locked_by = $6
  RETURNING e.id, u.status, u.error, e.retry_count
)
INSERT INTO webhook_event_attempts (event_id, attempt, started_at, duration_ms, outcome, error, worker)
SELECT id, CASE WHEN status = 'retrying' THEN retry_count ELSE retry_count + 1 END, $7, $8, status, error, $6
FROM done`;

export async function completeEvents(
  db: pg.Pool | pg.PoolClient,
  ids: readonly string[],
  worker: string,
  startedAt: Date,
  durationMs: number,
): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.query({
    name: 'complete-events',
    text: COMPLETE,
    values: [ids, worker, startedAt, durationMs],
  });
  return r.rowCount ?? 0;
}

export async function failEvents(
  db: pg.Pool | pg.PoolClient,
  outcomes: readonly FailedOutcome[],
  worker: string,
  startedAt: Date,
  durationMs: number,
): Promise<number> {
  if (outcomes.length === 0) return 0;
  const r = await db.query({
    name: 'fail-events',
    text: FAIL,
    values: [
      outcomes.map((o) => o.id),
      outcomes.map((o) => o.status),
      outcomes.map((o) => o.retryCount),
      outcomes.map((o) => o.nextRetryAt),
      outcomes.map((o) => o.error.slice(0, 2000)),
      worker,
      startedAt,
      durationMs,
    ],
  });
  return r.rowCount ?? 0;
}
