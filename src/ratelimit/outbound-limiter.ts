/**
 * Outbound budgets per external service and tenant, in minute, hour and day
 * windows (see service-limits.ts for where the numbers come from). acquire()
 * is called before every outbound HTTP request, retries included.
 *
 * Over budget, a call waits for the window to reopen when that is within
 * OUTBOUND_RATE_LIMIT_MAX_WAIT_MS, else fails with 429 OUTBOUND_RATE_LIMITED and
 * Retry-After. A call refused by one window gives back the points it took in
 * the others, so a caller waiting on the minute window does not spend the day.
 * With Redis every daemon shares the budget (rate-limiter-flexible keys under
 * keys.rateLimitPrefix('outbound')); without it the budget is per process.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../domain/errors.js';
import { resolveTenant, type KeySpace } from '../redis/keys.js';
import type { LimiterFactory } from './limiter-factory.js';
import type { ServiceLimitsSource } from './service-limits.js';
import type { UsageSink } from './usage-recorder.js';
import { WINDOW_KINDS, WINDOW_SECONDS, type WindowKind } from './windows.js';

export interface OutboundLimiterOptions {
  factory: LimiterFactory;
  keys: KeySpace;
  limits: ServiceLimitsSource;
  usage?: UsageSink;
  maxWaitMs: number;
  /** Window lengths; tests shorten them to exercise waiting. */
  windowSeconds?: Readonly<Record<WindowKind, number>>;
  sleep?: (ms: number) => Promise<void>;
}

export interface RateLimitedCall {
  service: string;
  tenantId?: string;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class OutboundRateLimiter {
  private readonly limiters = new Map<string, RateLimiterAbstract>();
  private readonly windowSeconds: Readonly<Record<WindowKind, number>>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: OutboundLimiterOptions) {
    this.windowSeconds = options.windowSeconds ?? WINDOW_SECONDS;
    this.sleep = options.sleep ?? realSleep;
  }

  private limiter(window: WindowKind, points: number): RateLimiterAbstract {
    const id = `${window}:${points}`;
    let limiter = this.limiters.get(id);
    if (limiter === undefined) {
      limiter = this.options.factory.create(
        this.options.keys.rateLimitPrefix('outbound'),
        points,
        this.windowSeconds[window],
      );
      this.limiters.set(id, limiter);
    }
    return limiter;
  }

  /** Resolves when the call may go out; throws 429 OUTBOUND_RATE_LIMITED or 503 EXTERNAL_SERVICE_DISABLED. */
  async acquire(call: RateLimitedCall): Promise<void> {
    const { service } = call;
    const tenant = resolveTenant(call.tenantId);
    if (!this.options.limits.isActive(service)) {
      throw new AppError(
        'EXTERNAL_SERVICE_DISABLED',
        `${service} is disabled in external_services (is_active = false)`,
      );
    }
    const deadline = Date.now() + this.options.maxWaitMs;
    for (;;) {
      const limits = this.options.limits.limitsFor(service);
      const windows = WINDOW_KINDS.filter((w) => (limits[w] ?? 0) > 0);
      const waitMs = await this.tryConsume(service, tenant, windows, limits);
      if (waitMs === 0) {
        this.options.usage?.record(service, tenant, limits);
        return;
      }
      if (Date.now() + waitMs > deadline) {
        throw new AppError(
          'OUTBOUND_RATE_LIMITED',
          `the ${service} budget of this tenant is spent; retry in ${Math.ceil(waitMs / 1000)} s`,
          waitMs / 1000,
        );
      }
      await this.sleep(waitMs);
    }
  }

  /** 0 when every window accepted; else how long until the fullest one reopens. */
  private async tryConsume(
    service: string,
    tenant: string,
    windows: WindowKind[],
    limits: Partial<Record<WindowKind, number>>,
  ): Promise<number> {
    const keys = this.options.keys;
    const attempts = await Promise.allSettled(
      windows.map((w) => this.limiter(w, limits[w] ?? 0).consume(keys.rateLimitKey(tenant, service, w), 1)),
    );
    let waitMs = 0;
    const accepted: WindowKind[] = [];
    attempts.forEach((attempt, i) => {
      const window = windows[i] as WindowKind;
      if (attempt.status === 'fulfilled') accepted.push(window);
      else if (attempt.reason instanceof RateLimiterRes)
        waitMs = Math.max(waitMs, attempt.reason.msBeforeNext, 1);
      // Any other rejection is a store error the insurance limiter did not
      // absorb; the call goes out rather than failing on our bookkeeping.
    });
    if (waitMs > 0) {
      await Promise.allSettled(
        accepted.map((w) => this.limiter(w, limits[w] ?? 0).reward(keys.rateLimitKey(tenant, service, w), 1)),
      );
    }
    return waitMs;
  }
}
