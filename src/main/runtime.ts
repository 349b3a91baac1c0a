/**
 * Wiring of the daemon, in named steps: open storage (main/storage.ts), the
 * bus, observability and the outbound integrations, build the webhook
 * pipeline (main/pipeline.ts), then the HTTP app. Every step registers what
 * it opened on one cleanup stack, so stop() drains and undoes everything in
 * reverse order, and a failed start undoes what had started.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { EventBus } from '../bus/event-bus.js';
import { MemoryBus } from '../bus/memory-bus.js';
import { RedisBus } from '../bus/redis-bus.js';
import type { Config } from '../config/schema.js';
import { buildApp } from '../http/app.js';
import { closeWithin } from '../http/server.js';
import type { RetryLoop } from '../jobs/retry-loop.js';
import type { Logger } from '../lib/logger.js';
import { VERSION } from '../lib/version.js';
import { EventStreamHub } from '../services/event-stream.js';
import { healthReporter, type DetailedHealth } from '../services/health-report.js';
import { describeDatabase, pingDatabase, type DatabaseTarget } from '../store/database.js';
import { PgEventQueries } from '../store/event-queries.js';
import { PgPublishedEvents } from '../store/published-events.js';
import { CleanupStack } from './cleanup.js';
import { startIntegrations, type Integrations } from './integrations.js';
import { buildObservability } from './observability.js';
import { buildPipeline, type Pipeline } from './pipeline.js';
import { openStorage, type Storage } from './storage.js';

export interface Runtime {
  app: FastifyInstance;
  pool: pg.Pool;
  database: DatabaseTarget;
  bus: EventBus;
  workerId: string;
  retryLoop: RetryLoop | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  migrate: boolean;
}

export async function startRuntime(config: Config, log: Logger, options: StartOptions): Promise<Runtime> {
  const cleanup = new CleanupStack(log);
  try {
    const storage = await openStorage(config, log, cleanup, {
      migrate: options.migrate,
      processes: config.role !== 'api',
    });
    const observe = buildObservability(storage.pool, log, {
      redis: config.redisUrl !== undefined,
      otherPools: [storage.outcomePool],
    });
    const bus = openBus(config, cleanup);
    log.info(
      {
        database: `${storage.database.mode} (${describeDatabase(storage.database.url)})`,
        redis: config.redisUrl === undefined ? 'in-process (no REDIS_URL)' : 'external',
        role: config.role,
      },
      'storage mode',
    );
    const integrations = await startIntegrations(config, log, storage.pool, observe.registry, bus);
    cleanup.push('integrations', () => integrations.stop());
    const stream = new EventStreamHub({
      events: new PgPublishedEvents(storage.pool),
      log,
      pollMs: config.eventsStreamPollMs,
    });
    const pipeline = buildPipeline(config, log, {
      storage,
      bus,
      observe,
      budget: integrations.ingestLimiter,
      published: () => stream.wake(),
    });
    const detailedHealth = buildHealth(storage, bus, integrations);
    observe.useHealth(detailedHealth);

    let accepting = true;
    const app = buildApp({
      config,
      logger: log,
      version: VERSION,
      accepting: () => accepting,
      webhooks: pipeline.ingest ? { ingest: pipeline.ingest } : undefined,
      integrations: integrations.appDeps,
      metrics: {
        metrics: observe.metrics,
        isConfiguredSource: (name) => pipeline.registry.isConfigured(name),
      },
      detailedHealth,
      stream,
      events: {
        events: new PgEventQueries(storage.pool, storage.orm.models),
        wake: () => pipeline.retryLoop?.wake(),
        handlerStats: () => ({
          group_commit_queued: pipeline.writer.queued,
          group_commit_batches_in_flight: pipeline.writer.batchesInFlight,
          processor_queued: pipeline.processor.queued,
        }),
      },
    });
    registerShutdown(cleanup, pipeline, {
      closeHttp: () => closeWithin(app, (config.shutdownTimeoutSeconds * 1000) / 2, log),
      // Streams never end by themselves: they are told to, so HTTP can close.
      closeStreams: () => stream.close(),
      stopIntake: () => (accepting = false),
    });

    if (pipeline.retryLoop) {
      pipeline.retryLoop.start();
      // Work left by a previous run (expired leases, due retries) starts now, not at the first tick.
      pipeline.retryLoop.wake();
    }
    return {
      app,
      pool: storage.pool,
      database: storage.database,
      bus,
      workerId: pipeline.workerId,
      retryLoop: pipeline.retryLoop,
      stop: () => cleanup.run(),
    };
  } catch (err) {
    await cleanup.run();
    throw err;
  }
}

function openBus(config: Config, cleanup: CleanupStack): EventBus {
  const bus: EventBus =
    config.redisUrl === undefined
      ? new MemoryBus()
      : new RedisBus({
          url: config.redisUrl,
          streamMaxLen: config.eventsStreamMaxLen,
          dedupSeconds: config.publishDedupSeconds,
        });
  cleanup.push('bus', () => bus.close());
  return bus;
}

function buildHealth(
  storage: Storage,
  bus: EventBus,
  integrations: Integrations,
): () => Promise<DetailedHealth> {
  const { redis } = integrations;
  const sheets = integrations.appDeps.sheets;
  return healthReporter({
    version: VERSION,
    mode: { database: storage.database.mode, redis: redis ? 'external' : 'in-process' },
    pingDatabase: () => pingDatabase(storage.pool),
    // The cache/limiter connection and the bus's own: either one down means Redis is not usable.
    pingRedis: redis
      ? async () => {
          await redis.ping();
          if (!(await bus.ping())) throw new Error('the event bus connection to Redis is down');
        }
      : undefined,
    sheets: sheets ? () => sheets.health() : undefined,
    geocoding: integrations.geocodingHealth,
  });
}

/**
 * Shutdown, in this order: refuse new requests, end event streams, cut connections with no
 * complete request (http/server.ts), let received ones finish (they wait for
 * their group commit; answers not out after half the shutdown timeout are
 * cut), stop the loop, finish processing, hand back leases, then close
 * connections (registered before these, so undone after them).
 */
function registerShutdown(
  cleanup: CleanupStack,
  pipeline: Pipeline,
  http: { closeHttp: () => Promise<void>; closeStreams: () => void; stopIntake: () => void },
): void {
  cleanup.push('leases', () => pipeline.claimer.releaseLeases());
  cleanup.push('processor', () => pipeline.processor.drain());
  cleanup.push('retry loop', () => pipeline.retryLoop?.stop());
  cleanup.push('group commit', () => pipeline.writer.drain());
  cleanup.push('http', http.closeHttp);
  cleanup.push('event streams', http.closeStreams);
  cleanup.push('intake', http.stopIntake);
}
