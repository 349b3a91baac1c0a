-- api_rate_limits: outbound API usage per service, tenant and window, written
-- periodically from the live limiter (Redis or in-process), not per call: it is
-- the record an operator reads, not the limiter itself. tenant_id '' means no
-- tenant, so the UNIQUE key also holds for tenant-less calls.

-- migrate:up
CREATE TABLE IF NOT EXISTS api_rate_limits (
  id             bigserial PRIMARY KEY,
  service_name   text NOT NULL,
  tenant_id      text NOT NULL DEFAULT '',
  window_kind    text NOT NULL CHECK (window_kind IN ('minute', 'hour', 'day')),
  window_start   timestamptz NOT NULL,
  request_count  integer NOT NULL DEFAULT 0,
  limit_value    integer,
  updated_at     timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT api_rate_limits_window UNIQUE (service_name, tenant_id, window_kind, window_start)
);

-- migrate:down
DROP TABLE IF EXISTS api_rate_limits;
