/**
 * The admin check, in one place for every admin route (cache stats of all
 * tenants, the Sheets API, webhook event endpoints). A caller is admin when it
 * sends ADMIN_TOKEN as `Authorization: Bearer …` or `X-Service-Token: …` (the
 * old service's header). With no ADMIN_TOKEN configured every caller is admin,
 * as SPEC.md says; production refuses to start without one.
 *
 * The comparison hashes both sides and compares the digests with
 * timingSafeEqual: equal-length inputs, so neither the token's length nor the
 * position of the first wrong byte shows in the timing. The token is never
 * logged or echoed (the logger redacts both headers).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { AppError } from '../../domain/errors.js';

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** The token a request presents, or undefined. */
export function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(auth);
    if (match?.[1] !== undefined) return match[1];
  }
  const service = request.headers['x-service-token'];
  return typeof service === 'string' && service !== '' ? service : undefined;
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  return timingSafeEqual(digest(expected), digest(given));
}

export function isAdmin(request: FastifyRequest, adminToken: string | undefined): boolean {
  return adminToken === undefined || tokenMatches(adminToken, presentedToken(request));
}

/** A preHandler that answers 401 UNAUTHORIZED unless the caller is admin. */
export function requireAdmin(adminToken: string | undefined): preHandlerAsyncHookHandler {
  return async function adminOnly(request: FastifyRequest, reply: FastifyReply) {
    if (isAdmin(request, adminToken)) return;
    reply.header('WWW-Authenticate', 'Bearer realm="integration-service"');
    throw new AppError('UNAUTHORIZED');
  };
}
