/**
 * Telling "Postgres cannot serve now" from "this query is wrong", by what the
 * driver reports: the HTTP error handler answers the first 503 with
 * Retry-After (the caller retries), the second 500. No I/O; store/database.ts
 * and http/plugins/errors.ts both read it.
 */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLSTATEs of a server that cannot serve now: connection failures (not 08P01, a protocol bug), shutdown, too many clients. */
const SERVER_UNAVAILABLE = /^(08000|08001|08003|08004|08006|57P01|57P02|57P03|53300)$/;

const UNAVAILABLE_MESSAGE =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Cannot use a pool after calling end|Client was closed and is not queryable/;

/**
 * Whether an error means Postgres cannot be reached or cannot serve now (as
 * opposed to a bad query): connection errors from pg or Sequelize, the
 * SQLSTATEs of connection failure, shutdown and too many clients, pg-pool's
 * connect timeout, a pool closed at shutdown. Such failures are 503 with
 * Retry-After to HTTP callers, not 500. Callers must first rule out a client
 * that went away: its aborted request reports ECONNRESET too.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE.has(code) || SERVER_UNAVAILABLE.test(code))) return true;
    if (/^Sequelize(Connection|HostNotReachable|AccessDenied|ConnectionAcquireTimeout)/.test(e.name))
      return true;
    if (UNAVAILABLE_MESSAGE.test(e.message)) return true;
    e =
      (e as { parent?: unknown; original?: unknown; cause?: unknown }).parent ??
      (e as { cause?: unknown }).cause;
  }
  return false;
}
