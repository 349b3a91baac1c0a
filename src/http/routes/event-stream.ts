/**
 * GET /api/v1/events/stream: published events as Server-Sent Events, from
 * any daemon on this Postgres, resumable (services/event-stream.ts).
 *
 * Each event is one message: `id:` its cursor, `data:` the envelope as
 * published on Redis. A resume (Last-Event-ID, ?after=, or ?since=TIME) first
 * gets what was published after that point. Comments (`: keepalive`) every
 * heartbeat keep proxies from closing an idle stream. The stream ends with a
 * last message `event: end` naming why: `slow_consumer` (the client let more
 * than EVENTS_STREAM_MAX_BUFFER_BYTES wait unread), `shutdown` or `error`; an
 * EventSource then reconnects with its Last-Event-ID and misses nothing.
 */
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { InvalidTime, parseIsoTime } from '../../lib/iso-time.js';
import {
  parseCursor,
  type EventStreamHub,
  type StreamMessage,
  type StreamSink,
} from '../../services/event-stream.js';
import type { StreamPosition } from '../../services/ports.js';
import { requireAdmin } from '../plugins/admin-auth.js';
import { strictValidatorCompiler } from '../plugins/strict-validation.js';
import { tenantOf } from '../plugins/request-context.js';

export interface EventStreamRouteOptions {
  hub: EventStreamHub;
  adminToken: string | undefined;
  heartbeatSeconds: number;
  maxBufferBytes: number;
}

/** How long a client cut off as too slow has to read what was already written, last message included. */
const SLOW_CLIENT_GRACE_MS = 10_000;

interface StreamQuery {
  source?: string;
  type?: string;
  tenant?: string;
  after?: string;
  since?: string;
}

const errorBody = {
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};

/** SSE has no way to carry a newline inside data: each line of it is a data: line (clients join them with \n). */
function dataLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join('');
}

/** ?since=: an ISO-8601 time, checked field by field (2026-02-30 is refused, not read as March 2). */
function sinceTime(text: string): Date {
  let at: Date | undefined;
  let why = 'it is not of that form';
  try {
    at = parseIsoTime(text);
  } catch (err) {
    if (!(err instanceof InvalidTime)) throw err;
    why = err.message;
  }
  if (at === undefined) {
    throw new AppError(
      'BAD_REQUEST',
      `since must be an ISO-8601 time such as 2026-12-01T10:00:00Z, not ${JSON.stringify(text.slice(0, 40))}: ${why}`,
    );
  }
  return at;
}

export async function eventStreamRoutes(app: FastifyInstance, opts: EventStreamRouteOptions): Promise<void> {
  const admin = requireAdmin(opts.adminToken);
  // No coercion, and an unknown query parameter is a 400, not silently dropped.
  app.setValidatorCompiler(strictValidatorCompiler);
  const text = (max: number, description: string) => ({
    type: 'string',
    minLength: 1,
    maxLength: max,
    description,
  });

  app.get<{ Querystring: StreamQuery }>(
    '/api/v1/events/stream',
    {
      preHandler: admin,
      schema: {
        summary: 'Published events as Server-Sent Events, resumable with Last-Event-ID',
        security: [{ adminToken: [] }],
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            source: text(200, 'only this source'),
            type: text(200, 'event types matching this glob (* ? [...]), as the bus patterns'),
            tenant: text(128, 'only this tenant (a tenant header narrows the same way)'),
            after: text(100, 'resume after this cursor (the id: of a message); Last-Event-ID wins'),
            since: text(40, 'replay what was published since this ISO-8601 time'),
          },
        },
        headers: {
          type: 'object',
          properties: { 'last-event-id': { type: 'string', maxLength: 100 } },
        },
        response: {
          200: {
            description:
              'text/event-stream: `id: <cursor>` and `data: <envelope>` per event; `event: purged` first when events after the cursor were purged; `event: end` with the reason last',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          '4xx': errorBody,
          503: errorBody,
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const headerTenant = tenantOf(request);
      if (headerTenant !== undefined && q.tenant !== undefined && q.tenant !== headerTenant) {
        throw new AppError('BAD_REQUEST', 'the tenant header and ?tenant= name different tenants');
      }
      const lastEventId = request.headers['last-event-id'];
      let after: StreamPosition | undefined;
      if (typeof lastEventId === 'string' && lastEventId.trim() !== '') after = parseCursor(lastEventId);
      else if (q.after !== undefined) after = parseCursor(q.after);
      else if (q.since !== undefined) after = await opts.hub.positionAt(sinceTime(q.since));
      // Without a cursor the stream starts now: fixed before the answer starts,
      // so whatever is published once the client sees 200 reaches it.
      const resumed = after !== undefined;
      after ??= await opts.hub.position();

      const res = reply.raw;
      const socket = request.raw.socket;
      let ended = false;
      const sink: StreamSink = {
        send: (m: StreamMessage) => {
          if (ended) return true;
          res.write(`id: ${m.cursor}\n${dataLines(m.envelope)}\n`);
          return res.writableLength <= opts.maxBufferBytes;
        },
        drained: () =>
          ended || res.writableLength <= opts.maxBufferBytes / 2
            ? Promise.resolve()
            : new Promise((resolve) => {
                res.once('drain', resolve);
                res.once('close', resolve);
              }),
        notice: (kind, detail) => {
          if (!ended) res.write(`event: ${kind}\n${dataLines(JSON.stringify(detail))}\n`);
        },
        end: (reason) => {
          if (ended) return;
          ended = true;
          res.end(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
          // A slow client gets the last message after what it had not read yet;
          // one that reads nothing at all is cut a while later.
          if (reason === 'slow_consumer') {
            const cut = setTimeout(() => socket.destroy(), SLOW_CLIENT_GRACE_MS);
            cut.unref();
            res.once('finish', () => clearTimeout(cut));
          }
        },
      };

      reply.hijack();
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        'x-accel-buffering': 'no',
        // A stream that ended is not followed by another request on its connection.
        connection: 'close',
        'x-request-id': request.id,
      });
      res.write('retry: 2000\n\n');
      let subscription: { unsubscribe: () => void } | undefined;
      const heartbeat = setInterval(() => {
        if (ended) return;
        res.write(': keepalive\n\n');
        if (res.writableLength > opts.maxBufferBytes) {
          subscription?.unsubscribe();
          sink.end('slow_consumer');
        }
      }, opts.heartbeatSeconds * 1000);
      heartbeat.unref();
      res.on('close', () => {
        ended = true;
        clearInterval(heartbeat);
        subscription?.unsubscribe();
      });
      try {
        subscription = await opts.hub.subscribe(sink, {
          after,
          resumed,
          filter: { source: q.source, type: q.type, tenant: headerTenant ?? q.tenant },
        });
        if (ended) subscription.unsubscribe();
      } catch (err) {
        request.log.warn({ err }, 'event stream could not start');
        sink.end(err instanceof AppError && err.code === 'SHUTTING_DOWN' ? 'shutdown' : 'error');
      }
    },
  );
}
