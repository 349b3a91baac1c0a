/**
 * Where the outbound limiter reads which budget applies to a service and
 * whether it is switched on. The daemon's source is the external_services
 * catalogue (services/service-catalog.ts: a row where there is one, else the
 * OUTBOUND_RATE_LIMIT_* defaults, re-read every 5 s); StaticServiceLimits is
 * for tests and fixed setups.
 */
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
