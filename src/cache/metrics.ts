/**
 * Prometheus counters of the cache, on the registry /metrics serves (prom-client's
 * default unless one is passed). Labels are bounded: namespaces come from our
 * code, never from a request, and tenants are deliberately not a label (their
 * per-tenant numbers live in Redis, see CacheService.stats). The name and the
 * operation values are the old service's `cache_operations_total`.
 */
import { Counter, register as defaultRegistry, type Registry } from 'prom-client';
import { KNOWN_NAMESPACES } from '../redis/keys.js';

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

const OPERATIONS: readonly CacheOperation[] = ['hit', 'miss', 'set', 'invalidate'];
const ERROR_OPERATIONS = ['get', 'set', 'decode', 'counters', 'fence'] as const;

/**
 * Every known namespace's series and every error operation's exist at 0 from
 * the start: a counter with no sample is invisible to dashboards and alerts
 * (rate() of nothing is nothing, not 0) until its first event.
 */
function zeroSeries(metrics: CacheMetrics): CacheMetrics {
  for (const namespace of KNOWN_NAMESPACES)
    for (const operation of OPERATIONS) metrics.operations.inc({ operation, namespace }, 0);
  for (const operation of ERROR_OPERATIONS) metrics.errors.inc({ operation }, 0);
  return metrics;
}

export function cacheMetrics(registry: Registry = defaultRegistry): CacheMetrics {
  return zeroSeries({
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
  });
}
