/**
 * One JSON error shape for every failure: {"error":{"code","message"}}, with a
 * stable code from the catalogue. 5xx answers never carry internals; the request
 * id in X-Request-ID finds the details in the log.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, errorCatalogue, type ErrorCode } from '../../domain/errors.js';
import { isDatabaseUnavailable } from '../../domain/database-errors.js';
import { redactSecrets } from '../../lib/redact.js';

function fromFastify(error: FastifyError): AppError | undefined {
  if (error.validation) return new AppError('VALIDATION_FAILED', `invalid request: ${error.message}`);
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('PAYLOAD_TOO_LARGE');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('MALFORMED_BODY', `the body is not valid JSON: ${error.message}`);
    default:
      break;
  }
  if (error instanceof SyntaxError) return new AppError('MALFORMED_BODY', 'the body is not valid JSON');
  const status = error.statusCode ?? 500;
  if (status === 429) return new AppError('RATE_LIMITED');
  if (status >= 400 && status < 500) return new AppError('BAD_REQUEST', error.message);
  return undefined;
}

export function sendError(
  reply: { code(n: number): unknown; header(k: string, v: string): unknown; send(b: unknown): unknown },
  code: ErrorCode,
  message?: string,
  retryAfterSeconds?: number,
) {
  if (retryAfterSeconds !== undefined)
    reply.header('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  reply.code(errorCatalogue[code].status);
  // An AppError's message may quote a driver's text: no credential leaves in an answer.
  return reply.send({ error: { code, message: redactSecrets(message ?? errorCatalogue[code].message) } });
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // A client that went away mid-request (its abort reports ECONNRESET): nothing to blame on storage.
    const known =
      error instanceof AppError
        ? error
        : (fromFastify(error) ??
          (!request.raw.destroyed && isDatabaseUnavailable(error)
            ? new AppError('STORAGE_UNAVAILABLE', undefined, 5)
            : undefined));
    if (known) {
      if (known.status >= 500) request.log.warn({ err: error }, known.message);
      return sendError(reply, known.code, known.message, known.retryAfterSeconds);
    }
    request.log.error({ err: error }, 'unhandled error');
    return sendError(reply, 'INTERNAL_ERROR');
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 'NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
}

/**
 * Errors fastify raises before routing (a URL that cannot be decoded, a path
 * segment over the router's limit): the same JSON shape and X-Request-ID as
 * every other answer. An over-long /generic/{source} names no source that can
 * exist (names are at most 63 characters).
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  reply.header('X-Request-ID', request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    void sendError(
      reply,
      request.url.startsWith('/api/v1/webhooks/generic/') ? 'UNKNOWN_SOURCE' : 'NOT_FOUND',
    );
    return;
  }
  void sendError(reply, 'BAD_REQUEST', 'the request URL cannot be decoded');
}

/** Requests Node cannot parse as HTTP (headers too large, a broken request line): our JSON shape, then close. */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, 'the request took too long to arrive']
      : err.code === 'HPE_HEADER_OVERFLOW'
        ? [431, 'the request headers are too large']
        : [400, 'the request is not valid HTTP'];
  const body = JSON.stringify({ error: { code: 'BAD_REQUEST', message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
