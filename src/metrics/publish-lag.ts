/**
 * webhook_publish_lag_seconds: receipt to publish, per event.
 *
 * Events this process ingested and publishes on its fast path are timed from
 * memory (the processor's onAccepted, right after the commit, to its
 * onResult): no I/O on the hot path. Events published by the retry loop (or by
 * another process's ingest) are not in memory; for those one query per
 * processed batch reads published_at - received_at from Postgres. Retries are
 * rare and batched, so that query is cheap where it matters, and it is the only
 * way to see the long lags (minutes) an operator alerts on.
 */
import type { Histogram } from 'prom-client';
import type { Logger } from '../lib/logger.js';

/** More than this many unpublished fast-path events in memory means something is stuck; forget the oldest. */
const MAX_TRACKED = 100_000;

export class PublishLagTracker {
  private readonly receivedAt = new Map<string, number>();

  constructor(
    private readonly histogram: Histogram,
    /** Seconds from receipt to publish of those of the events that were published (store/sql/backlog.ts). */
    private readonly lagsOf: (ids: readonly string[]) => Promise<number[]>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Events committed by this process's ingest, about to be published. */
  received(ids: readonly string[]): void {
    const at = this.now();
    for (const id of ids) this.receivedAt.set(id, at);
    // Maps iterate in insertion order: the first keys are the oldest.
    for (const id of this.receivedAt.keys()) {
      if (this.receivedAt.size <= MAX_TRACKED) break;
      this.receivedAt.delete(id);
    }
  }

  /** A processed batch; `allPublished` false when some of it failed to publish (which ones is not said). */
  published(ids: readonly string[], publishedAt: Date, allPublished: boolean): void {
    const unknown: string[] = [];
    for (const id of ids) {
      const at = this.receivedAt.get(id);
      this.receivedAt.delete(id);
      if (at !== undefined && allPublished)
        this.histogram.observe(Math.max(0, publishedAt.getTime() - at) / 1000);
      else unknown.push(id);
    }
    if (unknown.length > 0) void this.fromDatabase(unknown);
  }

  private async fromDatabase(ids: string[]): Promise<void> {
    try {
      for (const lag of await this.lagsOf(ids)) this.histogram.observe(Math.max(0, lag));
    } catch (err) {
      // A metric is not worth an error: Postgres being down is reported elsewhere.
      this.log.debug({ err }, 'publish lag not read');
    }
  }
}
