-- The HTTP event stream (GET /api/v1/events/stream) reads published events
-- from Postgres in the order they were published, so it can resume from a
-- cursor and carry what any daemon published.
--
-- Why a transaction id and not a sequence: a sequence value taken inside a
-- transaction becomes visible only when that transaction commits, so a reader
-- that saw 11 and moved its cursor past it could miss 10, committed a moment
-- later. published_xid is the id of the transaction that recorded the publish
-- (pg_current_xact_id(), which that UPDATE has anyway); the stream reads only
-- rows whose xid is below the oldest transaction still running
-- (pg_snapshot_xmin), so everything before its cursor is settled: nothing can
-- appear behind it later. A retry or an operator's replay publishes again with
-- a new xid, so the event comes again, as it does on Redis.
--
-- event_stream_horizon remembers the newest position a purge deleted, so a
-- client resuming from before it is told events were purged. One row.
--
-- Cost: one more column written and one partial index entry per completion;
-- rows stored but never published (Drive sync messages) are not indexed.

-- migrate:up
ALTER TABLE webhook_events ADD COLUMN IF NOT EXISTS published_xid xid8;
CREATE INDEX IF NOT EXISTS webhook_events_published_xid_idx ON webhook_events (published_xid, id)
  WHERE published_xid IS NOT NULL;
CREATE TABLE IF NOT EXISTS event_stream_horizon (
  one boolean PRIMARY KEY DEFAULT true CHECK (one),
  purged_through xid8 NOT NULL
);

-- migrate:down
DROP TABLE IF EXISTS event_stream_horizon;
DROP INDEX IF EXISTS webhook_events_published_xid_idx;
ALTER TABLE webhook_events DROP COLUMN IF EXISTS published_xid;
