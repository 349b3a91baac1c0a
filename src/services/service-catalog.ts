/**
 * The daemon's view of external_services: every row re-read every 5 seconds
 * (a handful of rows, one SELECT), so what an operator changes with integctl
 * services (a key, a budget, a priority, on/off) reaches every running daemon
 * within that time, without a restart. It is the outbound limiter's source of
 * budgets and the geocoding providers' source of keys, URLs and priorities.
 *
 * A failed read keeps the last rows in force (logged once per interval):
 * Postgres being away must not switch providers off or lift budgets.
 */
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import { ThrottledWarning } from '../lib/throttled-warning.js';
import type { ServiceLimitsSource } from '../ratelimit/service-limits.js';
import type { Limits } from '../ratelimit/windows.js';
import type { ExternalServiceRecord, ExternalServiceStore } from './integration-ports.js';
import { effectiveSettings, type ServiceSettings } from './service-settings.js';

/** How often rows are re-read: the "within 5 seconds" of integctl services. */
export const CATALOG_REFRESH_MS = 5000;

export interface ServiceSettingsSource {
  settings(name: string): ServiceSettings;
}

export class ServiceCatalog implements ServiceLimitsSource, ServiceSettingsSource {
  private rows = new Map<string, ExternalServiceRecord>();
  private memo = new Map<string, ServiceSettings>();
  private timer: NodeJS.Timeout | undefined;
  private readonly warning: ThrottledWarning;

  constructor(
    private readonly store: ExternalServiceStore,
    private readonly config: Config,
    log: Logger,
  ) {
    this.warning = new ThrottledWarning(log, 'cannot read external_services; keeping the last settings');
  }

  async refresh(): Promise<void> {
    try {
      const rows = await this.store.list();
      this.rows = new Map(rows.map((r) => [r.name, r]));
      this.memo = new Map();
    } catch (err) {
      this.warning.report(err);
    }
  }

  async start(everyMs = CATALOG_REFRESH_MS): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  settings(name: string): ServiceSettings {
    let s = this.memo.get(name);
    if (s === undefined) {
      s = effectiveSettings(name, this.rows.get(name), this.config);
      this.memo.set(name, s);
    }
    return s;
  }

  limitsFor(service: string): Limits {
    const s = this.settings(service);
    return {
      minute: s.rateLimitPerMinute.value,
      hour: s.rateLimitPerHour.value,
      day: s.rateLimitPerDay.value,
    };
  }

  isActive(service: string): boolean {
    return this.settings(service).active.value;
  }
}
