/**
 * The webhook pipeline's parts, connected: ingest (IngestService) stores
 * through the group-commit writer and hands each new event to the processor,
 * which publishes it on the bus and records the outcome; the retry loop claims
 * what is due and hands it to the same processor. Which daemon role runs
 * which half is decided here (api: ingest only; worker: processing only).
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EventBus } from '../bus/event-bus.js';
import type { Config } from '../config/schema.js';
import { RetryLoop } from '../jobs/retry-loop.js';
import type { Logger } from '../lib/logger.js';
import { DueEventClaimer } from '../services/claim-due-events.js';
import { IngestService, type IngestBudget } from '../services/ingest-webhook.js';
import { EventProcessor } from '../services/process-events.js';
import { SourceRegistry } from '../services/source-registry.js';
import { EventWriter } from '../store/event-writer.js';
import { PgEventClaims, PgOutcomeRecorder } from '../store/outcome-recorder.js';
import { SourceRepository } from '../store/source-repository.js';
import type { Observability } from './observability.js';
import type { Storage } from './storage.js';

export interface Pipeline {
  workerId: string;
  registry: SourceRegistry;
  writer: EventWriter;
  processor: EventProcessor;
  claimer: DueEventClaimer;
  /** Undefined in an api-only daemon: its events wait for a worker's claim. */
  retryLoop: RetryLoop | undefined;
  /** Undefined in a worker-only daemon, which serves no webhook routes. */
  ingest: IngestService | undefined;
}

export function buildPipeline(
  config: Config,
  log: Logger,
  parts: {
    storage: Storage;
    bus: EventBus;
    observe: Observability;
    budget: IngestBudget;
    /** Called after a batch with publishes (the event stream looks at once). */
    published?: () => void;
  },
): Pipeline {
  const { storage, bus, observe } = parts;
  const processes = config.role !== 'api';
  const workerId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const processor = new EventProcessor({
    outcomes: new PgOutcomeRecorder(storage.outcomePool),
    bus,
    log,
    workerId,
    leaseSeconds: config.eventLeaseSeconds,
    onResult: (result, items, at) => {
      observe.onResult(result, items, at);
      if (result.completed > 0) parts.published?.();
    },
    onAccepted: (id) => observe.received([id]),
  });
  const claimer = new DueEventClaimer({
    claims: new PgEventClaims(storage.pool),
    processor,
    workerId,
    leaseSeconds: config.eventLeaseSeconds,
    batchSize: config.retryBatchSize,
    log,
  });
  const writer = new EventWriter(storage.pool, {
    log,
    // A daemon that processes leases what it ingests and publishes it at once;
    // an api-only daemon leaves its events to the workers' claim.
    lease: { owner: processes ? workerId : null, seconds: config.eventLeaseSeconds },
    onBatch: observe.onBatch,
  });
  const registry = new SourceRegistry({
    repository: new SourceRepository(storage.orm.models),
    toleranceSeconds: config.webhookToleranceSeconds,
    stripeSecrets: config.stripeWebhookSecret,
    log,
  });
  const retryLoop = processes
    ? new RetryLoop({
        cronExpression: config.retryCron,
        retry: claimer,
        log,
        onRound: observe.onRound,
        onError: observe.onRetryError,
      })
    : undefined;
  const ingest =
    config.role === 'worker'
      ? undefined
      : new IngestService({
          registry,
          store: writer,
          processing: processes ? processor : undefined,
          defaultMaxRetries: config.retryMaxAttempts,
          budget: parts.budget,
          onSignatureFailure: observe.onSignatureFailure,
        });
  return { workerId, registry, writer, processor, claimer, retryLoop, ingest };
}
