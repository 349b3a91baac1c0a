/**
 * Which budget applies to an external service: its external_services row
 * (rate_limit_per_minute / _hour / _day, is_active) where it has one, else the
 * OUTBOUND_RATE_LIMIT_* defaults. Rows are re-read every minute, so an operator
 * changes a budget with an UPDATE and no restart. If Postgres does not answer,
 * the last rows read stay in force (logged once per interval).
 */
import type pg from 'pg';
import type { Logger } from '../lib/logger.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';
import {
  selectExternalServiceLimits,
  type ExternalServiceLimitsRow,
} from '../store/sql/external-service-limits.js';
import type { Limits } from './windows.js';

export interface ServiceLimitsSource {
  limitsFor(service: string): Limits;
  isActive(service: string): boolean;
}

/** Fixed limits, for the in-process default and tests. */
export class StaticServiceLimits implements ServiceLimitsSource {
  constructor(
    private readonly defaults: Limits,
    private readonly perService: Record<string, Limits> = {},
  ) {}
  limitsFor(service: string): Limits {
    return { ...this.defaults, ...this.perService[service] };
  }
  isActive(): boolean {
    return true;
  }
}

export class DatabaseServiceLimits implements ServiceLimitsSource {
  private rows = new Map<string, ExternalServiceLimitsRow>();
  private timer: NodeJS.Timeout | undefined;
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly pool: pg.Pool,
    private readonly defaults: Limits,
    log: Logger,
  ) {
    this.warning = new ThrottledWarning(log, 'cannot read external_services; keeping the last budgets');
  }

  async refresh(): Promise<void> {
    try {
      const rows = await selectExternalServiceLimits(this.pool);
      this.rows = new Map(rows.map((r) => [r.name, r]));
    } catch (err) {
      this.warning.report(err);
    }
  }

  async start(everyMs = 60_000): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  limitsFor(service: string): Limits {
    const row = this.rows.get(service);
    return {
      minute: row?.rate_limit_per_minute ?? this.defaults.minute,
      hour: row?.rate_limit_per_hour ?? this.defaults.hour,
      day: row?.rate_limit_per_day ?? this.defaults.day,
    };
  }

  isActive(service: string): boolean {
    return this.rows.get(service)?.is_active ?? true;
  }
}
