/**
 * The retry use case, shared by the cron loop, the HTTP retry endpoint and
 * `integctl events retry`: claim due events in batches (lease included), hand
 * them to the processor, repeat until nothing is due or the round's budget is
 * spent.
 */
import type pg from 'pg';
import { isJsonContentType } from '../domain/event.js';
import { withoutBom } from '../lib/exact-json.js';
import type { Logger } from '../lib/logger.js';
import {
  claimDueEvents,
  releaseLeases,
  scheduleNow,
  type ClaimedEvent,
} from '../store/sql/claim-due-events.js';
import type { EventProcessor, ProcessItem, ProcessResult } from './process-events.js';

export interface RetryOptions {
  pool: pg.Pool;
  processor: EventProcessor;
  workerId: string;
  leaseSeconds: number;
  batchSize: number;
  log: Logger;
  now?: () => Date;
}

export interface RetryRound extends ProcessResult {
  claimed: number;
}

export function toProcessItem(row: ClaimedEvent): ProcessItem {
  const item: ProcessItem = {
    id: row.id,
    source: row.source,
    eventId: row.event_id,
    eventType: row.event_type,
    tenantId: row.tenant_id,
    payloadJson: row.payload_json,
    retryCount: row.retry_count,
    maxRetries: row.max_retries,
    replay: row.replay,
  };
  // A JSON event stored without its parsed payload cannot be published as
  // consumers expect; no retry will change that. An empty body is not such an
  // event: Drive pushes are labelled JSON and carry nothing (payload null).
  if (
    row.payload_json === null &&
    isJsonContentType(row.content_type) &&
    row.raw_body !== null &&
    row.raw_body.length > 0
  ) {
    try {
      JSON.parse(withoutBom(row.raw_body.toString('utf8')));
    } catch {
      item.permanentError = 'the stored body is not valid JSON';
    }
  }
  return item;
}

export class RetryService {
  private readonly now: () => Date;
  private stopping = false;

  constructor(private readonly options: RetryOptions) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Processes due events until none are left or `maxEvents` were claimed. Two
   * claim-publish-record loops run side by side (SKIP LOCKED keeps their
   * batches disjoint), so one batch's Postgres round trips overlap the other's
   * Redis pipeline.
   */
  async runDue(maxEvents = 50_000, concurrency = 2): Promise<RetryRound> {
    const total: RetryRound = { claimed: 0, completed: 0, retrying: 0, failed: 0 };
    // Both loops end before the round does, even when one fails: a loop left
    // running would still claim and publish after the caller thinks it idle
    // (and after shutdown released the leases and closed the pool).
    const loops = await Promise.allSettled(
      Array.from({ length: concurrency }, () => this.drainLoop(total, maxEvents)),
    );
    const failure = loops.find((l): l is PromiseRejectedResult => l.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    return total;
  }

  /** Ends the running round after its current batches (shutdown): nothing more is claimed until resume(). */
  stop(): void {
    this.stopping = true;
  }

  resume(): void {
    this.stopping = false;
  }

  private async drainLoop(total: RetryRound, maxEvents: number): Promise<void> {
    while (!this.stopping && total.claimed < maxEvents) {
      const rows = await claimDueEvents(this.options.pool, {
        now: this.now(),
        limit: Math.min(this.options.batchSize, maxEvents - total.claimed),
        leaseSeconds: this.options.leaseSeconds,
        worker: this.options.workerId,
      });
      if (rows.length === 0) break;
      total.claimed += rows.length;
      const result = await this.options.processor.process(rows.map(toProcessItem));
      total.completed += result.completed;
      total.retrying += result.retrying;
      total.failed += result.failed;
      if (rows.length < this.options.batchSize) break;
    }
  }

  /** Makes the given events due now; returns those scheduled (unknown or busy ids are not). */
  scheduleNow(ids: string[]): Promise<string[]> {
    return scheduleNow(this.options.pool, ids, this.now());
  }

  releaseLeases(): Promise<number> {
    return releaseLeases(this.options.pool, this.options.workerId);
  }
}
