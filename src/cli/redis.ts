/**
 * The daemon's Redis for one integctl command, opened on demand and closed when
 * the command's body ends, whatever happens. Fails with a message that says
 * what to do: set REDIS_URL (without it the cache lives inside integrationd),
 * or check the Redis it names (credentials masked: password, ?password=, ...).
 */
import type { Redis } from 'ioredis';
import { redactSecrets } from '../lib/redact.js';
import { closeRedis, connectRedis, createRedisClient } from '../main/redis.js';
import type { CommandContext } from './context.js';
import { CommandFailed } from './io.js';

export async function withDaemonRedis<T>(
  ctx: CommandContext,
  body: (redis: Redis) => Promise<T>,
): Promise<T> {
  const url = ctx.config.redisUrl;
  if (url === undefined) {
    throw new CommandFailed(
      "no REDIS_URL is set: without it the cache and rate limits live inside the integrationd process, where integctl cannot reach them; set REDIS_URL to the daemon's Redis (or ask the daemon: GET /cache/stats)",
    );
  }
  const redis = createRedisClient(url, { name: 'integctl', log: ctx.log });
  try {
    try {
      await connectRedis(redis);
    } catch (err) {
      throw new CommandFailed(redactSecrets(`cannot connect to Redis at ${url}: ${(err as Error).message}`));
    }
    return await body(redis);
  } finally {
    await closeRedis(redis);
  }
}
