/**
 * The per-service budgets and on/off switch of external_services, read every
 * minute by ratelimit/service-limits.ts (a handful of rows; no index needed).
 */
import type pg from 'pg';

export interface ExternalServiceLimitsRow {
  name: string;
  is_active: boolean;
  rate_limit_per_minute: number | null;
  rate_limit_per_hour: number | null;
  rate_limit_per_day: number | null;
}

export async function selectExternalServiceLimits(pool: pg.Pool): Promise<ExternalServiceLimitsRow[]> {
  const result = await pool.query<ExternalServiceLimitsRow>(
    `SELECT name, is_active, rate_limit_per_minute, rate_limit_per_hour, rate_limit_per_day
       FROM external_services`,
  );
  return result.rows;
}
