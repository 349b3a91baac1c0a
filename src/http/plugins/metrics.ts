/**
 * HTTP metrics and GET /metrics. The onResponse hook counts every answer by
 * method, route template (request.routeOptions.url, never the raw URL; one
 * fixed label for requests no route matched) and status code, and webhook
 * deliveries by source and outcome. With PROMETHEUS_ENABLED=false buildApp does
 * not register this plugin, so /metrics is a 404 like any unknown path.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UNMATCHED_ROUTE, type ServiceMetrics } from '../../metrics/metrics.js';
import { sourceLabel, type IsConfiguredSource } from '../../metrics/source-labels.js';
import { NAMED_ROUTE_SOURCES } from '../../domain/source.js';

export interface MetricsDeps {
  metrics: ServiceMetrics;
  isConfiguredSource: IsConfiguredSource;
}

/** Which source a webhook route delivers to, by route template; undefined for other routes. */
const NAMED_WEBHOOK_ROUTES: Record<string, string> = {
  '/api/v1/webhooks/stripe': NAMED_ROUTE_SOURCES.stripe,
  '/api/v1/webhooks/google/sheets': NAMED_ROUTE_SOURCES.googleSheets,
  '/api/v1/webhooks/yandex/maps': NAMED_ROUTE_SOURCES.yandexMaps,
};
const GENERIC_WEBHOOK_ROUTE = '/api/v1/webhooks/generic/:source';

function webhookSource(request: FastifyRequest, route: string): string | undefined {
  if (request.method !== 'POST') return undefined;
  const named = NAMED_WEBHOOK_ROUTES[route];
  if (named !== undefined) return named;
  if (route !== GENERIC_WEBHOOK_ROUTE) return undefined;
  const params = request.params as { source?: unknown } | undefined;
  return typeof params?.source === 'string' ? params.source : '';
}

/** The outcome label of a webhook answer; the status code alone says which it was. */
export function webhookOutcome(statusCode: number): string {
  if (statusCode === 202) return 'accepted';
  if (statusCode === 200) return 'duplicate';
  if (statusCode === 401) return 'rejected';
  if (statusCode === 404) return 'unknown_source';
  if (statusCode === 413) return 'too_large';
  if (statusCode === 429) return 'rate_limited';
  if (statusCode >= 500) return 'unavailable';
  return 'invalid';
}

export function registerMetrics(app: FastifyInstance, deps: MetricsDeps): void {
  const { metrics } = deps;
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    const labels = { method: request.method, route, status_code: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) metrics.integrationErrors.inc({ type: 'http_5xx' });
    const source = webhookSource(request, route);
    if (source !== undefined) {
      metrics.webhookEvents.inc({
        source: sourceLabel(source, deps.isConfiguredSource),
        status: webhookOutcome(reply.statusCode),
      });
    }
    done();
  });
  // As a plugin, so it loads after @fastify/swagger and appears in the OpenAPI document.
  void app.register(async (scope) => {
    scope.get('/metrics', async (_request, reply) => {
      const body = await metrics.registry.metrics();
      reply.header('Content-Type', metrics.registry.contentType);
      return body;
    });
  });
}
