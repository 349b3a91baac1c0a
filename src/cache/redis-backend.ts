/**
 * The Redis cache store. Its client has the `request` profile (src/redis/clients.ts):
 * it fails fast (no offline queue, a command timeout) so a Redis outage turns into
 * rejected promises within a second rather than requests piling up behind a
 * reconnect; the service turns those into misses.
 *
 * Pattern operations walk the keyspace with SCAN (COUNT 1000 per step) and
 * delete with UNLINK per batch: never KEYS, which blocks Redis for the whole
 * keyspace. In Redis Cluster a SCAN sees one node only; this backend assumes a
 * single primary (or Sentinel), as the old service did.
 */
import type { Redis } from 'ioredis';
import type { CacheBackend } from './backend.js';

const SCAN_COUNT = 1000;

// KEYS[1] value key, KEYS[2] fence key; ARGV value, ttl, expected fence ('' = absent).
const SET_IF_FENCE = `
local current = redis.call('GET', KEYS[2]) or ''
if current ~= ARGV[3] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return 1`;

type FencedRedis = Redis & {
  cacheSetIfFence(
    key: string,
    fenceKey: string,
    value: string,
    ttl: number,
    expected: string,
  ): Promise<number>;
};

export class RedisCacheBackend implements CacheBackend {
  readonly kind = 'redis' as const;
  private readonly redis: FencedRedis;

  constructor(redis: Redis) {
    if (!('cacheSetIfFence' in redis)) {
      redis.defineCommand('cacheSetIfFence', { numberOfKeys: 2, lua: SET_IF_FENCE });
    }
    this.redis = redis as FencedRedis;
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, value, 'EX', ttlSeconds);
  }

  async setIfFence(
    key: string,
    value: string,
    ttlSeconds: number,
    fenceKey: string,
    expected: string,
  ): Promise<boolean> {
    return (await this.redis.cacheSetIfFence(key, fenceKey, value, ttlSeconds, expected)) === 1;
  }

  /** Calls onBatch with each non-empty SCAN page until the cursor returns to 0. */
  private async scan(pattern: string, onBatch: (keys: string[]) => Promise<void>): Promise<void> {
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT);
      cursor = next;
      if (keys.length > 0) await onBatch(keys);
    } while (cursor !== '0');
  }

  async countMatching(pattern: string): Promise<number> {
    // SCAN may return a key twice across a rehash; a Set counts it once.
    const seen = new Set<string>();
    await this.scan(pattern, async (keys) => {
      for (const k of keys) seen.add(k);
    });
    return seen.size;
  }

  async deleteMatching(pattern: string): Promise<number> {
    let deleted = 0;
    await this.scan(pattern, async (keys) => {
      deleted += await this.redis.unlink(...keys);
    });
    return deleted;
  }

  async listMatching(pattern: string): Promise<string[]> {
    const seen = new Set<string>();
    await this.scan(pattern, async (keys) => {
      for (const k of keys) seen.add(k);
    });
    return [...seen];
  }

  async incrementCounters(increments: ReadonlyMap<string, ReadonlyMap<string, number>>): Promise<void> {
    const pipeline = this.redis.pipeline();
    for (const [hash, fields] of increments) {
      for (const [field, n] of fields) pipeline.hincrby(hash, field, n);
    }
    const results = (await pipeline.exec()) ?? [];
    const failed = results.find(([err]) => err !== null);
    if (failed) throw failed[0] as Error;
  }

  async readCounters(hashKeys: readonly string[]): Promise<Array<Record<string, number>>> {
    if (hashKeys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const k of hashKeys) pipeline.hgetall(k);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([err, raw]) => {
      if (err) throw err;
      const out: Record<string, number> = {};
      for (const [field, value] of Object.entries((raw ?? {}) as Record<string, string>)) {
        out[field] = Number(value);
      }
      return out;
    });
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
