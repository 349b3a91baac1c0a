/**
 * What a tenant id may be, wherever one enters: the cache's key space, a
 * webhook's tenant header, a source's configured tenant. One rule, so an id
 * accepted in one place is the same id everywhere, and none can be cut short
 * or widened into another tenant's (no glob characters or ":" for the cache).
 */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;

/** The rule in words, for error messages. */
export const TENANT_RULE = 'use 1-128 of A-Z a-z 0-9 _ . - starting with a letter or digit';

export function isTenantId(value: unknown): boolean {
  return typeof value === 'string' && TENANT_ID.test(value);
}
