/**
 * The ports of the outbound integrations (geocoding, the external_services
 * catalogue, the durable cache, integration events): what the use cases in
 * services/ need, in their terms. store/ implements the first two (Postgres),
 * main/ hands the bus in for the third. Kept apart from ports.ts, which holds
 * the webhook pipeline's.
 */

// ---- external_services ---------------------------------------------------------

/** One row of external_services as the use cases see it. The key is never logged or printed. */
export interface ExternalServiceRecord {
  name: string;
  serviceType: string;
  baseUrl: string | null;
  apiKey: string | null;
  isActive: boolean;
  rateLimitPerMinute: number | null;
  rateLimitPerHour: number | null;
  rateLimitPerDay: number | null;
  timeoutSeconds: number;
  priority: number;
  updatedAt: Date;
}

export type ExternalServiceChange = Partial<Omit<ExternalServiceRecord, 'name' | 'updatedAt'>>;

export interface ExternalServiceStore {
  list(): Promise<ExternalServiceRecord[]>;
  find(name: string): Promise<ExternalServiceRecord | undefined>;
  /** Inserts a row; false when one of that name exists. */
  create(record: Omit<ExternalServiceRecord, 'updatedAt'>): Promise<boolean>;
  /** Changes the named columns; the row after, or undefined when there is none. */
  update(name: string, change: ExternalServiceChange): Promise<ExternalServiceRecord | undefined>;
  remove(name: string): Promise<boolean>;
}

// ---- the durable cache level (integration_cache) ---------------------------------------

export interface DurableEntry {
  /** The JSON text stored. */
  value: string;
  expiresAt: Date;
}

/**
 * Cache entries that outlive Redis: rows of integration_cache under the same
 * full key as the hot level (`{root}:{namespace}:{tenant}:{key}`).
 */
export interface DurableCacheStore {
  /** The entry if it has not expired at `now`. */
  get(cacheKey: string, now: Date): Promise<DurableEntry | undefined>;
  put(entry: {
    cacheKey: string;
    namespace: string;
    tenant: string;
    value: string;
    expiresAt: Date;
  }): Promise<void>;
  /** Rows expired at `now`. */
  countExpired(now: Date): Promise<number>;
  /** Deletes up to `limit` rows expired at `now`; how many went. */
  deleteExpired(now: Date, limit: number): Promise<number>;
}

// ---- integration events -------------------------------------------------------------

/** A message for consumers on `integration.{eventType}` (Pub/Sub and the stream), old envelope. */
export interface IntegrationEvent {
  /** geocoding.address.resolved, geocoding.coordinates.resolved, sheets.data.updated */
  eventType: string;
  tenantId: string | undefined;
  data: Record<string, unknown>;
}

/** Publishes without failing the caller: a lost event is logged, the answer still goes out. */
export type IntegrationEventSink = (event: IntegrationEvent) => void;
