/**
 * The daemon's metrics, connected to the hooks the services expose (writer
 * onBatch, processor onResult, retry loop onRound/onError, ingest
 * onSignatureFailure) and to the scrape-time reads (pool counters, backlog,
 * dependency health). startRuntime() calls this; nothing else imports
 * prom-client except the cache's own counters, which share this registry.
 */
import type pg from 'pg';
import { Registry } from 'prom-client';
import type { Logger } from '../lib/logger.js';
import { cachedFor } from '../lib/time-limit.js';
import { createMetrics, type ScrapeSources, type ServiceMetrics } from '../metrics/metrics.js';
import { PublishLagTracker } from '../metrics/publish-lag.js';
import type { DetailedHealth } from '../services/health-report.js';
import type { ProcessItem, ProcessResult } from '../services/process-events.js';
import type { RetryRound } from '../services/claim-due-events.js';
import { publishLags, readBacklog } from '../store/sql/backlog.js';

/** Scrape-time Postgres reads: at most one per second, none slower than this. */
const SCRAPE_QUERY_TIMEOUT_MS = 1000;
const SCRAPE_CACHE_MS = 1000;

export interface Observability {
  registry: Registry;
  metrics: ServiceMetrics;
  /** For EventProcessor.onAccepted: events this process will publish on its fast path. */
  received: (ids: readonly string[]) => void;
  onBatch: (size: number) => void;
  onResult: (result: ProcessResult, items: readonly ProcessItem[], publishedAt: Date) => void;
  onRound: (round: RetryRound) => void;
  onRetryError: () => void;
  onSignatureFailure: (source: string) => void;
  /** postgres_up and redis_up follow the (cached) detailed health report. */
  useHealth: (report: () => Promise<DetailedHealth>) => void;
}

export function buildObservability(
  pool: pg.Pool,
  log: Logger,
  options: { redis: boolean; otherPools?: readonly pg.Pool[] },
): Observability {
  const registry = new Registry();
  // database_connections_active counts every pool of the process (the outcome pool too).
  const pools = [pool, ...(options.otherPools ?? []).filter((p) => p !== pool)];
  const scrape: ScrapeSources = {
    pool: () => ({
      totalCount: pools.reduce((n, p) => n + p.totalCount, 0),
      idleCount: pools.reduce((n, p) => n + p.idleCount, 0),
    }),
    backlog: cachedFor(SCRAPE_CACHE_MS, () =>
      readBacklog(pool, SCRAPE_QUERY_TIMEOUT_MS).catch((err: unknown) => {
        log.debug({ err }, 'backlog not read for /metrics');
        return undefined;
      }),
    ),
  };
  const metrics = createMetrics(registry, scrape, options);
  const lag = new PublishLagTracker(metrics.publishLag, (ids) => publishLags(pool, ids), log);
  return {
    registry,
    metrics,
    received: (ids) => lag.received(ids),
    onBatch: (size) => metrics.groupCommitBatch.observe(size),
    onResult: (result, items, publishedAt) => {
      const unpublished = result.retrying + result.failed;
      if (unpublished > 0) metrics.integrationErrors.inc({ type: 'publish_failed' }, unpublished);
      lag.published(
        items.map((i) => i.id),
        publishedAt,
        unpublished === 0,
      );
    },
    onRound: (round) => {
      for (const outcome of ['completed', 'retrying', 'failed'] as const) {
        if (round[outcome] > 0) metrics.retryAttempts.inc({ outcome }, round[outcome]);
      }
    },
    onRetryError: () => metrics.integrationErrors.inc({ type: 'retry_round_failed' }),
    onSignatureFailure: (source) => metrics.signatureFailures.inc({ source }),
    useHealth: (report) => {
      scrape.up = async () => {
        const r = await report();
        return {
          postgres: r.dependencies.database.status === 'healthy',
          redis: r.mode.redis === 'external' ? r.dependencies.redis.status === 'healthy' : undefined,
        };
      };
    },
  };
}
