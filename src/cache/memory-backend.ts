/**
 * The in-process cache store, used when REDIS_URL is unset. One process only:
 * integctl cannot see it (it says so), and two daemons would each hold their own.
 *
 * Memory is bounded by entry count and by the total length of stored strings;
 * past either bound the least recently used entries go first (Map order, with a
 * read moving an entry to the end). Expired entries are dropped when read and by
 * a sweep on each write that finds the store over a bound.
 */
import type { CacheBackend } from './backend.js';
import { globMatcher } from '../lib/glob.js';

interface Entry {
  value: string;
  expiresAt: number;
}

export interface MemoryBackendOptions {
  maxEntries?: number;
  /** Bound on the summed length of stored values, in UTF-16 units (about bytes for ASCII JSON). */
  maxChars?: number;
  now?: () => number;
}

export class MemoryCacheBackend implements CacheBackend {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  private readonly counters = new Map<string, Map<string, number>>();
  private chars = 0;
  private readonly maxEntries: number;
  private readonly maxChars: number;
  private readonly now: () => number;

  constructor(options: MemoryBackendOptions = {}) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.maxChars = options.maxChars ?? 64 * 1024 * 1024;
    this.now = options.now ?? Date.now;
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.remove(key);
      return undefined;
    }
    return entry;
  }

  private remove(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.chars -= entry.value.length;
    this.entries.delete(key);
    return true;
  }

  private store(key: string, value: string, ttlSeconds: number): void {
    this.remove(key);
    this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
    this.chars += value.length;
    if (this.entries.size > this.maxEntries || this.chars > this.maxChars) this.evict();
  }

  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.remove(key);
    for (const key of this.entries.keys()) {
      if (this.entries.size <= this.maxEntries && this.chars <= this.maxChars) break;
      this.remove(key);
    }
  }

  async get(key: string): Promise<string | null> {
    const entry = this.live(key);
    if (entry === undefined) return null;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  async set(key: string, value: string, ttlSeconds: number): Promise<void> {
    this.store(key, value, ttlSeconds);
  }

  async setIfFence(
    key: string,
    value: string,
    ttlSeconds: number,
    fenceKey: string,
    expected: string,
  ): Promise<boolean> {
    if ((this.live(fenceKey)?.value ?? '') !== expected) return false;
    this.store(key, value, ttlSeconds);
    return true;
  }

  private *matching(pattern: string): Generator<string> {
    const matches = globMatcher(pattern);
    for (const key of [...this.entries.keys()]) if (matches(key) && this.live(key)) yield key;
  }

  async countMatching(pattern: string): Promise<number> {
    let n = 0;
    for (const _ of this.matching(pattern)) n++;
    return n;
  }

  async deleteMatching(pattern: string): Promise<number> {
    let n = 0;
    for (const key of this.matching(pattern)) if (this.remove(key)) n++;
    return n;
  }

  async listMatching(pattern: string): Promise<string[]> {
    const matches = globMatcher(pattern);
    return [...this.matching(pattern), ...[...this.counters.keys()].filter(matches)];
  }

  async incrementCounters(increments: ReadonlyMap<string, ReadonlyMap<string, number>>): Promise<void> {
    for (const [hash, fields] of increments) {
      let target = this.counters.get(hash);
      if (target === undefined) {
        target = new Map();
        this.counters.set(hash, target);
      }
      for (const [field, n] of fields) target.set(field, (target.get(field) ?? 0) + n);
    }
  }

  async readCounters(hashKeys: readonly string[]): Promise<Array<Record<string, number>>> {
    return hashKeys.map((k) => Object.fromEntries(this.counters.get(k) ?? []));
  }

  async ping(): Promise<void> {}
}
