/**
 * Every Prometheus metric of the daemon, on one registry that is passed in
 * (the daemon makes one per runtime; tests make their own, so two runtimes in
 * one process never share or clash). main/runtime.ts feeds these through the
 * hooks the services already expose; nothing in services/ imports prom-client.
 *
 * Labels are bounded by construction: methods and status codes are finite,
 * routes are templates (never raw URLs), sources pass through SourceLabels
 * (configured names only), and the other label values come from our code.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/** The route label of requests no route matched: one series, whatever the URL. */
export const UNMATCHED_ROUTE = 'unmatched';

/** integration_errors_total{type}: the fixed set of error kinds we count. */
export type IntegrationErrorType = 'http_5xx' | 'publish_failed' | 'retry_round_failed';
const INTEGRATION_ERROR_TYPES: readonly IntegrationErrorType[] = [
  'http_5xx',
  'publish_failed',
  'retry_round_failed',
];
const RETRY_OUTCOMES = ['completed', 'retrying', 'failed'] as const;

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  webhookEvents: Counter<'source' | 'status'>;
  integrationErrors: Counter<'type'>;
  signatureFailures: Counter<'source'>;
  publishLag: Histogram;
  retryAttempts: Counter<'outcome'>;
  groupCommitBatch: Histogram;
  eventsWaiting: Gauge<'status'>;
  backlogSeconds: Gauge;
  dbConnectionsActive: Gauge;
  postgresUp: Gauge;
  /** Only with REDIS_URL: without Redis there is nothing to be up, and an unset gauge would read 0. */
  redisUp: Gauge | undefined;
}

/** What the scrape-time gauges read; set by the wiring once the parts exist. */
export interface ScrapeSources {
  /** pg pool counters: active = total - idle. */
  pool?: () => { totalCount: number; idleCount: number };
  /** Events waiting by status and the age of the oldest due one (cached, time-limited). */
  backlog?: () => Promise<{ waiting: Record<string, number>; oldestDueSeconds: number } | undefined>;
  /** 1/0 per dependency; undefined when unknown (the gauge keeps no sample then). */
  up?: () => Promise<{ postgres: boolean; redis: boolean | undefined }>;
}

export const WAITING_STATUSES = ['pending', 'processing', 'retrying'] as const;

export function createMetrics(
  registry: Registry,
  scrape: ScrapeSources = {},
  options: { redis: boolean } = { redis: false },
): ServiceMetrics {
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  // One backlog/up read per scrape, shared by the gauges that show it.
  let backlogRead: Promise<Awaited<ReturnType<NonNullable<ScrapeSources['backlog']>>>> | undefined;
  let upRead: Promise<Awaited<ReturnType<NonNullable<ScrapeSources['up']>>>> | undefined;
  const readBacklog = () =>
    (backlogRead ??= (scrape.backlog?.() ?? Promise.resolve(undefined)).finally(() =>
      setImmediate(() => (backlogRead = undefined)),
    ));
  const readUp = () =>
    (upRead ??= (scrape.up?.() ?? Promise.resolve({ postgres: false, redis: undefined })).finally(() =>
      setImmediate(() => (upRead = undefined)),
    ));

  const metrics: ServiceMetrics = {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers,
    }),
    httpDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    webhookEvents: new Counter({
      name: 'webhook_events_total',
      help: 'Webhook deliveries by source (configured names; others are "unknown") and outcome',
      labelNames: ['source', 'status'],
      registers,
    }),
    integrationErrors: new Counter({
      name: 'integration_errors_total',
      help: 'Errors by type: http_5xx answers, publish_failed events, retry_round_failed rounds',
      labelNames: ['type'],
      registers,
    }),
    signatureFailures: new Counter({
      name: 'webhook_signature_failures_total',
      help: 'Deliveries to a configured source whose signature or timestamp did not verify',
      labelNames: ['source'],
      registers,
    }),
    publishLag: new Histogram({
      name: 'webhook_publish_lag_seconds',
      help: 'Time from receipt (commit) of an event to its publish on the bus',
      // From the fast path (milliseconds) up to the last retries (2^3 min and beyond).
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120, 600, 3600],
      registers,
    }),
    retryAttempts: new Counter({
      name: 'webhook_retry_attempts_total',
      help: 'Events the retry loop attempted, by outcome (completed, retrying, failed)',
      labelNames: ['outcome'],
      registers,
    }),
    groupCommitBatch: new Histogram({
      name: 'webhook_group_commit_batch_size',
      help: 'Events per group-commit INSERT',
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
      registers,
    }),
    eventsWaiting: new Gauge({
      name: 'webhook_events_waiting',
      help: 'Unfinished events by status (read from Postgres at scrape, cached about 1 s)',
      labelNames: ['status'],
      registers,
      async collect() {
        const read = await readBacklog();
        this.reset();
        if (read === undefined) return;
        for (const status of WAITING_STATUSES) this.set({ status }, read.waiting[status] ?? 0);
      },
    }),
    backlogSeconds: new Gauge({
      name: 'webhook_backlog_seconds',
      help: 'Age of the oldest due event (pending since receipt, retrying since its retry time); 0 when none',
      registers,
      async collect() {
        const read = await readBacklog();
        this.reset();
        if (read !== undefined) this.set(read.oldestDueSeconds);
      },
    }),
    dbConnectionsActive: new Gauge({
      name: 'database_connections_active',
      help: 'Postgres connections in use (total - idle), over all of the process pools',
      registers,
      collect() {
        const pool = scrape.pool?.();
        if (pool) this.set(pool.totalCount - pool.idleCount);
      },
    }),
    postgresUp: new Gauge({
      name: 'postgres_up',
      help: '1 when Postgres answered a health query within its timeout',
      registers,
      async collect() {
        this.set((await readUp()).postgres ? 1 : 0);
      },
    }),
    redisUp: !options.redis
      ? undefined
      : new Gauge({
          name: 'redis_up',
          help: '1 when Redis answered PING within its timeout; no sample without REDIS_URL',
          registers,
          async collect() {
            const up = (await readUp()).redis;
            this.reset();
            if (up !== undefined) this.set(up ? 1 : 0);
          },
        }),
  };
  // Series with a fixed set of label values exist at 0 from the start, so alerts see them.
  for (const type of INTEGRATION_ERROR_TYPES) metrics.integrationErrors.inc({ type }, 0);
  for (const outcome of RETRY_OUTCOMES) metrics.retryAttempts.inc({ outcome }, 0);
  return metrics;
}
