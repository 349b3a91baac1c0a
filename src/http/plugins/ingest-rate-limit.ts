/**
 * A preHandler for the webhook routes: applies the ingest budget of the route's
 * source and the caller's tenant (X-Management-Company-ID, else none). The
 * webhook routes add it per route, e.g.
 *   app.post('/api/v1/webhooks/stripe', { preHandler: ingestRateLimit(limiter, () => ({ source: 'stripe' })) }, …)
 * and pass the source's webhook_configs.rate_limit_per_minute as perMinute when
 * they have looked it up.
 */
import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { IngestCall, IngestRateLimiter } from '../../ratelimit/ingest-limiter.js';
import { tenantOf } from './request-context.js';

export function ingestRateLimit(
  limiter: IngestRateLimiter,
  resolve: (request: FastifyRequest) => Omit<IngestCall, 'tenantId'> | Promise<Omit<IngestCall, 'tenantId'>>,
): preHandlerAsyncHookHandler {
  return async function ingestBudget(request) {
    const call = await resolve(request);
    await limiter.check({ ...call, tenantId: tenantOf(request) });
  };
}
