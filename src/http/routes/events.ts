/**
 * Admin routes over stored events: details with attempts, manual retry, and
 * the webhook handler's health (queue depth, group commit, processor).
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import { AppError } from '../../domain/errors.js';
import { eventDetailsJson, getEventDetails, isEventId } from '../../services/event-details.js';
import type { Models } from '../../store/models/index.js';
import { requireAdmin } from '../plugins/admin-auth.js';
import { acceptAnyBody } from '../plugins/any-body.js';
import { tenantOf } from '../plugins/request-context.js';

export interface EventRouteOptions {
  pool: pg.Pool;
  models: Models;
  /** Makes events due now; returns the ids scheduled. */
  schedule: (ids: string[]) => Promise<string[]>;
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
      const details = await getEventDetails(opts.models, request.params.event_id);
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
      const tenant = tenantOf(request);
      if (tenant !== undefined) {
        const owner = await opts.pool.query<{ tenant_id: string | null }>(
          'SELECT tenant_id FROM webhook_events WHERE id = $1',
          [id],
        );
        if (owner.rows[0]?.tenant_id !== tenant) throw new AppError('EVENT_NOT_FOUND');
      }
      const scheduled = await opts.schedule([id]);
      if (scheduled.length === 0) {
        const exists = await opts.pool.query('SELECT 1 FROM webhook_events WHERE id = $1', [id]);
        if (exists.rowCount === 0) throw new AppError('EVENT_NOT_FOUND');
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

  app.get('/api/v1/webhooks/health', async () => {
    // Each arm of the OR is a partial index's predicate (migrations 0004 and
    // 0007), so this counts the unfinished events without reading the completed ones.
    const counts = await opts.pool.query<{ status: string; count: number }>(
      `SELECT status, count(*)::int AS count FROM webhook_events
        WHERE status IN ('pending', 'processing') OR status = 'retrying' OR status = 'failed'
        GROUP BY status`,
    );
    const queue: Record<string, number> = { pending: 0, processing: 0, retrying: 0, failed: 0 };
    for (const row of counts.rows) queue[row.status] = row.count;
    return { status: 'healthy', service: 'webhooks', queue, handler: opts.handlerStats() };
  });
}
