/**
 * The HTTP server under fastify: how long a client may take to send a
 * request, how many connections it may hold, and how they end at shutdown.
 *
 * Timeouts (HTTP_HEADERS_TIMEOUT_SECONDS, HTTP_REQUEST_TIMEOUT_SECONDS) are
 * Node's headersTimeout and requestTimeout: a request whose headers, or whose
 * whole body, have not arrived in time is answered 408 (plugins/errors.ts
 * answerClientError) and its connection closed. Node checks them on an
 * interval; it is one second here instead of Node's 30, so a slowloris client
 * or a Content-Length longer than the body ends within a second of its
 * timeout. An idle keep-alive connection closes after
 * HTTP_KEEP_ALIVE_TIMEOUT_SECONDS.
 *
 * Connections are capped in total (HTTP_MAX_CONNECTIONS, Node's
 * server.maxConnections), not per client address: behind a load balancer every
 * connection comes from its few addresses, and webhook providers deliver
 * bursts from a few egress addresses, so a per-address cap would refuse the
 * legitimate traffic first while an attacker with many addresses passes it.
 * Fairness per client belongs at the edge, which sees the real client; the
 * daemon protects itself: the cap bounds its sockets and, with the timeouts,
 * the memory unfinished bodies can hold (at most HTTP_MAX_CONNECTIONS times
 * WEBHOOK_MAX_BODY_BYTES, each for at most HTTP_REQUEST_TIMEOUT_SECONDS).
 *
 * Shutdown: Node's server.close() closes idle keep-alive connections but waits
 * for every other one, and stops the timeout checks, so one client that sent
 * headers and part of a body held it until the shutdown timeout. Here, once
 * close begins, every connection without a fully received request (nothing
 * sent yet, half the headers, part of a body, idle) is cut: none of them has
 * been acknowledged. Requests already received are answered (their answers
 * close their connections); if some answer has not gone out after a grace
 * period (a client that does not read it), the rest are cut too.
 */
import type { IncomingMessage, Server, ServerOptions, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyServerOptions } from 'fastify';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';

/** How often Node looks for requests past their timeouts (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 1000;
/** At most one log line per this long about refused connections. */
const DROP_LOG_INTERVAL_MS = 10_000;

type HttpLimits = Pick<
  Config,
  'httpHeadersTimeoutSeconds' | 'httpRequestTimeoutSeconds' | 'httpKeepAliveTimeoutSeconds'
>;

/** Fastify's options for the timeouts; fastify passes `http` on to http.createServer. */
export function serverOptions(config: HttpLimits): Pick<
  FastifyServerOptions,
  'requestTimeout' | 'keepAliveTimeout' | 'connectionTimeout'
> & {
  http: ServerOptions;
} {
  const requestTimeout = config.httpRequestTimeoutSeconds * 1000;
  const keepAliveTimeout = config.httpKeepAliveTimeoutSeconds * 1000;
  return {
    // fastify sets these two on the server after creating it, so they are given twice.
    requestTimeout,
    keepAliveTimeout,
    // No idle timeout on sockets: it would also cut answers that take a while (a Sheets call);
    // the request timeout bounds what clients control.
    connectionTimeout: 0,
    http: {
      headersTimeout: config.httpHeadersTimeoutSeconds * 1000,
      requestTimeout,
      keepAliveTimeout,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
    },
  };
}

interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
}

/** Follows each connection's requests through the server's public events. */
export class ConnectionTracker {
  private readonly exchanges = new Map<Socket, Set<Exchange>>();
  private closing = false;

  follow(server: Server): void {
    server.on('connection', (socket: Socket) => {
      this.exchanges.set(socket, new Set());
      socket.once('close', () => this.exchanges.delete(socket));
    });
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const open = this.exchanges.get(req.socket);
      if (open === undefined) return;
      const exchange = { req, res };
      open.add(exchange);
      const done = () => {
        if (!open.delete(exchange)) return;
        // Closing: a connection whose last answer went out is not kept alive for another request.
        if (this.closing && open.size === 0) req.socket.end();
      };
      res.once('finish', done);
      res.once('close', done);
    });
  }

  /**
   * Close begins: cuts every connection without a fully received request
   * waiting for its answer (returns how many), and has the answers still to
   * come close their connections.
   */
  beginClose(): number {
    this.closing = true;
    let cut = 0;
    for (const [socket, open] of this.exchanges) {
      const awaitingAnswer = open.size > 0 && [...open].every(({ req }) => req.complete);
      if (!awaitingAnswer) {
        socket.destroy();
        cut++;
        continue;
      }
      for (const { res } of open) if (!res.headersSent) res.setHeader('Connection', 'close');
    }
    return cut;
  }
}

/**
 * Applies HTTP_MAX_CONNECTIONS (0 = no cap) and logs refusals, at most once
 * every 10 s with how many there were, naming the setting to change.
 */
export function capConnections(server: Server, maxConnections: number, log: Logger): void {
  if (maxConnections <= 0) return;
  server.maxConnections = maxConnections;
  let refused = 0;
  let lastLog = 0;
  server.on('drop', () => {
    refused++;
    const now = Date.now();
    if (now - lastLog < DROP_LOG_INTERVAL_MS) return;
    log.warn(
      { refused, limit: maxConnections },
      `connections refused: HTTP_MAX_CONNECTIONS (${maxConnections}) are open`,
    );
    refused = 0;
    lastLog = now;
  });
}

/**
 * fastify's close() with a bound: connections that cannot have been
 * acknowledged are cut when it begins (the preClose hook in app.ts); answers
 * still going out after `graceMs` are cut too, so close() ends whatever the
 * clients do.
 */
export async function closeWithin(app: FastifyInstance, graceMs: number, log: Logger): Promise<void> {
  const closed = app.close();
  const timer = setTimeout(() => {
    log.warn({ graceMs }, 'answers still going out at shutdown; closing their connections');
    app.server.closeAllConnections();
  }, graceMs);
  try {
    await closed;
  } finally {
    clearTimeout(timer);
  }
}
