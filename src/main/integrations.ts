/**
 * Wiring of the outbound half of the daemon: Redis (when configured), the tenant
 * cache, the external_services catalogue (budgets, keys and priorities,
 * re-read every 5 s), rate limits (outbound and ingest), the audit log, the
 * Google Sheets adapter and geocoding (main/geocoding.ts). startRuntime() calls this once and hands `appDeps` to buildApp;
 * stop() undoes it in reverse order (idempotent), so the last audit rows, usage counts and
 * cache counters are written before Redis and Postgres close.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { Registry } from 'prom-client';
import { BatchedAuditWriter, type AuditSink } from '../audit/audit-log.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Config } from '../config/schema.js';
import { integrationChannel, integrationEnvelope } from '../domain/integration-event.js';
import type { IntegrationDeps } from '../http/routes/integrations.js';
import type { Logger } from '../lib/logger.js';
import { redactUrl } from '../lib/redact.js';
import { IngestRateLimiter } from '../ratelimit/ingest-limiter.js';
import { MemoryLimiterFactory, RedisLimiterFactory } from '../ratelimit/limiter-factory.js';
import { OutboundRateLimiter } from '../ratelimit/outbound-limiter.js';
import { ApiUsageRecorder } from '../ratelimit/usage-recorder.js';
import { CredentialsError, loadServiceAccount } from '../sheets/credentials.js';
import { GoogleSheetsGateway } from '../sheets/google-gateway.js';
import { closeRedis, connectRedis, createRedisClient } from '../redis/clients.js';
import { KeySpace } from '../redis/keys.js';
import type { SheetsGateway } from '../sheets/types.js';
import { UnconfiguredSheets } from '../sheets/unconfigured-gateway.js';
import type { GeocodingHealth } from '../services/geocoding-health.js';
import type { IntegrationEventSink } from '../services/integration-ports.js';
import { ServiceCatalog } from '../services/service-catalog.js';
import { PgExternalServices } from '../store/external-services.js';
import { buildGeocoding } from './geocoding.js';
import { buildCacheService } from './cache.js';
import { CleanupStack } from './cleanup.js';

export interface Integrations {
  appDeps: IntegrationDeps;
  /** Ingest budgets per source and tenant, for IngestService (on the same limiter backend as outbound calls). */
  ingestLimiter: IngestRateLimiter;
  redis: Redis | undefined;
  geocodingHealth: () => GeocodingHealth;
  stop(): Promise<void>;
}

/** Integration events go out on the bus; a publish that fails is logged, never the caller's failure. */
function eventSink(bus: EventBus | undefined, log: Logger): IntegrationEventSink {
  return (event) => {
    if (bus === undefined) return;
    const payload = integrationEnvelope(event.eventType, event.tenantId, event.data, new Date());
    const channel = integrationChannel(event.eventType);
    void bus.publish([{ id: randomUUID(), channel, payload }]).then(([ok]) => {
      if (ok !== true) log.warn({ channel }, 'integration event not published: the bus refused it');
    });
  };
}

async function openRedis(config: Config, log: Logger): Promise<Redis | undefined> {
  if (config.redisUrl === undefined) return undefined;
  const client = createRedisClient(config.redisUrl, 'request', { name: 'integrationd', log });
  try {
    await connectRedis(client);
  } catch (err) {
    // Not fatal: the cache misses and rate limits keep per-process budgets
    // until Redis answers; the client keeps reconnecting.
    log.error(
      { redis: redactUrl(config.redisUrl), reason: (err as Error).message },
      'Redis does not answer; starting degraded (cache misses) and reconnecting in the background',
    );
  }
  return client;
}

/**
 * The Sheets adapter, or the unconfigured one. Bad credentials do not stop the
 * daemon (webhook ingest must not depend on a Sheets key): they are logged with
 * the reason, and the Sheets endpoints and health say the adapter is off.
 */
async function openSheets(
  config: Config,
  log: Logger,
  audit: AuditSink,
  limiter: OutboundRateLimiter,
): Promise<SheetsGateway> {
  const file = config.googleSheetsCredentialsPath;
  if (file === undefined) {
    log.info('Google Sheets not configured (no GOOGLE_SHEETS_CREDENTIALS_PATH); its endpoints answer 503');
    return new UnconfiguredSheets('GOOGLE_SHEETS_CREDENTIALS_PATH is not set');
  }
  try {
    const account = await loadServiceAccount(file);
    const gateway = new GoogleSheetsGateway({
      account,
      rootUrl: config.googleSheetsRootUrl,
      deadlineMs: config.googleSheetsDeadlineSeconds * 1000,
      audit,
      limiter,
    });
    log.info(
      { serviceAccount: account.clientEmail, apiRoot: config.googleSheetsRootUrl ?? 'Google' },
      'Google Sheets ready',
    );
    return gateway;
  } catch (err) {
    if (!(err instanceof CredentialsError)) throw err;
    log.error(`Google Sheets disabled: ${err.message}`);
    return new UnconfiguredSheets('the credentials file could not be loaded; the daemon log says why');
  }
}

export async function startIntegrations(
  config: Config,
  log: Logger,
  pool: pg.Pool,
  // The runtime's metrics registry, so cache_operations_total is served by its /metrics.
  registry?: Registry,
  bus?: EventBus,
): Promise<Integrations> {
  const stops = new CleanupStack(log);
  try {
    const redis = await openRedis(config, log);
    if (redis) stops.push('redis', () => closeRedis(redis));

    const cache = buildCacheService(config, log, redis, { registry });
    stops.push('cache', () => cache.close());

    const keys = new KeySpace(config.cacheKeyPrefix);
    const factory = redis ? new RedisLimiterFactory(redis) : new MemoryLimiterFactory();
    const limits = new ServiceCatalog(new PgExternalServices(pool), config, log);
    await limits.start();
    stops.push('service catalogue', () => limits.stop());
    const usage = new ApiUsageRecorder(pool, log);
    usage.start();
    stops.push('usage recorder', () => usage.stop());
    const outbound = new OutboundRateLimiter({
      factory,
      keys,
      limits,
      usage,
      maxWaitMs: config.outboundRateLimitMaxWaitMs,
    });
    const ingestLimiter = new IngestRateLimiter(factory, keys, config.webhookRateLimitPerMinute);

    const audit = new BatchedAuditWriter(pool, log);
    audit.start();
    stops.push('audit log', () => audit.stop());

    const sheets = await openSheets(config, log, audit, outbound);
    const events = eventSink(bus, log);
    const geocoding = buildGeocoding(config, log, {
      pool,
      cache,
      audit,
      limiter: outbound,
      catalog: limits,
      events,
      registry,
      stops,
    });
    log.info(
      {
        cache: config.cacheEnabled ? cache.backendKind : 'disabled',
        rateLimits: factory.kind,
        sheets: sheets.configured ? 'configured' : 'not configured',
      },
      'integrations ready',
    );
    return {
      appDeps: { cache, sheets, geocoding: geocoding.routes, events },
      ingestLimiter,
      redis,
      geocodingHealth: geocoding.health,
      stop: () => stops.run(),
    };
  } catch (err) {
    await stops.run();
    throw err;
  }
}
