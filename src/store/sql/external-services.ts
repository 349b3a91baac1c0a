/**
 * external_services as integctl services manages it and the daemon's service
 * catalogue reads it (every 5 s, a handful of rows: no index beyond the name's
 * UNIQUE). One statement per operation; update names only the columns it
 * changes, so two operators changing different settings do not undo each other.
 */
import type pg from 'pg';
import type { ExternalServiceChange, ExternalServiceRecord } from '../../services/integration-ports.js';

interface Row {
  name: string;
  service_type: string;
  base_url: string | null;
  api_key: string | null;
  is_active: boolean;
  rate_limit_per_minute: number | null;
  rate_limit_per_hour: number | null;
  rate_limit_per_day: number | null;
  timeout_seconds: number;
  priority: number;
  updated_at: Date;
}

const COLUMNS = `name, service_type, base_url, api_key, is_active, rate_limit_per_minute,
  rate_limit_per_hour, rate_limit_per_day, timeout_seconds, priority, updated_at`;

/** Record field -> column, for inserts and partial updates. */
const COLUMN_OF: Record<keyof ExternalServiceChange, string> = {
  serviceType: 'service_type',
  baseUrl: 'base_url',
  apiKey: 'api_key',
  isActive: 'is_active',
  rateLimitPerMinute: 'rate_limit_per_minute',
  rateLimitPerHour: 'rate_limit_per_hour',
  rateLimitPerDay: 'rate_limit_per_day',
  timeoutSeconds: 'timeout_seconds',
  priority: 'priority',
};

function toRecord(r: Row): ExternalServiceRecord {
  return {
    name: r.name,
    serviceType: r.service_type,
    baseUrl: r.base_url,
    apiKey: r.api_key,
    isActive: r.is_active,
    rateLimitPerMinute: r.rate_limit_per_minute,
    rateLimitPerHour: r.rate_limit_per_hour,
    rateLimitPerDay: r.rate_limit_per_day,
    timeoutSeconds: r.timeout_seconds,
    priority: r.priority,
    updatedAt: r.updated_at,
  };
}

export async function selectExternalServices(pool: pg.Pool): Promise<ExternalServiceRecord[]> {
  const r = await pool.query<Row>(`SELECT ${COLUMNS} FROM external_services ORDER BY priority, name`);
  return r.rows.map(toRecord);
}

export async function selectExternalService(
  pool: pg.Pool,
  name: string,
): Promise<ExternalServiceRecord | undefined> {
  const r = await pool.query<Row>(`SELECT ${COLUMNS} FROM external_services WHERE name = $1`, [name]);
  const row = r.rows[0];
  return row === undefined ? undefined : toRecord(row);
}

/** ON CONFLICT DO NOTHING: two operators adding one name at once get one row and one "exists". */
export async function insertExternalService(
  pool: pg.Pool,
  record: Omit<ExternalServiceRecord, 'updatedAt'>,
): Promise<boolean> {
  const fields = Object.keys(COLUMN_OF) as Array<keyof ExternalServiceChange>;
  const columns = ['name', ...fields.map((f) => COLUMN_OF[f])];
  const values = [record.name, ...fields.map((f) => record[f])];
  const r = await pool.query(
    `INSERT INTO external_services (${columns.join(', ')})
     VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (name) DO NOTHING`,
    values,
  );
  return (r.rowCount ?? 0) > 0;
}

export async function updateExternalService(
  pool: pg.Pool,
  name: string,
  change: ExternalServiceChange,
): Promise<ExternalServiceRecord | undefined> {
  const fields = (Object.keys(change) as Array<keyof ExternalServiceChange>).filter(
    (f) => change[f] !== undefined,
  );
  const sets = fields.map((f, i) => `${COLUMN_OF[f]} = $${i + 2}`);
  const r = await pool.query<Row>(
    `UPDATE external_services SET ${[...sets, 'updated_at = now()'].join(', ')}
      WHERE name = $1 RETURNING ${COLUMNS}`,
    [name, ...fields.map((f) => change[f])],
  );
  const row = r.rows[0];
  return row === undefined ? undefined : toRecord(row);
}

export async function deleteExternalService(pool: pg.Pool, name: string): Promise<boolean> {
  const r = await pool.query('DELETE FROM external_services WHERE name = $1', [name]);
  return (r.rowCount ?? 0) > 0;
}
