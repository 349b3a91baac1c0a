/**
 * Logs a recurring failure once per interval instead of once per occurrence: a
 * Redis outage under load would otherwise write thousands of identical lines a
 * second. The first failure of a burst is logged at once; later ones are counted
 * and reported with the next line (`suppressed`), at most one per interval.
 */
import type { Logger } from './logger.js';

export class ThrottledWarning {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private suppressed = 0;

  constructor(
    private readonly log: Logger,
    private readonly message: string,
    private readonly intervalMs = 30_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(err: unknown, fields: Record<string, unknown> = {}): void {
    const t = this.now();
    if (t - this.lastLoggedAt < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const reason = err instanceof Error ? err.message : String(err);
    this.log.warn({ ...fields, reason, suppressed: this.suppressed }, this.message);
    this.lastLoggedAt = t;
    this.suppressed = 0;
  }
}
