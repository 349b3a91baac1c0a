/**
 * Wiring of geocoding: the concrete providers (Google's client, our Yandex
 * client) behind the use case's factory, their metrics, the two-level cache
 * (the tenant cache and integration_cache) and the daily purge of expired
 * cache rows. Keys, URLs, timeouts and priorities come from the service
 * catalogue, so integctl services changes reach this daemon within 5 s.
 */
import type pg from 'pg';
import type { Registry } from 'prom-client';
import type { AuditSink } from '../audit/audit-log.js';
import type { CacheService } from '../cache/cache-service.js';
import type { Config } from '../config/schema.js';
import { GoogleMapsProvider, YandexMapsProvider, type ProviderName } from '../geocoding/index.js';
import type { GeocodingRouteDeps } from '../http/routes/geocoding.js';
import type { Logger } from '../lib/logger.js';
import { geocodingMetrics } from '../metrics/geocoding.js';
import type { OutboundRateLimiter } from '../ratelimit/outbound-limiter.js';
import { GeocodingCache } from '../services/geocoding-cache.js';
import { geocodingHealth, type GeocodingHealth } from '../services/geocoding-health.js';
import { GeocodingProviders, type ProviderSettings } from '../services/geocoding-providers.js';
import type { IntegrationEventSink } from '../services/integration-ports.js';
import { startDailyPurge } from '../services/purge-cache.js';
import type { ServiceCatalog } from '../services/service-catalog.js';
import { PgDurableCache } from '../store/external-services.js';
import type { CleanupStack } from './cleanup.js';

export interface GeocodingParts {
  routes: GeocodingRouteDeps;
  health: () => GeocodingHealth;
}

export function buildGeocoding(
  config: Config,
  log: Logger,
  parts: {
    pool: pg.Pool;
    cache: CacheService;
    audit: AuditSink;
    limiter: OutboundRateLimiter;
    catalog: ServiceCatalog;
    events: IntegrationEventSink;
    registry: Registry | undefined;
    stops: CleanupStack;
  },
): GeocodingParts {
  const deadlineMs = config.geocodingDeadlineSeconds * 1000;
  const onCall = parts.registry ? geocodingMetrics(parts.registry) : undefined;
  const factory = (name: ProviderName, s: ProviderSettings) => {
    const common = {
      apiKey: s.apiKey,
      rootUrl: s.baseUrl,
      audit: parts.audit,
      limiter: parts.limiter,
      onCall,
      deadlineMs,
      attemptTimeoutMs: s.attemptTimeoutMs,
    };
    log.info({ service: name, apiRoot: s.baseUrl ?? 'default' }, 'geocoding provider ready');
    return name === 'google_maps' ? new GoogleMapsProvider(common) : new YandexMapsProvider(common);
  };
  const providers = new GeocodingProviders(parts.catalog, factory, {
    failures: config.geocodingBreakerFailures,
    halfOpenAfterMs: config.geocodingBreakerOpenSeconds * 1000,
  });
  const durable = new PgDurableCache(parts.pool);
  const cache = new GeocodingCache({
    cache: parts.cache,
    durable,
    ttlSeconds: config.geocodingCacheTtl,
    notFoundTtlSeconds: config.geocodingNotFoundCacheTtl,
    log,
  });
  const purge = startDailyPurge(durable, log);
  parts.stops.push('cache purge', () => purge.stop());
  const health = () => geocodingHealth(providers);
  log.info(
    { providers: providers.status().map((p) => `${p.service}:${p.configured ? 'configured' : 'no key'}`) },
    'geocoding',
  );
  return {
    routes: {
      geocode: { providers, cache, events: parts.events, deadlineMs },
      batchConcurrency: config.geocodingBatchConcurrency,
      health,
    },
    health,
  };
}
