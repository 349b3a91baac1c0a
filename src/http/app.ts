/**
 * The fastify app factory. It wires routes to the services it is handed and
 * never opens connections itself: main/daemon.ts builds the parts, tests build
 * them against real Postgres and Redis and call app.inject().
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { CacheService } from '../cache/cache-service.js';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import type { IngestRateLimiter } from '../ratelimit/ingest-limiter.js';
import type { SheetsGateway } from '../sheets/types.js';
import { registerErrorHandling } from './plugins/errors.js';
import { registerRequestContext, requestIdFor } from './plugins/request-context.js';
import { cacheRoutes } from './routes/cache.js';
import { healthRoutes } from './routes/health.js';
import { sheetsRoutes } from './routes/sheets.js';

export interface AppDeps {
  config: Config;
  logger: Logger;
  version: string;
  /** The tenant cache; GET /cache/stats is served when present. */
  cache?: CacheService;
  /** The Google Sheets adapter (configured or not); /api/v1/google-sheets/* with the cache. */
  sheets?: SheetsGateway;
  /**
   * Ingest budgets per source and tenant, for the webhook routes to attach with
   * http/plugins/ingest-rate-limit.ts (no route uses it here).
   */
  ingestLimiter?: IngestRateLimiter;
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
  if (deps.cache) {
    cacheRoutes(app, { cache: deps.cache, settings: deps.config, adminToken: deps.config.adminToken });
  }
  if (deps.sheets && deps.cache) {
    const sheets = {
      gateway: deps.sheets,
      cache: deps.cache,
      log: deps.logger,
      adminToken: deps.config.adminToken,
    };
    void app.register(sheetsRoutes, { prefix: '/api/v1/google-sheets', ...sheets });
  }
  return app;
}
