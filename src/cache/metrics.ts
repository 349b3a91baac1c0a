/**
 * Prometheus counters of the cache, on the registry /metrics serves (prom-client's
 * default unless one is passed). Labels are bounded: namespaces come from our
 * code, never from a request, and tenants are deliberately not a label (their
 * per-tenant numbers live in Redis, see CacheService.stats). The name and the
 * operation values are the old service's `cache_operations_total`.
 */
import { Counter, register as defaultRegistry, type Registry } from 'prom-client';

export type CacheOperation = 'hit' | 'miss' | 'set' | 'invalidate';

export interface CacheMetrics {
  operations: Counter<'operation' | 'namespace'>;
  errors: Counter<'operation'>;
}

function counter<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: L[],
): Counter<L> {
  // Several services (tests, integctl) may share one registry; the first
  // registration wins and later ones reuse it.
  const existing = registry.getSingleMetric(name);
  if (existing instanceof Counter) return existing;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

export function cacheMetrics(registry: Registry = defaultRegistry): CacheMetrics {
  return {
    operations: counter(
      registry,
      'cache_operations_total',
      'Cache operations by outcome (hit, miss, set, invalidate = keys removed) and namespace',
      ['operation', 'namespace'],
    ),
    errors: counter(
      registry,
      'cache_backend_errors_total',
      'Cache store failures, turned into misses or skipped writes (get, set, counters, fence)',
      ['operation'],
    ),
  };
}
