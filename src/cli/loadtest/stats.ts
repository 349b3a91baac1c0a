/**
 * Per-kind results of a load test and the old service's targets: p95 under
 * 200 ms and an error rate under 0.1%, checked for every kind and overall.
 * Latencies are kept as raw samples (8 bytes each: a minute at 5,000 req/s is
 * 2.4 MB), which gives exact percentiles without another dependency.
 */
import type { Kind } from './mix.js';

export const TARGETS = { p95Ms: 200, errorRate: 0.001 } as const;

export interface KindSummary {
  kind: Kind | 'total';
  requests: number;
  rps: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  errors: number;
  error_rate: number;
  statuses: Record<string, number>;
  pass: boolean;
}

class Samples {
  private values = new Float64Array(1024);
  length = 0;
  add(v: number): void {
    if (this.length === this.values.length) {
      const bigger = new Float64Array(this.values.length * 2);
      bigger.set(this.values);
      this.values = bigger;
    }
    this.values[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.values.slice(0, this.length).sort();
  }
}

/** Nearest-rank percentile of sorted values; 0 for none. */
export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

interface KindRecord {
  latencies: Samples;
  errors: number;
  statuses: Map<string, number>;
}

export class LoadStats {
  private readonly kinds = new Map<Kind, KindRecord>();
  /** Connection errors and timeouts: autocannon does not say which request they hit. */
  transportErrors = 0;

  constructor(kinds: readonly Kind[]) {
    for (const kind of kinds)
      this.kinds.set(kind, { latencies: new Samples(), errors: 0, statuses: new Map() });
  }

  record(kind: Kind, status: number, ms: number, ok: boolean): void {
    const r = this.kinds.get(kind);
    if (r === undefined) return;
    r.latencies.add(ms);
    if (!ok) r.errors++;
    const key = String(status);
    r.statuses.set(key, (r.statuses.get(key) ?? 0) + 1);
  }

  get responses(): number {
    let n = 0;
    for (const r of this.kinds.values()) n += r.latencies.length;
    return n;
  }

  get errors(): number {
    let n = this.transportErrors;
    for (const r of this.kinds.values()) n += r.errors;
    return n;
  }

  summary(seconds: number): { kinds: KindSummary[]; total: KindSummary; pass: boolean } {
    const all = new Samples();
    const statuses: Record<string, number> = {};
    const kinds: KindSummary[] = [];
    for (const [kind, r] of this.kinds) {
      const sorted = r.latencies.sorted();
      for (const v of sorted) all.add(v);
      const s = Object.fromEntries(r.statuses);
      for (const [code, n] of r.statuses) statuses[code] = (statuses[code] ?? 0) + n;
      kinds.push(summarise(kind, sorted, r.errors, s, seconds));
    }
    if (this.transportErrors > 0) statuses.transport_error = this.transportErrors;
    const total = summarise('total', all.sorted(), this.errors, statuses, seconds, this.transportErrors);
    return { kinds, total, pass: total.pass && kinds.every((k) => k.pass) };
  }
}

function summarise(
  kind: Kind | 'total',
  sorted: Float64Array,
  errors: number,
  statuses: Record<string, number>,
  seconds: number,
  unanswered = 0,
): KindSummary {
  const requests = sorted.length + unanswered;
  const errorRate = requests === 0 ? 0 : errors / requests;
  const ms = (p: number) => Math.round(percentile(sorted, p) * 10) / 10;
  const p95 = percentile(sorted, 95);
  return {
    kind,
    requests,
    rps: seconds > 0 ? Math.round((requests / seconds) * 10) / 10 : 0,
    p50_ms: ms(50),
    p95_ms: ms(95),
    p99_ms: ms(99),
    errors,
    error_rate: errorRate,
    statuses,
    // A kind that got no answers at all has not met anything.
    pass: requests > 0 && p95 < TARGETS.p95Ms && errorRate < TARGETS.errorRate,
  };
}
