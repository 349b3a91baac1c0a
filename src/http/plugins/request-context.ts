/**
 * Request ids and the one structured log line per request.
 *
 * X-Request-ID is echoed when the caller sent a sane one (1-128 of [A-Za-z0-9._:-])
 * and generated otherwise; every answer carries it. The log line names the route
 * template, never the raw URL, and carries no headers, so no secret reaches it.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../lib/logger.js';

const SANE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && SANE_REQUEST_ID.test(given) ? given : randomUUID();
}

/** X-Management-Company-ID, else its alias X-Tenant-ID; an empty header counts as absent. */
export function tenantOf(request: FastifyRequest): string | undefined {
  return given(request.headers['x-management-company-id']) ?? given(request.headers['x-tenant-id']);
}

function given(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function registerRequestContext(app: FastifyInstance): void {
  // Callback-style hooks: they run on every webhook, and an async hook costs a promise each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-ID', request.id);
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    // The request logger is a pino child of lib/logger.ts's logger.
    if ((request.log as Logger).isLevelEnabled('info')) logRequest(request, reply);
    done();
  });
}

function logRequest(request: FastifyRequest, reply: FastifyReply): void {
  request.log.info(
    {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      tenant: tenantOf(request),
    },
    'request',
  );
}
