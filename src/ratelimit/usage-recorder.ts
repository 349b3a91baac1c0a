/**
 * Counts this process's outbound calls per service, tenant and clock-aligned
 * window, and adds them to api_rate_limits every 30 seconds (never per call).
 * The table is the operator's record, not the limiter: the limiter's own
 * counters live in Redis. Windows recorded: those with a limit, and always
 * `day`, so usage shows even for services without a budget (minute rows would
 * otherwise add 1,440 rows a day per tenant for nothing).
 * A failed flush keeps its counts for the next one.
 */
import type pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';
import { GLOBAL_TENANT } from '../redis/keys.js';
import { addApiUsage, type ApiUsageRow } from '../store/sql/add-api-usage.js';
import { WINDOW_KINDS, windowStart, type Limits } from './windows.js';

export interface UsageSink {
  record(service: string, tenant: string, limits: Limits, at?: number): void;
}

export class ApiUsageRecorder implements UsageSink {
  private pending = new Map<string, ApiUsageRow>();
  private timer: NodeJS.Timeout | undefined;
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly pool: pg.Pool,
    log: Logger,
  ) {
    this.warning = new ThrottledWarning(log, 'cannot write api_rate_limits; keeping the counts for later');
  }

  record(service: string, tenant: string, limits: Limits, at = Date.now()): void {
    const storedTenant = tenant === GLOBAL_TENANT ? '' : tenant;
    for (const window of WINDOW_KINDS) {
      const limit = limits[window] ?? 0;
      if (limit <= 0 && window !== 'day') continue;
      const start = windowStart(window, at);
      const key = `${service}\u0000${storedTenant}\u0000${window}\u0000${start.getTime()}`;
      const row = this.pending.get(key);
      if (row) {
        row.count++;
        row.limit = limit > 0 ? limit : null;
      } else {
        this.pending.set(key, {
          service,
          tenant: storedTenant,
          window,
          windowStart: start,
          count: 1,
          limit: limit > 0 ? limit : null,
        });
      }
    }
  }

  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await addApiUsage(this.pool, [...batch.values()]);
    } catch (err) {
      for (const [key, row] of batch) {
        const newer = this.pending.get(key);
        if (newer) newer.count += row.count;
        else this.pending.set(key, row);
      }
      this.warning.report(err);
    }
  }

  start(everyMs = 30_000): void {
    this.timer = setInterval(() => void this.flush(), everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
