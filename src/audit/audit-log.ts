/**
 * The integration audit log: one integration_logs row per outbound call
 * (Sheets today, other APIs later), written in batches off the request path.
 *
 * record() only queues; a timer flushes every second, or sooner when a batch
 * is full. If Postgres is unavailable rows wait in the queue, which is bounded
 * (oldest dropped first, counted and logged once per interval): losing audit
 * rows during an outage beats growing without limit or slowing callers.
 * Rows never hold credentials: see sanitise.ts.
 */
import type pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';
import { insertIntegrationLogs, type IntegrationLogRow } from '../store/sql/insert-integration-logs.js';
import { endpointOf, redactCredentials } from './sanitise.js';

export interface AuditEntry {
  service: string;
  operation: string;
  /** The URL called; stored without its query string. */
  url?: string;
  method?: string;
  ok: boolean;
  httpStatus?: number;
  durationMs: number;
  requestBytes?: number;
  responseBytes?: number;
  error?: string;
  requestId?: string;
  tenantId?: string;
}

export interface AuditSink {
  record(entry: AuditEntry): void;
}

export interface AuditWriterOptions {
  flushMs?: number;
  maxBatch?: number;
  maxQueue?: number;
}

export class BatchedAuditWriter implements AuditSink {
  private queue: IntegrationLogRow[] = [];
  private dropped = 0;
  private flushing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly flushMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly pool: pg.Pool,
    log: Logger,
    options: AuditWriterOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 1000;
    this.maxBatch = options.maxBatch ?? 500;
    this.maxQueue = options.maxQueue ?? 10_000;
    this.warning = new ThrottledWarning(log, 'cannot write integration_logs; audit rows are queued');
  }

  record(entry: AuditEntry): void {
    this.queue.push({
      service: entry.service,
      operation: entry.operation,
      endpoint: endpointOf(entry.url),
      method: entry.method ?? null,
      status: entry.ok ? 'success' : 'error',
      httpStatus: entry.httpStatus ?? null,
      durationMs: Math.max(0, Math.round(entry.durationMs)),
      requestBytes: entry.requestBytes ?? null,
      responseBytes: entry.responseBytes ?? null,
      error: entry.error === undefined ? null : redactCredentials(entry.error),
      requestId: entry.requestId ?? null,
      tenantId: entry.tenantId ?? null,
      createdAt: new Date(),
    });
    if (this.queue.length > this.maxQueue) {
      const excess = this.queue.length - this.maxQueue;
      this.queue.splice(0, excess);
      this.dropped += excess;
      this.warning.report(new Error(`audit queue full; ${this.dropped} row(s) dropped so far`));
    }
    if (this.queue.length >= this.maxBatch) void this.flush();
  }

  /** Rows dropped because the queue was full (Postgres away for long). */
  get droppedRows(): number {
    return this.dropped;
  }

  get queuedRows(): number {
    return this.queue.length;
  }

  /** Writes what is queued, a batch at a time; one flush runs at once. */
  async flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    this.flushing = this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await insertIntegrationLogs(this.pool, batch);
      } catch (err) {
        this.queue.unshift(...batch);
        this.warning.report(err, { queued: this.queue.length });
        return;
      }
    }
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.flushMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
