/**
 * Per-tenant, per-namespace cache counters, buffered in memory and added to the
 * store once a second (HINCRBY in one pipeline). Counting on every get with its
 * own round trip would double the cost of a hit; buffered, a hit costs one GET.
 * The price: integctl sees the daemon's numbers up to a second late, and a
 * crash loses at most a second of counts. A failed flush keeps the counts for
 * the next one, so a Redis outage delays them rather than losing them; memory
 * stays bounded by tenants x namespaces x 4 fields.
 */
import type { CacheBackend } from './backend.js';
import type { KeySpace } from '../redis/keys.js';

export type Counter = 'hits' | 'misses' | 'sets' | 'invalidations';
export const COUNTERS: readonly Counter[] = ['hits', 'misses', 'sets', 'invalidations'];

export class BufferedCounters {
  private pending = new Map<string, Map<string, number>>();

  constructor(
    private readonly backend: CacheBackend,
    private readonly keys: KeySpace,
  ) {}

  add(tenant: string, namespace: string, counter: Counter, n = 1): void {
    const hash = this.keys.stats(tenant);
    let fields = this.pending.get(hash);
    if (fields === undefined) {
      fields = new Map();
      this.pending.set(hash, fields);
    }
    const field = `${namespace}:${counter}`;
    fields.set(field, (fields.get(field) ?? 0) + n);
  }

  /** Writes buffered counts to the store; on failure they are kept and the error rethrown. */
  async flush(): Promise<void> {
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    try {
      await this.backend.incrementCounters(batch);
    } catch (err) {
      for (const [hash, fields] of batch) {
        for (const [field, n] of fields) {
          const target = this.pending.get(hash) ?? new Map<string, number>();
          target.set(field, (target.get(field) ?? 0) + n);
          this.pending.set(hash, target);
        }
      }
      throw err;
    }
  }
}

export interface NamespaceStats {
  hits: number;
  misses: number;
  total: number;
  /** Percent of reads that hit, two decimals, as the old service reported it. */
  hit_rate: number;
  sets: number;
  invalidations: number;
}

/** Turns one tenant's hash ({namespace}:{counter} -> n) into per-namespace stats. */
export function namespacesOf(hash: Record<string, number>, only?: string): Record<string, NamespaceStats> {
  const raw = new Map<string, Record<Counter, number>>();
  for (const [field, value] of Object.entries(hash)) {
    const cut = field.lastIndexOf(':');
    const namespace = field.slice(0, cut);
    const counter = field.slice(cut + 1) as Counter;
    if (cut <= 0 || !COUNTERS.includes(counter) || (only !== undefined && namespace !== only)) continue;
    const entry = raw.get(namespace) ?? { hits: 0, misses: 0, sets: 0, invalidations: 0 };
    entry[counter] += value;
    raw.set(namespace, entry);
  }
  const out: Record<string, NamespaceStats> = {};
  for (const [namespace, c] of [...raw].sort(([a], [b]) => a.localeCompare(b))) {
    out[namespace] = withRates(c);
  }
  return out;
}

export function withRates(c: Record<Counter, number>): NamespaceStats {
  const total = c.hits + c.misses;
  const hitRate = total === 0 ? 0 : Math.round((c.hits / total) * 10_000) / 100;
  return {
    hits: c.hits,
    misses: c.misses,
    total,
    hit_rate: hitRate,
    sets: c.sets,
    invalidations: c.invalidations,
  };
}

/** Sums per-namespace stats over tenants. */
export function sumNamespaces(
  perTenant: Iterable<Record<string, NamespaceStats>>,
): Record<string, NamespaceStats> {
  const sums = new Map<string, Record<Counter, number>>();
  for (const namespaces of perTenant) {
    for (const [ns, s] of Object.entries(namespaces)) {
      const acc = sums.get(ns) ?? { hits: 0, misses: 0, sets: 0, invalidations: 0 };
      for (const c of COUNTERS) acc[c] += s[c];
      sums.set(ns, acc);
    }
  }
  const out: Record<string, NamespaceStats> = {};
  for (const [ns, c] of [...sums].sort(([a], [b]) => a.localeCompare(b))) out[ns] = withRates(c);
  return out;
}
