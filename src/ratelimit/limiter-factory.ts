/**
 * Makes rate-limiter-flexible limiters: Redis-backed (several daemons share one
 * budget) or in-process. A Redis limiter carries an in-memory insurance limiter
 * with the same budget: while Redis is unreachable each process enforces the
 * budget on its own (so N daemons may together allow N times it) rather than
 * letting every call through or failing them all.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LimiterFactory {
  readonly kind: 'redis' | 'memory';
  /** A fixed-window limiter of `points` per `durationSeconds`, keys under `keyPrefix:`. */
  create(keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract;
}

export class MemoryLimiterFactory implements LimiterFactory {
  readonly kind = 'memory' as const;
  create(keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract {
    return new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds });
  }
}

export class RedisLimiterFactory implements LimiterFactory {
  readonly kind = 'redis' as const;
  constructor(private readonly redis: Redis) {}

  create(keyPrefix: string, points: number, durationSeconds: number): RateLimiterAbstract {
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix,
      points,
      duration: durationSeconds,
      // Go to the insurance limiter at once when the client is not connected,
      // instead of waiting for a command to fail.
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration: durationSeconds }),
    });
  }
}
