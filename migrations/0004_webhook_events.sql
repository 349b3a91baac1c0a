-- webhook_events: every webhook delivery we answered 2xx to, committed before
-- the answer. raw_body is the bytes exactly as received (what the signature
-- covered); payload is the parsed JSON when the body was JSON; headers are the
-- request headers with signatures and tokens removed. (source, dedup_key) is
-- UNIQUE: the provider's event id (or the scheme's dedup key) decides duplicates
-- through INSERT ... ON CONFLICT DO NOTHING, never a read-then-write.
--
-- Life cycle: pending -> processing -> completed | retrying | failed.
-- retry_count counts retries made; next_retry_at is when a retrying event is
-- due; locked_until/locked_by are the lease of the worker processing it (an
-- expired lease makes a pending or processing event due again, so a crashed
-- worker loses nothing). published_at is set when Redis accepted the event;
-- only then is it completed.
--
-- Indexes: the two partial indexes hold only unfinished rows, so the retry
-- loop's claim stays cheap however many completed events the table keeps;
-- received_at and (status, received_at) serve integctl events list and purge
-- (0007 replaces the second with a partial index on failed events).
--
-- webhook_event_attempts: one row per processing attempt (time, duration,
-- outcome, error, worker), shown by integctl events show.

-- migrate:up
CREATE TABLE IF NOT EXISTS webhook_events (
  id             uuid PRIMARY KEY,
  source         text NOT NULL,
  event_id       text,
  dedup_key      text NOT NULL,
  event_type     text NOT NULL DEFAULT 'unknown',
  tenant_id      text,
  content_type   text,
  raw_body       bytea NOT NULL,
  payload        jsonb,
  headers        jsonb NOT NULL DEFAULT '{}'::jsonb,
  status         text NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'processing', 'completed', 'retrying', 'failed')),
  retry_count    integer NOT NULL DEFAULT 0,
  max_retries    integer NOT NULL DEFAULT 3,
  next_retry_at  timestamptz,
  locked_until   timestamptz,
  locked_by      text,
  published_at   timestamptz,
  last_error     text,
  received_at    timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT webhook_events_source_dedup_key UNIQUE (source, dedup_key)
);
CREATE INDEX IF NOT EXISTS webhook_events_due_retry_idx ON webhook_events (next_retry_at)
  WHERE status = 'retrying';
CREATE INDEX IF NOT EXISTS webhook_events_lease_idx ON webhook_events (locked_until)
  WHERE status IN ('pending', 'processing');
CREATE INDEX IF NOT EXISTS webhook_events_received_idx ON webhook_events (received_at DESC);
CREATE INDEX IF NOT EXISTS webhook_events_status_received_idx ON webhook_events (status, received_at DESC);

CREATE TABLE IF NOT EXISTS webhook_event_attempts (
  id           bigserial PRIMARY KEY,
  event_id     uuid NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
  attempt      integer NOT NULL,
  started_at   timestamptz NOT NULL,
  duration_ms  integer NOT NULL,
  outcome      text NOT NULL CHECK (outcome IN ('completed', 'retrying', 'failed')),
  error        text,
  worker       text
);
CREATE INDEX IF NOT EXISTS webhook_event_attempts_event_idx ON webhook_event_attempts (event_id, attempt);

-- migrate:down
DROP TABLE IF EXISTS webhook_event_attempts;
DROP TABLE IF EXISTS webhook_events;
