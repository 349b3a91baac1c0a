/**
 * Reading the stream of published events (migration 0008 says why positions
 * are transaction ids). Every read keeps to rows whose published_xid is below
 * pg_snapshot_xmin(pg_current_snapshot()): the oldest transaction still
 * running, so any publish not yet visible will get a position after what was
 * read, and a reader that moves its cursor past a row can never find another
 * appear before it. The price: a transaction held open anywhere in the
 * database holds the stream back until it ends (the stream lags; it never
 * skips).
 *
 * The order (published_xid, id) is what webhook_events_published_xid_idx
 * holds, so a page is an index range scan from the cursor.
 */
import type pg from 'pg';
import { publishedPayloadText } from '../../domain/webhook-body.js';
import { STREAM_START } from '../../services/event-stream.js';
import type { PublishedEvent, StreamPosition } from '../../services/ports.js';

const SETTLED = 'published_xid < pg_snapshot_xmin(pg_current_snapshot())';

const READ_AFTER = `
SELECT published_xid::text AS xid, id, source, event_id, event_type, tenant_id, content_type,
       payload IS NOT NULL AS has_payload, CASE WHEN payload IS NOT NULL THEN raw_body END AS raw_body,
       published_at
  FROM webhook_events
 WHERE published_xid IS NOT NULL AND (published_xid, id) > ($1::xid8, $2::uuid) AND ${SETTLED}
 ORDER BY published_xid, id
 LIMIT $3`;

interface Row {
  xid: string;
  id: string;
  source: string;
  event_id: string | null;
  event_type: string;
  tenant_id: string | null;
  content_type: string | null;
  has_payload: boolean;
  raw_body: Buffer | null;
  published_at: Date;
}

export async function readPublishedAfter(
  pool: pg.Pool,
  after: StreamPosition,
  limit: number,
): Promise<PublishedEvent[]> {
  const r = await pool.query<Row>(READ_AFTER, [after.xid, after.id, limit]);
  return r.rows.map((row) => ({
    xid: row.xid,
    id: row.id,
    source: row.source,
    eventId: row.event_id,
    eventType: row.event_type,
    tenantId: row.tenant_id,
    payloadJson:
      row.has_payload && row.raw_body !== null ? publishedPayloadText(row.raw_body, row.content_type) : null,
    publishedAt: row.published_at,
  }));
}

export async function publishedHead(pool: pg.Pool): Promise<StreamPosition | undefined> {
  const r = await pool.query<StreamPosition>(
    `SELECT published_xid::text AS xid, id FROM webhook_events
      WHERE published_xid IS NOT NULL AND ${SETTLED}
      ORDER BY published_xid DESC, id DESC LIMIT 1`,
  );
  return r.rows[0];
}

/**
 * Where a replay of everything published since `since` starts: just before
 * the first settled publish at or after it (the zero uuid sorts before every
 * id of that transaction). Positions follow publish order only roughly in
 * time, so this walks the index from the oldest publish: a cost paid once per
 * `?since=` request, proportional to what is older.
 */
export async function positionPublishedAt(pool: pg.Pool, since: Date): Promise<StreamPosition | undefined> {
  const r = await pool.query<{ xid: string }>(
    `SELECT published_xid::text AS xid FROM webhook_events
      WHERE published_xid IS NOT NULL AND published_at >= $1 AND ${SETTLED}
      ORDER BY published_xid, id LIMIT 1`,
    [since],
  );
  const first = r.rows[0];
  return first === undefined ? undefined : { xid: first.xid, id: STREAM_START.id };
}

export async function purgedThrough(pool: pg.Pool): Promise<string | undefined> {
  const r = await pool.query<{ xid: string }>('SELECT purged_through::text AS xid FROM event_stream_horizon');
  return r.rows[0]?.xid;
}
