/**
 * Appends a batch of audit rows to integration_logs in one statement (unnest
 * over column arrays): one round trip per flush instead of one per outbound
 * call, and a fixed parameter count whatever the batch size.
 */
import type pg from 'pg';

export interface IntegrationLogRow {
  service: string;
  operation: string;
  endpoint: string | null;
  method: string | null;
  status: 'success' | 'error';
  httpStatus: number | null;
  durationMs: number;
  requestBytes: number | null;
  responseBytes: number | null;
  error: string | null;
  requestId: string | null;
  tenantId: string | null;
  createdAt: Date;
}

export async function insertIntegrationLogs(
  pool: pg.Pool,
  rows: readonly IntegrationLogRow[],
): Promise<void> {
  if (rows.length === 0) return;
  const column = <K extends keyof IntegrationLogRow>(k: K) => rows.map((r) => r[k]);
  await pool.query(
    `INSERT INTO integration_logs
            (service_name, operation, endpoint, method, status, http_status, duration_ms,
             request_bytes, response_bytes, error_message, request_id, tenant_id, created_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                          $7::int[], $8::int[], $9::int[], $10::text[], $11::text[], $12::text[],
                          $13::timestamptz[])`,
    [
      column('service'),
      column('operation'),
      column('endpoint'),
      column('method'),
      column('status'),
      column('httpStatus'),
      column('durationMs'),
      column('requestBytes'),
      column('responseBytes'),
      column('error'),
      column('requestId'),
      column('tenantId'),
      column('createdAt'),
    ],
  );
}
