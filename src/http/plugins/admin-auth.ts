/**
 * Admin authentication: `Authorization: Bearer <ADMIN_TOKEN>` or
 * `X-Service-Token: <ADMIN_TOKEN>` when a token is configured. The comparison
 * is constant-time over hashes, so neither content nor length leaks. Webhook
 * routes never use this: a provider's signature is its authentication.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.js';
import { safeEqual } from '../../providers/constant-time.js';

export function presentedToken(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (typeof auth === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (match?.[1] !== undefined) return match[1];
  }
  const service = request.headers['x-service-token'];
  return typeof service === 'string' ? service : undefined;
}

/** A preHandler that refuses requests without the admin token (when one is set). */
export function requireAdmin(adminToken: string | undefined) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    if (adminToken === undefined) return;
    const given = presentedToken(request);
    if (given === undefined || given.length > 4096 || !safeEqual(given, adminToken)) {
      throw new AppError('UNAUTHORIZED');
    }
  };
}
