/**
 * Wiring of the daemon: the one place that chooses concrete parts (Postgres
 * embedded or external, Redis or in-process) and connects them to the app.
 * start() returns a Runtime whose stop() drains and undoes everything in
 * reverse order.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { MemoryBus } from '../bus/memory-bus.js';
import { RedisBus } from '../bus/redis-bus.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Config } from '../config/schema.js';
import { buildApp } from '../http/app.js';
import { closeWithin } from '../http/server.js';
import { RetryLoop } from '../jobs/retry-loop.js';
import type { Logger } from '../lib/logger.js';
import { VERSION } from '../lib/version.js';
import { IngestService } from '../services/ingest-webhook.js';
import { EventProcessor } from '../services/process-events.js';
import { DueEventClaimer } from '../services/claim-due-events.js';
import { SourceRegistry } from '../services/source-registry.js';
import {
  assertReachable,
  createKeyedPool,
  createPool,
  describeDatabase,
  keyedPoolShare,
  resolveDatabase,
  type DatabaseTarget,
} from '../store/database.js';
import { EventWriter } from '../store/event-writer.js';
import { Migrator } from '../store/migrator.js';
import { createOrm } from '../store/sequelize.js';
import { SourceRepository } from '../store/source-repository.js';
import { PgEventQueries } from '../store/event-queries.js';
import { PgEventClaims, PgOutcomeRecorder } from '../store/outcome-recorder.js';
import { startIntegrations } from './integrations.js';
import { buildObservability } from './observability.js';
import { healthReporter } from '../services/health-report.js';

export class SchemaBehind extends Error {}

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
  const database = await resolveDatabase(config, log);
  // Cleanups run in reverse order of registration; each failure is logged, the rest still run.
  const cleanups: Array<{ name: string; run: () => Promise<unknown> }> = [
    { name: 'database', run: () => database.release() },
  ];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup.run();
      } catch (err) {
        log.warn({ err, part: cleanup.name }, 'error during shutdown');
      }
    }
  };
  try {
    const processes = config.role !== 'api';
    // A daemon that processes events records their outcomes through a few
    // connections of its own (store/database.ts createKeyedPool), taken from the
    // configured total.
    const connections = config.databasePoolSize + config.databaseMaxOverflow;
    const keyedShare = processes ? keyedPoolShare(connections) : 0;
    const pool = createPool(database.url, Math.max(1, connections - keyedShare), 'integrationd');
    cleanups.push({ name: 'pool', run: () => pool.end() });
    const outcomePool =
      keyedShare > 0 ? createKeyedPool(database.url, keyedShare, 'integrationd-outcomes') : pool;
    if (outcomePool !== pool) cleanups.push({ name: 'outcome pool', run: () => outcomePool.end() });
    await assertReachable(pool, database.url);
    // The embedded default is this daemon's own database: it migrates itself, so
    // `npm start` on a fresh machine serves. An external one waits for the operator.
    await ensureSchema(new Migrator(pool), options.migrate || database.mode === 'embedded', log);
    const observe = buildObservability(pool, log, {
      redis: config.redisUrl !== undefined,
      otherPools: [outcomePool],
    });
    const orm = createOrm(database.url);
    cleanups.push({ name: 'orm', run: () => orm.close() });

    const bus: EventBus =
      config.redisUrl === undefined
        ? new MemoryBus()
        : new RedisBus({
            url: config.redisUrl,
            streamMaxLen: config.eventsStreamMaxLen,
            dedupSeconds: config.publishDedupSeconds,
          });
    cleanups.push({ name: 'bus', run: () => bus.close() });
    log.info(
      {
        database: `${database.mode} (${describeDatabase(database.url)})`,
        redis: config.redisUrl === undefined ? 'in-process (no REDIS_URL)' : 'external',
        role: config.role,
      },
      'storage mode',
    );

    const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const ingests = config.role !== 'worker';
    const processor = new EventProcessor({
      outcomes: new PgOutcomeRecorder(outcomePool),
      bus,
      log,
      workerId,
      leaseSeconds: config.eventLeaseSeconds,
      onResult: observe.onResult,
      onAccepted: (id) => observe.received([id]),
    });
    const retry = new DueEventClaimer({
      claims: new PgEventClaims(pool),
      processor,
      workerId,
      leaseSeconds: config.eventLeaseSeconds,
      batchSize: config.retryBatchSize,
      log,
    });
    const writer = new EventWriter(pool, {
      log,
      // A daemon that processes leases what it ingests and publishes it at once;
      // an api-only daemon leaves its events to the workers' claim.
      lease: { owner: processes ? workerId : null, seconds: config.eventLeaseSeconds },
      onBatch: observe.onBatch,
    });
    const registry = new SourceRegistry({
      repository: new SourceRepository(orm.models),
      toleranceSeconds: config.webhookToleranceSeconds,
      stripeSecrets: config.stripeWebhookSecret,
      log,
    });
    const retryLoop = processes
      ? new RetryLoop({
          cronExpression: config.retryCron,
          retry,
          log,
          onRound: observe.onRound,
          onError: observe.onRetryError,
        })
      : undefined;

    const integrations = await startIntegrations(config, log, pool, observe.registry);
    cleanups.push({ name: 'integrations', run: () => integrations.stop() });
    const ingest = new IngestService({
      registry,
      store: writer,
      processing: processes ? processor : undefined,
      defaultMaxRetries: config.retryMaxAttempts,
      budget: integrations.appDeps.ingestLimiter,
      onSignatureFailure: observe.onSignatureFailure,
    });
    const redis = integrations.redis;
    const sheets = integrations.appDeps.sheets;
    const detailedHealth = healthReporter({
      version: VERSION,
      mode: { database: database.mode, redis: redis ? 'external' : 'in-process' },
      pingDatabase: () => pool.query('SELECT 1'),
      // The cache/limiter connection and the bus's own: either one down means Redis is not usable.
      pingRedis: redis
        ? async () => {
            await redis.ping();
            if (!(await bus.ping())) throw new Error('the event bus connection to Redis is down');
          }
        : undefined,
      sheets: sheets ? () => sheets.health() : undefined,
    });
    observe.useHealth(detailedHealth);

    let accepting = true;
    const app = buildApp({
      config,
      logger: log,
      version: VERSION,
      accepting: () => accepting,
      webhooks: ingests ? { ingest } : undefined,
      integrations: integrations.appDeps,
      metrics: { metrics: observe.metrics, isConfiguredSource: (name) => registry.isConfigured(name) },
      detailedHealth,
      events: {
        events: new PgEventQueries(pool, orm.models),
        wake: () => retryLoop?.wake(),
        handlerStats: () => ({
          group_commit_queued: writer.queued,
          group_commit_batches_in_flight: writer.batchesInFlight,
          processor_queued: processor.queued,
        }),
      },
    });
    // Shutdown, in this order: refuse new requests, cut connections with no
    // complete request (http/server.ts), let received ones finish (they wait for
    // their group commit; answers not out after half the shutdown timeout are
    // cut), stop the loop, finish processing, hand back leases, then close
    // connections (registered above).
    cleanups.push({ name: 'leases', run: () => retry.releaseLeases() });
    cleanups.push({ name: 'processor', run: () => processor.drain() });
    cleanups.push({ name: 'retry loop', run: async () => retryLoop?.stop() });
    cleanups.push({ name: 'group commit', run: () => writer.drain() });
    cleanups.push({
      name: 'http',
      run: () => closeWithin(app, (config.shutdownTimeoutSeconds * 1000) / 2, log),
    });
    cleanups.push({ name: 'intake', run: async () => (accepting = false) });

    if (retryLoop) {
      retryLoop.start();
      // Work left by a previous run (expired leases, due retries) starts now, not at the first tick.
      retryLoop.wake();
    }
    return { app, pool, database, bus, workerId, retryLoop, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function ensureSchema(migrator: Migrator, migrate: boolean, log: Logger): Promise<void> {
  if (migrate) {
    const applied = await migrator.up();
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    return;
  }
  const pending = await migrator.pending();
  if (pending.length > 0) {
    throw new SchemaBehind(
      `database schema is behind: ${pending.length} pending migration(s) (${pending.join(', ')}); run \`integctl migrate\` or start with --migrate`,
    );
  }
}
