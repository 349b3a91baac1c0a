/**
 * The Postgres side of the outbound integrations' ports: external_services
 * (ExternalServiceStore) and the durable cache level (DurableCacheStore).
 */
import type pg from 'pg';
import type {
  DurableCacheStore,
  DurableEntry,
  ExternalServiceChange,
  ExternalServiceRecord,
  ExternalServiceStore,
} from '../services/integration-ports.js';
import {
  deleteExternalService,
  insertExternalService,
  selectExternalService,
  selectExternalServices,
  updateExternalService,
} from './sql/external-services.js';
import {
  countExpiredEntries,
  deleteExpiredEntries,
  selectCacheEntry,
  upsertCacheEntry,
} from './sql/integration-cache.js';

export class PgExternalServices implements ExternalServiceStore {
  constructor(private readonly pool: pg.Pool) {}
  list(): Promise<ExternalServiceRecord[]> {
    return selectExternalServices(this.pool);
  }
  find(name: string): Promise<ExternalServiceRecord | undefined> {
    return selectExternalService(this.pool, name);
  }
  create(record: Omit<ExternalServiceRecord, 'updatedAt'>): Promise<boolean> {
    return insertExternalService(this.pool, record);
  }
  update(name: string, change: ExternalServiceChange): Promise<ExternalServiceRecord | undefined> {
    return updateExternalService(this.pool, name, change);
  }
  remove(name: string): Promise<boolean> {
    return deleteExternalService(this.pool, name);
  }
}

export class PgDurableCache implements DurableCacheStore {
  constructor(private readonly pool: pg.Pool) {}
  get(cacheKey: string, now: Date): Promise<DurableEntry | undefined> {
    return selectCacheEntry(this.pool, cacheKey, now);
  }
  put(entry: { cacheKey: string; namespace: string; tenant: string; value: string; expiresAt: Date }) {
    return upsertCacheEntry(this.pool, entry);
  }
  countExpired(now: Date): Promise<number> {
    return countExpiredEntries(this.pool, now);
  }
  deleteExpired(now: Date, limit: number): Promise<number> {
    return deleteExpiredEntries(this.pool, now, limit);
  }
}
