/**
 * The durable level of the geocoding cache: rows of integration_cache keyed
 * by the same full key as Redis. A read is a primary-key lookup that ignores
 * expired rows (they may wait for the purge); a write is an upsert, so two
 * daemons resolving one address at once leave one row.
 *
 * The purge deletes expired rows in batches (ctid IN a LIMITed SELECT over
 * the partial index on expires_at, migration 0009), so it never holds long
 * locks and can run from cron while the daemon writes.
 */
import type pg from 'pg';
import type { DurableEntry } from '../../services/integration-ports.js';

export async function selectCacheEntry(
  pool: pg.Pool,
  cacheKey: string,
  now: Date,
): Promise<DurableEntry | undefined> {
  const r = await pool.query<{ value: string; expires_at: Date }>(
    `SELECT value::text AS value, expires_at FROM integration_cache
      WHERE cache_key = $1 AND expires_at > $2`,
    [cacheKey, now],
  );
  const row = r.rows[0];
  return row === undefined ? undefined : { value: row.value, expiresAt: row.expires_at };
}

export async function upsertCacheEntry(
  pool: pg.Pool,
  e: { cacheKey: string; namespace: string; tenant: string; value: string; expiresAt: Date },
): Promise<void> {
  await pool.query(
    `INSERT INTO integration_cache (cache_key, namespace, tenant_id, value, expires_at)
     VALUES ($1, $2, $3, $4::jsonb, $5)
     ON CONFLICT (cache_key) DO UPDATE
       SET value = EXCLUDED.value, expires_at = EXCLUDED.expires_at, updated_at = now()`,
    [e.cacheKey, e.namespace, e.tenant, e.value, e.expiresAt],
  );
}

export async function countExpiredEntries(pool: pg.Pool, now: Date): Promise<number> {
  const r = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM integration_cache WHERE expires_at <= $1',
    [now],
  );
  return r.rows[0]?.n ?? 0;
}

export async function deleteExpiredEntries(pool: pg.Pool, now: Date, limit: number): Promise<number> {
  const r = await pool.query(
    `DELETE FROM integration_cache WHERE ctid IN (
       SELECT ctid FROM integration_cache WHERE expires_at <= $1 LIMIT $2)`,
    [now, limit],
  );
  return r.rowCount ?? 0;
}
