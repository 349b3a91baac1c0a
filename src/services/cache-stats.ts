/**
 * The cache statistics answer of GET /cache/stats and integctl cache stats, in
 * the old service's shape (SPEC.md, Cache):
 *   {"cache_enabled","default_ttl","max_connections","tenant_id",
 *    "namespaces":{ns:{"hits","misses","total","hit_rate"}}}
 * For all tenants tenant_id is null, namespaces are summed over tenants and
 * `tenants` holds each one. `detail` adds sets and invalidations per namespace
 * (integctl); the HTTP answer keeps exactly the old fields.
 */
import type { CacheService } from '../cache/cache-service.js';
import type { NamespaceStats } from '../cache/counters.js';

export interface CacheSettings {
  cacheEnabled: boolean;
  cacheDefaultTtl: number;
  redisMaxConnections: number;
}

export type NamespaceAnswer = Pick<NamespaceStats, 'hits' | 'misses' | 'total' | 'hit_rate'> &
  Partial<Pick<NamespaceStats, 'sets' | 'invalidations'>>;

export interface CacheStatsAnswer {
  cache_enabled: boolean;
  default_ttl: number;
  max_connections: number;
  tenant_id: string | null;
  namespaces: Record<string, NamespaceAnswer>;
  tenants?: Record<string, Record<string, NamespaceAnswer>>;
}

function shape(namespaces: Record<string, NamespaceStats>, detail: boolean): Record<string, NamespaceAnswer> {
  const out: Record<string, NamespaceAnswer> = {};
  for (const [ns, s] of Object.entries(namespaces)) {
    out[ns] = detail ? s : { hits: s.hits, misses: s.misses, total: s.total, hit_rate: s.hit_rate };
  }
  return out;
}

export async function cacheStats(
  cache: CacheService,
  settings: CacheSettings,
  query: { tenantId?: string; namespace?: string; detail?: boolean },
): Promise<CacheStatsAnswer> {
  const report = await cache.stats(query.tenantId, query.namespace);
  const detail = query.detail === true;
  const answer: CacheStatsAnswer = {
    cache_enabled: settings.cacheEnabled,
    default_ttl: settings.cacheDefaultTtl,
    max_connections: settings.redisMaxConnections,
    tenant_id: report.tenant_id,
    namespaces: shape(report.namespaces, detail),
  };
  if (report.tenants !== undefined) {
    answer.tenants = Object.fromEntries(
      Object.entries(report.tenants).map(([tenant, namespaces]) => [tenant, shape(namespaces, detail)]),
    );
  }
  return answer;
}
