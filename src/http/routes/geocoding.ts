/**
 * The geocoding API under /api/v1/geocoding: forward, reverse, batch,
 * distance and health. Admin endpoints when ADMIN_TOKEN is set, like the
 * Sheets API. The tenant is X-Management-Company-ID (alias X-Tenant-ID),
 * validated before anything else runs; it scopes the cache and the outbound
 * budgets. The work is in services/geocode*.ts.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { resolveTenant } from '../../redis/keys.js';
import {
  forwardGeocode,
  reverseGeocode,
  type GeocodeContext,
  type GeocodeDeps,
} from '../../services/geocode.js';
import { geocodeBatch, geocodeDistance, type DistanceEnd } from '../../services/geocode-batch.js';
import type { ProviderChoice } from '../../services/geocoding-cache.js';
import type { GeocodingHealth } from '../../services/geocoding-health.js';
import { requireAdmin } from '../plugins/admin-auth.js';
import { tenantOf } from '../plugins/request-context.js';
import { strictValidatorCompiler } from '../plugins/strict-validation.js';
import { batchBody, distanceBody, forwardBody, reverseBody } from './geocoding-schemas.js';

export interface GeocodingRouteDeps {
  geocode: GeocodeDeps;
  batchConcurrency: number;
  health: () => GeocodingHealth;
}

interface Common {
  provider?: ProviderChoice;
  language?: string;
}

function contextOf(request: FastifyRequest): GeocodeContext {
  const header = tenantOf(request);
  if (header !== undefined) resolveTenant(header);
  return { tenantId: header, requestId: request.id };
}

const security = [{ adminToken: [] }];
const tags = ['geocoding'];

export async function geocodingRoutes(
  app: FastifyInstance,
  opts: GeocodingRouteDeps & { adminToken: string | undefined },
): Promise<void> {
  app.setValidatorCompiler(strictValidatorCompiler);
  const deps = opts.geocode;
  const admin = { preHandler: requireAdmin(opts.adminToken) };

  app.post<{ Body: Common & { address: string; region?: string } }>(
    '/forward',
    { ...admin, schema: { tags, security, summary: 'address to coordinates', body: forwardBody } },
    async (request) =>
      forwardGeocode(deps, contextOf(request), {
        address: request.body.address,
        provider: request.body.provider ?? 'auto',
        language: request.body.language,
        region: request.body.region,
      }),
  );

  app.post<{ Body: Common & { latitude: number; longitude: number } }>(
    '/reverse',
    { ...admin, schema: { tags, security, summary: 'coordinates to an address', body: reverseBody } },
    async (request) =>
      reverseGeocode(deps, contextOf(request), {
        latitude: request.body.latitude,
        longitude: request.body.longitude,
        provider: request.body.provider ?? 'auto',
        language: request.body.language,
      }),
  );

  app.post<{ Body: Common & { addresses: string[] } }>(
    '/batch',
    {
      ...admin,
      schema: { tags, security, summary: 'up to 100 addresses, answered in input order', body: batchBody },
    },
    async (request) =>
      geocodeBatch(
        deps,
        contextOf(request),
        {
          addresses: request.body.addresses,
          provider: request.body.provider ?? 'auto',
          language: request.body.language,
        },
        opts.batchConcurrency,
      ),
  );

  app.post<{ Body: { origin: DistanceEnd; destination: DistanceEnd; provider?: ProviderChoice } }>(
    '/distance',
    {
      ...admin,
      schema: {
        tags,
        security,
        summary: 'great-circle distance between points or addresses',
        body: distanceBody,
      },
    },
    async (request) =>
      geocodeDistance(deps, contextOf(request), {
        origin: request.body.origin,
        destination: request.body.destination,
        provider: request.body.provider ?? 'auto',
      }),
  );

  app.get(
    '/health',
    { ...admin, schema: { tags, security, summary: 'each provider, from real traffic (no probe calls)' } },
    async () => opts.health(),
  );
}
