/**
 * Ingest budgets: webhooks accepted per minute per source and tenant, off by
 * default (WEBHOOK_RATE_LIMIT_PER_MINUTE=0), with webhook_configs
 * .rate_limit_per_minute overriding it per source. Over budget the answer is
 * 429 RATE_LIMITED with Retry-After, at once: providers retry on their own
 * schedule, and holding their connection would only tie up ours.
 *
 * IngestService applies it after the signature checks out (so unsigned floods
 * cannot spend a source's budget), only on webhook routes: /health and the
 * admin endpoints are never throttled.
 */
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../domain/errors.js';
import { resolveTenant, type KeySpace } from '../redis/keys.js';
import type { LimiterFactory } from './limiter-factory.js';

export interface IngestCall {
  source: string;
  tenantId?: string;
  /** The source's own limit (webhook_configs.rate_limit_per_minute), if any. */
  perMinute?: number | null;
}

export class IngestRateLimiter {
  private readonly limiters = new Map<number, RateLimiterAbstract>();

  constructor(
    private readonly factory: LimiterFactory,
    private readonly keys: KeySpace,
    private readonly defaultPerMinute: number,
    private readonly windowSeconds = 60,
  ) {}

  /** Resolves when the webhook may be ingested; throws 429 RATE_LIMITED otherwise. */
  async check(call: IngestCall): Promise<void> {
    const limit = call.perMinute ?? this.defaultPerMinute;
    if (limit <= 0) return;
    let limiter = this.limiters.get(limit);
    if (limiter === undefined) {
      limiter = this.factory.create(this.keys.rateLimitPrefix('ingest'), limit, this.windowSeconds);
      this.limiters.set(limit, limiter);
    }
    const tenant = resolveTenant(call.tenantId);
    try {
      await limiter.consume(this.keys.rateLimitKey(tenant, call.source, 'minute'), 1);
    } catch (rejection) {
      // A store error the insurance limiter did not absorb lets the webhook in:
      // refusing deliveries because our counter is unreachable loses events.
      if (!(rejection instanceof RateLimiterRes)) return;
      throw new AppError(
        'RATE_LIMITED',
        `source ${call.source} is over its limit of ${limit} webhooks per minute for this tenant; retry after Retry-After`,
        Math.max(rejection.msBeforeNext, 1) / 1000,
      );
    }
  }
}
