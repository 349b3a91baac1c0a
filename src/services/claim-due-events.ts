/**
 * The retry loop's use case: claim due events in batches (lease included),
 * hand them to the processor, repeat until nothing is due or the round's
 * budget is spent. Due means: retrying events whose next_retry_at came, and
 * pending or processing ones whose lease expired or that never had one
 * (ingested by an api-only daemon). jobs/retry-loop.ts runs a round on every
 * cron tick and when woken (after an operator's retry, schedule-retries.ts).
 */
import type { Logger } from '../lib/logger.js';
import type { EventClaims } from './ports.js';
import { processItemOf, type EventProcessor, type ProcessResult } from './process-events.js';

export interface DueEventOptions {
  claims: EventClaims;
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

export class DueEventClaimer {
  private readonly now: () => Date;
  private stopping = false;

  constructor(private readonly options: DueEventOptions) {
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
      const rows = await this.options.claims.claimDue({
        now: this.now(),
        limit: Math.min(this.options.batchSize, maxEvents - total.claimed),
        leaseSeconds: this.options.leaseSeconds,
        worker: this.options.workerId,
      });
      if (rows.length === 0) break;
      total.claimed += rows.length;
      const result = await this.options.processor.process(rows.map(processItemOf));
      total.completed += result.completed;
      total.retrying += result.retrying;
      total.failed += result.failed;
      if (rows.length < this.options.batchSize) break;
    }
  }

  releaseLeases(): Promise<number> {
    return this.options.claims.releaseLeases(this.options.workerId);
  }
}
