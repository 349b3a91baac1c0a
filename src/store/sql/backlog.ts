/**
 * The scrape-time read of unfinished events: how many wait in each status and
 * how long the oldest due one has waited (pending/processing since receipt,
 * retrying since its next_retry_at came). One statement over the unfinished
 * rows only: each arm's status filter is the predicate of a partial index
 * (webhook_events_lease_idx, webhook_events_due_retry_idx), so it never scans
 * the completed events. A client-side deadline; cached by the caller.
 *
 * publishLags() serves webhook_publish_lag_seconds for events published by
 * the retry loop or another process (metrics/publish-lag.ts says why).
 */
import type pg from 'pg';
import { withTimeout } from '../../lib/time-limit.js';

const BACKLOG = `
SELECT status, count(*)::int AS n, extract(epoch FROM now() - min(received_at))::float8 AS oldest_due_seconds
  FROM webhook_events
 WHERE status IN ('pending', 'processing')
 GROUP BY status
UNION ALL
SELECT status, count(*)::int AS n,
       extract(epoch FROM now() - min(next_retry_at) FILTER (WHERE next_retry_at <= now()))::float8
  FROM webhook_events
 WHERE status = 'retrying'
 GROUP BY status`;

export interface Backlog {
  waiting: Record<string, number>;
  oldestDueSeconds: number;
}

export async function readBacklog(pool: pg.Pool, timeoutMs: number): Promise<Backlog> {
  const r = await withTimeout(
    pool.query<{ status: string; n: number; oldest_due_seconds: number | null }>({
      text: BACKLOG,
      // pg's own read deadline as well, so the pooled client is released with an error, not left waiting.
      query_timeout: timeoutMs,
    } as pg.QueryConfig),
    timeoutMs,
    'backlog query',
  );
  const waiting: Record<string, number> = {};
  let oldest = 0;
  for (const row of r.rows) {
    waiting[row.status] = row.n;
    if (row.oldest_due_seconds !== null) oldest = Math.max(oldest, row.oldest_due_seconds);
  }
  return { waiting, oldestDueSeconds: oldest };
}

/** Seconds from receipt to publish of the given events (those published), for the lag histogram. */
export async function publishLags(pool: pg.Pool, ids: readonly string[]): Promise<number[]> {
  const r = await pool.query<{ lag: number }>(
    `SELECT extract(epoch FROM published_at - received_at)::float8 AS lag
       FROM webhook_events
      WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL`,
    [ids],
  );
  return r.rows.map((row) => row.lag);
}
