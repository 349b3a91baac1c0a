-- external_services: the external APIs this service calls (Google Sheets,
-- Google Maps, Yandex, ...), one row per service. Its rate-limit columns set the
-- outbound budget per tenant and window; config holds non-secret options.
-- Kept from the old service; rate_limit_per_hour is new.

-- migrate:up
CREATE TABLE IF NOT EXISTS external_services (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  text NOT NULL UNIQUE,
  service_type          text NOT NULL,
  base_url              text,
  is_active             boolean NOT NULL DEFAULT true,
  rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
  rate_limit_per_hour   integer CHECK (rate_limit_per_hour > 0),
  rate_limit_per_day    integer CHECK (rate_limit_per_day > 0),
  timeout_seconds       integer NOT NULL DEFAULT 30 CHECK (timeout_seconds > 0),
  config                jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS external_services;
