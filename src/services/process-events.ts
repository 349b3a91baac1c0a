/**
 * Processing: publish each event to the bus, then record the outcome. An event
 * is completed only after its publish succeeded; a failed publish makes it
 * retrying with the next time from the retry policy, or failed once its
 * retries are spent. The ingest fast path and the retry loop both end here.
 *
 * Events handed to enqueue() are already leased by this worker (the ingest
 * INSERT set locked_by), so no other worker touches them meanwhile; if this
 * process dies first, the lease expires and the retry loop picks them up. An
 * event that waited in the queue for half its lease (a long Redis stall, a
 * flood) is not published from here: its lease could run out while it is,
 * and another worker's claim would publish it too. It is left to that claim.
 */
import type { EventBus } from '../bus/event-bus.js';
import { channelFor, envelopeFor, isJsonContentType, type PublishableEvent } from '../domain/event.js';
import { afterFailure, retryDelayMs, type RetryPolicy } from '../domain/retry-policy.js';
import { withoutBom } from '../domain/exact-json.js';
import type { Logger } from '../lib/logger.js';
import type { FailedOutcome, OutcomeRecorder, StoredEvent } from './ports.js';

export interface ProcessItem extends PublishableEvent {
  retryCount: number;
  maxRetries: number;
  /** Set when the event can never be published (its payload cannot be read): it fails at once. */
  permanentError?: string;
  /** An operator asked to publish an already published event again. */
  replay?: boolean;
}

/**
 * The one mapping from a stored event to what processing publishes, for the
 * ingest fast path (EventWriter's answer) and the retry loop's claim alike.
 */
export function processItemOf(event: StoredEvent): ProcessItem {
  const item: ProcessItem = {
    id: event.id,
    source: event.source,
    eventId: event.eventId,
    eventType: event.eventType,
    tenantId: event.tenantId,
    payloadJson: event.payloadJson,
    retryCount: event.retryCount,
    maxRetries: event.maxRetries,
    replay: event.replay,
  };
  // A JSON event stored without its parsed payload cannot be published as
  // consumers expect; no retry will change that. An empty body is not such an
  // event: Drive pushes are labelled JSON and carry nothing (payload null).
  if (
    event.payloadJson === null &&
    isJsonContentType(event.contentType) &&
    event.rawBody !== null &&
    event.rawBody.length > 0
  ) {
    try {
      JSON.parse(withoutBom(event.rawBody.toString('utf8')));
    } catch {
      item.permanentError = 'the stored body is not valid JSON';
    }
  }
  return item;
}

export interface ProcessResult {
  completed: number;
  retrying: number;
  failed: number;
}

export interface ProcessorDeps {
  /** Where outcomes are recorded (store/outcome-recorder.ts, on a keyed pool). */
  outcomes: OutcomeRecorder;
  bus: EventBus;
  log: Logger;
  workerId: string;
  now?: () => Date;
  policy?: RetryPolicy;
  random?: () => number;
  maxBatch?: number;
  /** The lease ingest takes (EVENT_LEASE_SECONDS); queued events older than half of it are left to the claim. */
  leaseSeconds?: number;
  onResult?: (result: ProcessResult, items: readonly ProcessItem[], publishedAt: Date) => void;
  /** An event ingest handed over to be published at once (for the publish-lag metric). */
  onAccepted?: (id: string) => void;
}

export class EventProcessor {
  private queue: Array<{ item: ProcessItem; queuedAt: number }> = [];
  private running = 0;
  private scheduled = false;
  private idleWaiters: Array<() => void> = [];
  private readonly now: () => Date;

  constructor(private readonly deps: ProcessorDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  get queued(): number {
    return this.queue.length;
  }

  /**
   * The ingest fast path: an event this worker leased in its INSERT is
   * published as soon as the event loop turns. Never throws.
   */
  accept(event: StoredEvent): void {
    this.deps.onAccepted?.(event.id);
    this.enqueue([processItemOf(event)]);
  }

  /** Queues leased events for processing after the webhook was answered. Never throws. */
  enqueue(items: readonly ProcessItem[]): void {
    const queuedAt = this.now().getTime();
    for (const item of items) this.queue.push({ item, queuedAt });
    if (!this.scheduled && this.running < 2) {
      this.scheduled = true;
      setImmediate(() => this.pump());
    }
  }

  /** Resolves when the queue is empty and no batch is running. */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && this.running < 2) {
      const batch = this.fresh(this.queue.splice(0, this.deps.maxBatch ?? 1000));
      if (batch.length === 0) continue;
      this.running++;
      void this.process(batch)
        .catch((err: unknown) => {
          // The outcome could not be recorded (Postgres down): the leases expire
          // and the retry loop processes these events again. Nothing is lost.
          this.deps.log.error({ err, events: batch.length }, 'could not record processing outcome');
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
    // Idle (also when the last queued events were all left to the claim).
    if (this.queue.length === 0 && this.running === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /**
   * How long an event's "published" marker must last: should this attempt's
   * answer be lost, the next comes after the longest retry delay for its
   * retry count (jitter included), plus a lease for the claim.
   */
  private holdSeconds(retryCount: number): number {
    const delayMs = retryDelayMs(retryCount, { policy: this.deps.policy, random: () => 1 });
    return Math.ceil(delayMs / 1000) + (this.deps.leaseSeconds ?? 60);
  }

  /** The queued events still well inside their lease; the others are left to the retry loop's claim. */
  private fresh(entries: Array<{ item: ProcessItem; queuedAt: number }>): ProcessItem[] {
    if (this.deps.leaseSeconds === undefined) return entries.map((e) => e.item);
    const oldest = this.now().getTime() - (this.deps.leaseSeconds * 1000) / 2;
    const fresh = entries.filter((e) => e.queuedAt >= oldest).map((e) => e.item);
    if (fresh.length < entries.length) {
      this.deps.log.warn(
        { events: entries.length - fresh.length, lease_seconds: this.deps.leaseSeconds },
        'events queued for half their lease; left to the retry loop once the lease ends',
      );
    }
    return fresh;
  }

  /** Publishes a batch of leased events and records every outcome. */
  async process(items: readonly ProcessItem[]): Promise<ProcessResult> {
    const startedAt = this.now();
    const started = performance.now();
    const publishable = items.filter((i) => i.permanentError === undefined);
    const accepted = await this.deps.bus.publish(
      publishable.map((i) => ({
        id: i.id,
        channel: channelFor(i.source, i.eventType),
        payload: envelopeFor(i, startedAt),
        replay: i.replay === true,
        holdSeconds: this.holdSeconds(i.retryCount),
      })),
    );
    const completedIds: string[] = [];
    const failures: FailedOutcome[] = [];
    const now = this.now();
    publishable.forEach((item, i) => {
      if (accepted[i]) completedIds.push(item.id);
      else failures.push(this.failure(item, `publish to ${this.deps.bus.kind} bus failed`, false, now));
    });
    for (const item of items) {
      if (item.permanentError !== undefined)
        failures.push(this.failure(item, item.permanentError, true, now));
    }
    const durationMs = Math.round(performance.now() - started);
    const attempt = { worker: this.deps.workerId, startedAt, durationMs };
    await this.deps.outcomes.complete(completedIds, attempt);
    await this.deps.outcomes.fail(failures, attempt);
    const result: ProcessResult = {
      completed: completedIds.length,
      retrying: failures.filter((f) => f.status === 'retrying').length,
      failed: failures.filter((f) => f.status === 'failed').length,
    };
    if (failures.length > 0) {
      this.deps.log.warn(
        { ...result, error: failures[0]?.error },
        'events not published; scheduled for retry',
      );
    }
    this.deps.onResult?.(result, items, now);
    return result;
  }

  private failure(item: ProcessItem, error: string, permanent: boolean, now: Date): FailedOutcome {
    const outcome = afterFailure(item.retryCount, item.maxRetries, now, {
      permanent,
      policy: this.deps.policy,
      random: this.deps.random,
    });
    return {
      id: item.id,
      status: outcome.status,
      retryCount: outcome.retryCount,
      nextRetryAt: outcome.status === 'retrying' ? outcome.nextRetryAt : null,
      error,
    };
  }
}
