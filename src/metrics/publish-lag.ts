/**
 * webhook_publish_lag_seconds: receipt to publish, per event.
 *
 * Events this process ingested and publishes on its fast path are timed from
 * memory (the writer's onInserted, right after the commit, to the processor's
 * onResult): no I/O on the hot path. Events published by the retry loop (or by
 * another process's ingest) are not in memory; for those one query per
 * processed batch reads published_at - received_at from Postgres. Retries are
 * rare and batched, so that query is cheap where it matters, and it is the only
 * way to see the long lags (minutes) an operator alerts on.
 */
import type pg from 'pg';
import type { Histogram } from 'prom-client';
import type { Logger } from '../lib/logger.js';

const LAG_OF = `
SELECT extract(epoch FROM published_at - received_at)::float8 AS lag
  FROM webhook_events
 WHERE id = ANY($1::uuid[]) AND published_at IS NOT NULL`;

/** More than this many unpublished fast-path events in memory means something is stuck; forget the oldest. */
const MAX_TRACKED = 100_000;

export class PublishLagTracker {
  private readonly receivedAt = new Map<string, number>();

  constructor(
    private readonly histogram: Histogram,
    private readonly pool: pg.Pool,
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
      const r = await this.pool.query<{ lag: number }>(LAG_OF, [ids]);
      for (const row of r.rows) this.histogram.observe(Math.max(0, row.lag));
    } catch (err) {
      // A metric is not worth an error: Postgres being down is reported elsewhere.
      this.log.debug({ err }, 'publish lag not read');
    }
  }
}
