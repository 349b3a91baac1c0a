/**
 * The fastify app factory. It wires routes to the services it is handed and
 * never opens connections itself: main/daemon.ts builds the parts, tests build
 * them against real Postgres and Redis and call app.inject().
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerRequestContext, requestIdFor } from './plugins/request-context.js';
import { healthRoutes } from './routes/health.js';
import { integrationRoutes, type IntegrationDeps } from './routes/integrations.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  version: string;
  /** Cache, Sheets adapter and ingest budgets (main/integrations.ts); their routes when present. */
  integrations?: IntegrationDeps;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  // Typed as fastify's logger interface so routes see the plain FastifyInstance type.
  const loggerInstance: FastifyBaseLogger = deps.logger;
  const app: FastifyInstance = Fastify({
    loggerInstance,
    // One line per request comes from request-context.ts instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: requestIdFor,
    // Fastify closes idle keep-alive connections on close(), so SIGTERM drains.
    forceCloseConnections: 'idle',
    return503OnClosing: true,
    bodyLimit: 1_048_576,
  });
  registerRequestContext(app);
  registerErrorHandling(app);
  healthRoutes(app, { version: deps.version });
  if (deps.integrations) {
    void app.register(integrationRoutes, { ...deps.integrations, config: deps.config, logger: deps.logger });
  }
  return app;
}
