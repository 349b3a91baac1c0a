-- webhook_configs: webhook sources, one row per source name (the {source} of
-- /api/v1/webhooks/generic/{source}; stripe, google_sheets and yandex_maps for
-- the named routes). scheme selects the signature check; options are that
-- scheme's settings (header, algorithm, encoding, dedup path, ...), validated by
-- the scheme when the source is added. secrets is a JSON array of
-- {"value","created_at","expires_at"}: several are valid at once so a secret can
-- be rotated without dropping deliveries. tenant_id is the tenant of events that
-- do not name one; max_retries overrides RETRY_MAX_ATTEMPTS; rate_limit_per_minute
-- limits ingest for this source (NULL = unlimited). Managed by integctl sources.

-- migrate:up
CREATE TABLE IF NOT EXISTS webhook_configs (
  id                    uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name                  text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  scheme                text NOT NULL CHECK (scheme IN ('stripe', 'standard-webhooks', 'github', 'hmac', 'google-drive', 'token', 'none')),
  options               jsonb NOT NULL DEFAULT '{}'::jsonb,
  secrets               jsonb NOT NULL DEFAULT '[]'::jsonb,
  tenant_id             text,
  max_retries           integer CHECK (max_retries >= 0),
  rate_limit_per_minute integer CHECK (rate_limit_per_minute > 0),
  is_active             boolean NOT NULL DEFAULT true,
  description           text,
  created_at            timestamptz NOT NULL DEFAULT now(),
  updated_at            timestamptz NOT NULL DEFAULT now()
);

-- migrate:down
DROP TABLE IF EXISTS webhook_configs;
