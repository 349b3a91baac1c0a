-- external_services becomes the operator's list of outbound services
-- (integctl services): `priority` orders the geocoding providers that
-- provider "auto" tries (lower first; the defaults without a row are
-- google_maps 10, yandex_maps 20), and `api_key` holds a service's key when it
-- is set per service rather than by GOOGLE_MAPS_API_KEY / YANDEX_MAPS_API_KEY.
-- The key is stored as webhook secrets are (webhook_configs.secrets): in this
-- table, readable by whoever can read the database, and never printed by
-- integctl or logged by the daemon.
--
-- integration_cache gets an index on expires_at: integctl cache
-- purge-expired and the daemon's daily purge delete expired rows in batches,
-- and without it every batch would scan the table.

-- migrate:up
ALTER TABLE external_services ADD COLUMN IF NOT EXISTS priority integer NOT NULL DEFAULT 100
  CHECK (priority >= 0 AND priority <= 1000000);
ALTER TABLE external_services ADD COLUMN IF NOT EXISTS api_key text;
CREATE INDEX IF NOT EXISTS integration_cache_expires_at_idx ON integration_cache (expires_at)
  WHERE expires_at IS NOT NULL;

-- migrate:down
DROP INDEX IF EXISTS integration_cache_expires_at_idx;
ALTER TABLE external_services DROP COLUMN IF EXISTS api_key;
ALTER TABLE external_services DROP COLUMN IF EXISTS priority;
