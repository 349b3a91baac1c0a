/**
 * The fastify app factory. It wires routes to the services it is handed and
 * never opens connections itself: main/runtime.ts builds the parts, tests build
 * them against real Postgres and Redis and call app.inject().
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import {
  answerClientError,
  answerFrameworkError,
  registerErrorHandling,
  sendError,
} from './plugins/errors.js';
import { registerRequestContext, requestIdFor } from './plugins/request-context.js';
import { eventStreamRoutes } from './routes/event-stream.js';
import { eventRoutes, type EventRouteOptions } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { webhookRoutes, type WebhookRouteOptions } from './routes/webhooks.js';
import { integrationRoutes, type IntegrationDeps } from './routes/integrations.js';
import { registerMetrics, type MetricsDeps } from './plugins/metrics.js';
import { registerOpenApi } from './plugins/openapi.js';
import type { EventStreamHub } from '../services/event-stream.js';
import type { DetailedHealth } from '../services/health-report.js';
import { capConnections, ConnectionTracker, serverOptions } from './server.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  version: string;
  /** False once shutdown began: every request gets 503 SHUTTING_DOWN. */
  accepting?: () => boolean;
  webhooks?: Omit<WebhookRouteOptions, 'maxBodyBytes' | 'accepting'>;
  events?: Omit<EventRouteOptions, 'adminToken'>;
  /** GET /api/v1/events/stream (services/event-stream.ts). */
  stream?: EventStreamHub;
  /** Cache and Sheets adapter (main/integrations.ts); their routes when present. */
  integrations?: IntegrationDeps;
  /** Prometheus metrics and GET /metrics; left out when PROMETHEUS_ENABLED=false. */
  metrics?: MetricsDeps;
  /** GET /health/detailed (services/health-report.ts). */
  detailedHealth?: () => Promise<DetailedHealth>;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  // Typed as fastify's logger interface so routes see the plain FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    // Request, header and keep-alive timeouts (server.ts); connections are capped below.
    ...serverOptions(deps.config),
    // One line per request comes from request-context.ts instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    // Fastify closes idle keep-alive connections on close(), so SIGTERM drains.
    forceCloseConnections: 'idle',
    // Our own onRequest hook answers during shutdown, in our error format.
    return503OnClosing: false,
    // Source names in /generic/{source} are checked by the route (404 UNKNOWN_SOURCE), not cut off here.
    routerOptions: { maxParamLength: 1000 },
    bodyLimit: 1_048_576,
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const connections = new ConnectionTracker();
  connections.follow(app.server);
  capConnections(app.server, deps.config.httpMaxConnections, deps.logger);
  // Before the server's close(): connections with no fully received request cannot have been
  // acknowledged, and Node would wait for them (it stops its timeout checks on close), so they
  // are cut; received requests are still answered, and their connections close after.
  app.addHook('preClose', (done) => {
    const cut = connections.beginClose();
    if (cut > 0) deps.logger.info({ connections: cut }, 'closed connections with no complete request');
    done();
  });
  const accepting = deps.accepting ?? (() => true);
  registerRequestContext(app);
  registerErrorHandling(app);
  // Before every route: the OpenAPI document is collected from their schemas as they are added.
  registerOpenApi(app, deps.version);
  if (deps.metrics && deps.config.prometheusEnabled) registerMetrics(app, deps.metrics);
  app.addHook('onRequest', async (_request, reply) => {
    if (accepting()) return;
    reply.header('Connection', 'close');
    return sendError(reply, 'SHUTTING_DOWN', undefined, 5);
  });
  // Answers sent while shutting down close their keep-alive connection, so the
  // server's close() does not wait out the clients' keep-alive timeouts.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (!accepting()) reply.header('Connection', 'close');
    done(null, payload);
  });
  // As a plugin, so it loads after @fastify/swagger and appears in the OpenAPI document.
  void app.register(async (scope) =>
    healthRoutes(scope, { version: deps.version, detailed: deps.detailedHealth }),
  );
  if (deps.webhooks) {
    void app.register(webhookRoutes, {
      ...deps.webhooks,
      maxBodyBytes: deps.config.webhookMaxBodyBytes,
      accepting,
    });
  }
  if (deps.events) void app.register(eventRoutes, { ...deps.events, adminToken: deps.config.adminToken });
  if (deps.stream) {
    void app.register(eventStreamRoutes, {
      hub: deps.stream,
      adminToken: deps.config.adminToken,
      heartbeatSeconds: deps.config.eventsStreamHeartbeatSeconds,
      maxBufferBytes: deps.config.eventsStreamMaxBufferBytes,
    });
  }
  if (deps.integrations) {
    void app.register(integrationRoutes, { ...deps.integrations, config: deps.config, logger: deps.logger });
  }
  return app;
}
