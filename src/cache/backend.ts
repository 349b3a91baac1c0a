/**
 * What the cache service needs from a store: string values with a TTL, a guarded
 * set, pattern count/delete without KEYS, and counter hashes. Two
 * implementations: Redis (shared by every daemon and integctl) and in-process
 * (no REDIS_URL). Both run the same test suite (test/integration/cache-*.test.ts).
 *
 * Every method may reject when the store is unreachable; the service decides
 * what that means for its caller (a miss, a skipped write, or an error).
 */
export interface CacheBackend {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /**
   * Sets key only while fenceKey holds `expected` ('' = absent), atomically;
   * true when it was set.
   */
  setIfFence(
    key: string,
    value: string,
    ttlSeconds: number,
    fenceKey: string,
    expected: string,
  ): Promise<boolean>;
  /** Counts keys matching a glob pattern (incrementally, never KEYS). */
  countMatching(pattern: string): Promise<number>;
  /** Deletes keys matching a glob pattern in batches; returns how many went. */
  deleteMatching(pattern: string): Promise<number>;
  /** Lists keys matching a pattern; for small sets only (one stats hash per tenant). */
  listMatching(pattern: string): Promise<string[]>;
  /** Adds to integer fields of hashes: hash key -> field -> increment. */
  incrementCounters(increments: ReadonlyMap<string, ReadonlyMap<string, number>>): Promise<void>;
  /** Reads whole counter hashes, in the order given; a missing hash is {}. */
  readCounters(hashKeys: readonly string[]): Promise<Array<Record<string, number>>>;
  ping(): Promise<void>;
}
