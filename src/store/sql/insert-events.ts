/**
 * The ingest hot path: one multi-row INSERT for a whole group of webhooks.
 *
 * Why this query: every webhook must be durable before its 2xx, and a commit
 * costs a WAL flush. Sending all rows that arrived within the same event-loop
 * turn as one statement (one transaction, one flush) is what makes ingest fast:
 * a prototype on a 2-core machine did 15,400 verified webhooks/s this way and
 * 5,800/s with one INSERT per request. Rows travel as parallel arrays through
 * unnest(), so the statement text is the same for every batch size and
 * Postgres plans it once per connection (it is a named prepared statement).
 *
 * Bytes on the wire, and work per byte, matter here. All bodies, headers and
 * (when they are not the body itself) payloads travel in ONE binary bytea
 * parameter, each row naming its slices by 1-based offset and length: no
 * array-literal escaping in Node, no array parsing in Postgres, and a body
 * that is its own JSON payload is sent once and sliced twice (raw_body as
 * bytes, payload through convert_from(…, 'UTF8')::jsonb). This replaced text
 * arrays (measured: pg's escaping and Postgres's array_in were a visible share
 * of both processes' CPU at thousands of webhooks per second).
 *
 * Duplicates are decided by UNIQUE (source, dedup_key) and ON CONFLICT DO
 * NOTHING, never by a read-then-write: RETURNING lists only the rows that were
 * inserted. A conflicting row from a concurrent transaction makes this
 * statement wait for that transaction, so the follow-up lookup of duplicates
 * always finds the winner committed.
 *
 * A row to publish (status 'pending') that this process leases at once (a
 * lease owner is given) is stored as 'processing', since a worker holds it
 * from its first moment; without an owner it stays 'pending' until a worker
 * claims it. SPEC.md's life cycle: pending -> processing -> completed.
 *
 * INSERT is a named statement (its plan does not depend on the table's size);
 * the lookup of duplicates is not, for the reason given in finish-events.ts.
 */
import { isUtf8 } from 'node:buffer';
import type pg from 'pg';
import type { NewEvent } from '../../services/ports.js';

const INSERT_EVENTS = `
INSERT INTO webhook_events
  (id, source, event_id, dedup_key, event_type, tenant_id, content_type, raw_body, payload, headers,
   status, max_retries, locked_until, locked_by)
SELECT u.id, u.source, u.event_id, u.dedup_key, u.event_type, u.tenant_id, u.content_type,
       substring($8::bytea FROM u.body_at FOR u.body_len),
       CASE WHEN u.payload_at IS NOT NULL
            THEN convert_from(substring($8::bytea FROM u.payload_at FOR u.payload_len), 'UTF8')::jsonb END,
       convert_from(substring($8::bytea FROM u.headers_at FOR u.headers_len), 'UTF8')::jsonb,
       CASE WHEN u.status = 'pending' AND $9::text IS NOT NULL THEN 'processing' ELSE u.status END,
       u.max_retries,
       CASE WHEN u.status = 'pending' AND $9::text IS NOT NULL THEN now() + $10::interval END,
       CASE WHEN u.status = 'pending' THEN $9::text END
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
            $11::int[], $12::int[], $13::int[], $14::int[], $15::int[], $16::int[], $17::text[], $18::int[])
  AS u(id, source, event_id, dedup_key, event_type, tenant_id, content_type,
       body_at, body_len, payload_at, payload_len, headers_at, headers_len, status, max_retries)
ON CONFLICT (source, dedup_key) DO NOTHING
RETURNING id`;

const FIND_EXISTING = `
SELECT e.id, e.source, e.dedup_key
FROM webhook_events e
JOIN unnest($1::text[], $2::text[]) AS k(source, dedup_key)
  ON e.source = k.source AND e.dedup_key = k.dedup_key`;

export interface InsertLease {
  /** Worker id that will process the inserted rows at once; null leaves them to the workers' claim. */
  owner: string | null;
  seconds: number;
}

/** Inserts the rows; returns the ids that were new. */
export async function insertEvents(
  db: pg.Pool | pg.PoolClient,
  rows: readonly NewEvent[],
  lease: InsertLease,
): Promise<Set<string>> {
  const blob = new Blob();
  const body = rows.map((r) => blob.add(r.rawBody));
  // The body is its own payload only when Postgres will read it as the same text:
  // valid UTF-8 (Node would have replaced bad bytes before JSON.parse) without NUL.
  const payload = rows.map((r, i) =>
    r.payloadIsBody === true && isUtf8(r.rawBody) && !r.rawBody.includes(0)
      ? body[i]!
      : r.payloadJson === null
        ? NO_SLICE
        : blob.add(Buffer.from(r.payloadJson, 'utf8')),
  );
  const headers = rows.map((r) => blob.add(Buffer.from(r.headersJson, 'utf8')));
  const result = await db.query<{ id: string }>({
    name: 'insert-events',
    text: INSERT_EVENTS,
    values: [
      rows.map((r) => r.id),
      rows.map((r) => r.source),
      rows.map((r) => r.eventId),
      rows.map((r) => r.dedupKey),
      rows.map((r) => r.eventType),
      rows.map((r) => r.tenantId),
      rows.map((r) => r.contentType),
      blob.bytes(),
      lease.owner,
      `${lease.seconds} seconds`,
      body.map((s) => s.at),
      body.map((s) => s.length),
      payload.map((s) => s.at),
      payload.map((s) => s.length),
      headers.map((s) => s.at),
      headers.map((s) => s.length),
      rows.map((r) => r.status),
      rows.map((r) => r.maxRetries),
    ],
  });
  return new Set(result.rows.map((r) => r.id));
}

interface Slice {
  /** 1-based, as SQL's substring counts; null for "no value". */
  at: number | null;
  length: number | null;
}

const NO_SLICE: Slice = { at: null, length: null };

/** Byte strings laid end to end in one buffer, each known by its slice. */
class Blob {
  private readonly parts: Buffer[] = [];
  private size = 0;

  add(bytes: Buffer): Slice {
    this.parts.push(bytes);
    const slice = { at: this.size + 1, length: bytes.length };
    this.size += bytes.length;
    return slice;
  }

  bytes(): Buffer {
    return Buffer.concat(this.parts, this.size);
  }
}

/** The stored id of each (source, dedup_key), for answering duplicates with the first event's id. */
export async function findExistingIds(
  db: pg.Pool | pg.PoolClient,
  keys: Array<{ source: string; dedupKey: string }>,
): Promise<Map<string, string>> {
  const result = await db.query<{ id: string; source: string; dedup_key: string }>({
    text: FIND_EXISTING,
    values: [keys.map((k) => k.source), keys.map((k) => k.dedupKey)],
  });
  return new Map(result.rows.map((r) => [`${r.source}\u0000${r.dedup_key}`, r.id]));
}

export function keyOf(source: string, dedupKey: string): string {
  return `${source}\u0000${dedupKey}`;
}
