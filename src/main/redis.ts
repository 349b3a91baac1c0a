/**
 * The request-path Redis client under the names the wiring (main/integrations.ts,
 * main/ctl-services.ts) and bench/cache.ts import. Connections are opened in
 * src/redis/clients.ts (profile `request`), where new code should get them; this
 * file can go once those callers import from there.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../lib/logger.js';
import { createRedisClient as createProfiledClient } from '../redis/clients.js';

export { closeRedis, connectRedis } from '../redis/clients.js';

export interface RedisClientOptions {
  /** CLIENT SETNAME, visible in CLIENT LIST: integrationd, integctl, ... */
  name: string;
  log: Logger;
  commandTimeoutMs?: number;
}

/** A `request`-profile client: fails fast, connects on connectRedis(). */
export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  return createProfiledClient(url, 'request', options);
}
