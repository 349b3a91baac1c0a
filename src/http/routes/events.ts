/**
 * Admin routes over stored events: details with attempts, manual retry, and
 * the webhook handler's health (queue depth, group commit, processor).
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { eventDetailsJson, getEventDetails, isEventId } from '../../services/event-details.js';
import type { EventQueries } from '../../services/ports.js';
import { retryEventsById } from '../../services/schedule-retries.js';
import { requireAdmin } from '../plugins/admin-auth.js';
import { acceptAnyBody } from '../plugins/any-body.js';
import { tenantOf } from '../plugins/request-context.js';

export interface EventRouteOptions {
  events: EventQueries;
  adminToken: string | undefined;
  /** Wakes this daemon's retry loop after a manual retry (a no-op in api-only daemons). */
  wake: () => void;
  handlerStats: () => Record<string, number>;
}

export async function eventRoutes(app: FastifyInstance, opts: EventRouteOptions): Promise<void> {
  const admin = requireAdmin(opts.adminToken);
  // These routes read no body: whatever a client sends with a retry (curl -d '',
  // an empty JSON body, any label) is read up to a small limit and ignored.
  acceptAnyBody(app, 64 * 1024);
  const params = {
    type: 'object',
    properties: { event_id: { type: 'string', maxLength: 100 } },
    required: ['event_id'],
  };
  // For the OpenAPI document: who may call, and the answers besides the 2xx.
  const errorBody = {
    type: 'object',
    properties: {
      error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  };
  const adminOnly = { security: [{ adminToken: [] }] };

  app.get<{ Params: { event_id: string } }>(
    '/api/v1/webhooks/events/:event_id',
    {
      preHandler: admin,
      schema: {
        ...adminOnly,
        params,
        response: {
          200: {
            description: 'status, attempts, errors, payload, redacted headers',
            type: 'object',
            additionalProperties: true,
          },
          '4xx': errorBody,
          503: errorBody,
        },
      },
    },
    async (request, reply) => {
      const details = await getEventDetails(opts.events, request.params.event_id);
      // A caller that names a tenant sees only that tenant's events; another
      // tenant's event is "not found", so ids cannot be probed across tenants.
      const tenant = tenantOf(request);
      if (details === undefined || (tenant !== undefined && details.tenant_id !== tenant)) {
        throw new AppError('EVENT_NOT_FOUND');
      }
      // Written here, not by the serializer: the payload goes out as stored.
      return reply.type('application/json; charset=utf-8').send(eventDetailsJson(details));
    },
  );

  app.post<{ Params: { event_id: string } }>(
    '/api/v1/webhooks/events/:event_id/retry',
    {
      preHandler: admin,
      schema: {
        ...adminOnly,
        params,
        response: {
          202: {
            description: 'scheduled: the retry loop publishes it again at once',
            type: 'object',
            properties: { status: { type: 'string', enum: ['scheduled'] }, event_id: { type: 'string' } },
          },
          '4xx': errorBody,
          503: errorBody,
        },
      },
    },
    async (request, reply) => {
      const id = request.params.event_id;
      if (!isEventId(id)) throw new AppError('EVENT_NOT_FOUND');
      // The same use case as integctl events retry <id>.
      const result = await retryEventsById(opts.events, [id], {
        now: new Date(),
        dryRun: false,
        tenant: tenantOf(request),
      });
      if (result.unknown.length > 0) throw new AppError('EVENT_NOT_FOUND');
      if (result.busy.length > 0) {
        throw new AppError(
          'BAD_REQUEST',
          'the event is being processed right now; retry when it has finished',
        );
      }
      opts.wake();
      reply.code(202);
      return { status: 'scheduled', event_id: id };
    },
  );

  app.get('/api/v1/webhooks/health', async () => ({
    status: 'healthy',
    service: 'webhooks',
    queue: await opts.events.unfinishedCounts(),
    handler: opts.handlerStats(),
  }));
}
