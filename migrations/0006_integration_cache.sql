-- integration_cache: the old service's database-backed cache entries, kept so
-- its data can be migrated and for values that must survive a Redis flush.
-- The live cache is Redis (or in-process); keys follow the same shape,
-- integration:{namespace}:{tenant_id}:{key}. Expired rows are ignored on read.

-- migrate:up
CREATE TABLE IF NOT EXISTS integration_cache (
  cache_key   text PRIMARY KEY,
  namespace   text NOT NULL,
  tenant_id   text NOT NULL,
  value       jsonb NOT NULL,
  expires_at  timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS integration_cache_namespace_tenant_idx ON integration_cache (namespace, tenant_id);

-- migrate:down
DROP TABLE IF EXISTS integration_cache;
