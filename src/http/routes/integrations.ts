/**
 * The routes of the outbound half: GET /cache/stats, the Google Sheets API
 * under /api/v1/google-sheets and the geocoding API under /api/v1/geocoding. One plugin, so buildApp registers them with one
 * line; registered through app.register, it loads when the app is made ready,
 * after the error handler is in place.
 */
import type { FastifyInstance } from 'fastify';
import type { CacheService } from '../../cache/cache-service.js';
import type { Config } from '../../config/schema.js';
import type { Logger } from '../../lib/logger.js';
import type { SheetsGateway } from '../../sheets/types.js';
import type { IntegrationEventSink } from '../../services/integration-ports.js';
import { cacheRoutes } from './cache.js';
import { geocodingRoutes, type GeocodingRouteDeps } from './geocoding.js';
import { sheetsRoutes } from './sheets.js';

/** What main/integrations.ts builds for the app. */
export interface IntegrationDeps {
  cache: CacheService;
  /** The Sheets adapter, configured or not; without it no Sheets routes exist. */
  sheets?: SheetsGateway;
  /** The geocoding API; without it no geocoding routes exist. */
  geocoding?: GeocodingRouteDeps;
  /** Where a Sheets write or append is announced (integration.sheets.data.updated). */
  events?: IntegrationEventSink;
}

export async function integrationRoutes(
  app: FastifyInstance,
  opts: IntegrationDeps & { config: Config; logger: Logger },
): Promise<void> {
  const adminToken = opts.config.adminToken;
  cacheRoutes(app, { cache: opts.cache, settings: opts.config, adminToken });
  if (opts.sheets) {
    await app.register(sheetsRoutes, {
      prefix: '/api/v1/google-sheets',
      gateway: opts.sheets,
      cache: opts.cache,
      log: opts.logger,
      events: opts.events,
      adminToken,
    });
  }
  if (opts.geocoding) {
    await app.register(geocodingRoutes, { prefix: '/api/v1/geocoding', ...opts.geocoding, adminToken });
  }
}
