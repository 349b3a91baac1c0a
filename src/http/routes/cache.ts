/**
 * GET /cache/stats?tenant_id=…: one tenant's cache counters, open as in the old
 * service, except that a caller scoped to one tenant (X-Management-Company-ID)
 * cannot read another's. Without tenant_id: every tenant, admin only.
 */
import type { FastifyInstance } from 'fastify';
import type { CacheService } from '../../cache/cache-service.js';
import { AppError } from '../../domain/errors.js';
import { cacheStats, type CacheSettings } from '../../services/cache-stats.js';
import { isAdmin } from '../plugins/admin-auth.js';
import { tenantOf } from '../plugins/request-context.js';

export interface CacheRouteOptions {
  cache: CacheService;
  settings: CacheSettings;
  adminToken: string | undefined;
}

const namespaceStats = {
  type: 'object',
  properties: {
    hits: { type: 'integer' },
    misses: { type: 'integer' },
    total: { type: 'integer' },
    hit_rate: { type: 'number' },
    sets: { type: 'integer' },
    invalidations: { type: 'integer' },
  },
} as const;

export function cacheRoutes(app: FastifyInstance, opts: CacheRouteOptions): void {
  app.get<{ Querystring: { tenant_id?: string; detail?: boolean } }>(
    '/cache/stats',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            tenant_id: { type: 'string', maxLength: 128 },
            detail: {
              type: 'boolean',
              description: 'admin only: sets and invalidations too, as integctl cache stats shows',
            },
          },
        },
        response: {
          200: {
            type: 'object',
            properties: {
              cache_enabled: { type: 'boolean' },
              default_ttl: { type: 'integer' },
              max_connections: { type: 'integer' },
              tenant_id: { type: ['string', 'null'] },
              namespaces: { type: 'object', additionalProperties: namespaceStats },
              tenants: {
                type: 'object',
                additionalProperties: { type: 'object', additionalProperties: namespaceStats },
              },
            },
          },
        },
      },
    },
    async (request, reply) => {
      const tenantId = request.query.tenant_id;
      const admin = isAdmin(request, opts.adminToken);
      if (tenantId === undefined && !admin) {
        reply.header('WWW-Authenticate', 'Bearer realm="integration-service"');
        throw new AppError(
          'UNAUTHORIZED',
          'Stats of all tenants are admin-only: send Authorization: Bearer <ADMIN_TOKEN>, or ask for one tenant with ?tenant_id=.',
        );
      }
      const caller = tenantOf(request);
      if (tenantId !== undefined && caller !== undefined && caller !== tenantId && !admin) {
        throw new AppError(
          'FORBIDDEN',
          "A caller scoped to one tenant may read only that tenant's cache stats.",
        );
      }
      return cacheStats(opts.cache, opts.settings, {
        tenantId,
        detail: admin && request.query.detail === true,
      });
    },
  );
}
