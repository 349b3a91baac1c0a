-- integration_logs: the audit log of outbound calls (one row per call to an
-- external API): which service and operation, how it went, how long it took and
-- how many bytes moved. Never credentials or tokens. Written in batches off the
-- request path. Listed newest first, per service.

-- migrate:up
CREATE TABLE IF NOT EXISTS integration_logs (
  id              bigserial PRIMARY KEY,
  service_name    text NOT NULL,
  operation       text NOT NULL,
  endpoint        text,
  method          text,
  status          text NOT NULL CHECK (status IN ('success', 'error')),
  http_status     integer,
  duration_ms     integer,
  request_bytes   integer,
  response_bytes  integer,
  error_message   text,
  request_id      text,
  tenant_id       text,
  created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS integration_logs_service_created_idx ON integration_logs (service_name, created_at DESC);
CREATE INDEX IF NOT EXISTS integration_logs_created_idx ON integration_logs (created_at DESC);

-- migrate:down
DROP TABLE IF EXISTS integration_logs;
