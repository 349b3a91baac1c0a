/**
 * Webhook ingest routes. Registered as an encapsulated plugin whose only
 * content-type parser keeps the body as raw bytes (whatever the content type),
 * with the size limit enforced while reading: signatures are checked on exactly
 * the bytes the provider sent, and nothing outside this plugin sees raw bodies.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { NAMED_ROUTE_SOURCES } from '../../domain/source.js';
import type { IngestService } from '../../services/ingest-webhook.js';
import { acceptAnyBody, restoreContentType } from '../plugins/any-body.js';
import { decodedWebhook } from '../plugins/content-encoding.js';
import { tenantOf } from '../plugins/request-context.js';

export interface WebhookRouteOptions {
  ingest: IngestService;
  maxBodyBytes: number;
  /** False while shutting down: new webhooks get 503 so the provider retries elsewhere. */
  accepting: () => boolean;
}

const answerSchema = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['accepted', 'duplicate'] },
    event_id: { type: 'string', format: 'uuid' },
  },
};
const errorSchema = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};
const routeSchema = {
  response: { 200: answerSchema, 202: answerSchema, '4xx': errorSchema, '5xx': errorSchema },
};

export async function webhookRoutes(app: FastifyInstance, opts: WebhookRouteOptions): Promise<void> {
  // Signatures cover bytes, not labels: an odd Content-Type must not cost a provider its event.
  acceptAnyBody(app, opts.maxBodyBytes);

  const handle =
    (sourceName: (request: FastifyRequest) => string) =>
    async (request: FastifyRequest, reply: FastifyReply) => {
      if (!opts.accepting()) throw new AppError('SHUTTING_DOWN', undefined, 5);
      const sent = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      restoreContentType(request);
      // A compressed body is stored decoded; the signature may cover either form.
      const body = await decodedWebhook(sent, request.headers, opts.maxBodyBytes);
      const result = await opts.ingest.ingest({
        sourceName: sourceName(request),
        rawBody: body.rawBody,
        headers: body.headers,
        sentBody: body.sentBody,
        tenantId: tenantOf(request),
      });
      reply.code(result.status === 'accepted' ? 202 : 200);
      return { status: result.status, event_id: result.eventId };
    };

  app.post(
    '/api/v1/webhooks/stripe',
    { schema: routeSchema },
    handle(() => NAMED_ROUTE_SOURCES.stripe),
  );
  app.post(
    '/api/v1/webhooks/google/sheets',
    { schema: routeSchema },
    handle(() => NAMED_ROUTE_SOURCES.googleSheets),
  );
  app.post(
    '/api/v1/webhooks/yandex/maps',
    { schema: routeSchema },
    handle(() => NAMED_ROUTE_SOURCES.yandexMaps),
  );
  app.post<{ Params: { source: string } }>(
    '/api/v1/webhooks/generic/:source',
    { schema: routeSchema },
    handle((request) => (request.params as { source: string }).source),
  );
}
