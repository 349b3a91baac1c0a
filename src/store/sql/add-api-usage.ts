/**
 * Adds outbound call counts to api_rate_limits, one row per service, tenant,
 * window kind and window start. Each daemon adds the calls it made since its
 * last flush (request_count = request_count + EXCLUDED.request_count), so rows
 * stay right with several daemons and no daemon reads before writing. One
 * statement for the whole batch via unnest: a flush is one round trip however
 * many tenants called out.
 */
import type pg from 'pg';

export interface ApiUsageRow {
  service: string;
  /** '' for calls without a tenant (the table's convention). */
  tenant: string;
  window: 'minute' | 'hour' | 'day';
  windowStart: Date;
  count: number;
  limit: number | null;
}

export async function addApiUsage(pool: pg.Pool, rows: readonly ApiUsageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await pool.query(
    `INSERT INTO api_rate_limits
            (service_name, tenant_id, window_kind, window_start, request_count, limit_value, updated_at)
     SELECT s, t, k, w, c, l, now()
       FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::int[], $6::int[])
            AS u(s, t, k, w, c, l)
     ON CONFLICT (service_name, tenant_id, window_kind, window_start) DO UPDATE
        SET request_count = api_rate_limits.request_count + EXCLUDED.request_count,
            limit_value   = EXCLUDED.limit_value,
            updated_at    = now()`,
    [
      rows.map((r) => r.service),
      rows.map((r) => r.tenant),
      rows.map((r) => r.window),
      rows.map((r) => r.windowStart),
      rows.map((r) => r.count),
      rows.map((r) => r.limit),
    ],
  );
}
