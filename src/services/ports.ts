/**
 * The ports of the webhook pipeline: what the use cases in services/ need from
 * storage, declared here in their terms and implemented in store/ (Postgres).
 * Services import these interfaces, never store/; only main/ picks the
 * implementation. A test can hand a use case any object of the same shape.
 */
import type { EventStatus } from '../domain/event.js';
import type { WebhookSource } from '../domain/source.js';

// ---- ingest ----------------------------------------------------------------

/** A verified webhook, as ingest hands it to the event store. */
export interface NewEvent {
  id: string;
  source: string;
  eventId: string | null;
  dedupKey: string;
  eventType: string;
  tenantId: string | null;
  contentType: string | null;
  rawBody: Buffer;
  /** The body text when it is JSON that jsonb accepts; null otherwise. */
  payloadJson: string | null;
  /** payloadJson is the body's own text (decoded from rawBody as UTF-8, not re-serialised). */
  payloadIsBody?: boolean;
  headersJson: string;
  /** 'pending': to be published; 'completed': stored only (a Drive sync message). */
  status: 'pending' | 'completed';
  maxRetries: number;
}

/**
 * A stored event as processing needs it, whether it was just inserted (the
 * fast path) or claimed by the retry loop: processItemOf() maps both.
 */
export interface StoredEvent {
  id: string;
  source: string;
  eventId: string | null;
  eventType: string;
  tenantId: string | null;
  contentType: string | null;
  /** The payload as stored: JSON text, or null when the body has no parsed payload. */
  payloadJson: string | null;
  /** The raw body, where there is no payload (to tell an empty body from unreadable JSON); else null. */
  rawBody: Buffer | null;
  retryCount: number;
  maxRetries: number;
  /** Already published once: an operator's retry of a completed event. */
  replay: boolean;
}

export type StoreResult =
  | { duplicate: true; id: string }
  /** `stored` is what Postgres now holds (a payload jsonb refused is null there, and here). */
  | { duplicate: false; id: string; stored: StoredEvent; status: 'pending' | 'completed' };

/** Durable storage for ingest: resolves once the row is committed (or found to be a duplicate). */
export interface EventStore {
  write(event: NewEvent): Promise<StoreResult>;
}

/** Webhook sources by name, as stored (the registry caches them). */
export interface SourceLookup {
  find(name: string): Promise<WebhookSource | undefined>;
}

/** The source table, for the operator's source management. */
export interface SourceStore extends SourceLookup {
  list(): Promise<WebhookSource[]>;
  create(source: WebhookSource): Promise<void>;
  /** False when no source has that name. */
  save(source: WebhookSource): Promise<boolean>;
  remove(name: string): Promise<boolean>;
}

// ---- processing --------------------------------------------------------------

export interface FailedOutcome {
  id: string;
  status: 'retrying' | 'failed';
  retryCount: number;
  nextRetryAt: Date | null;
  error: string;
}

/** One processing attempt's outcome for a batch, recorded only for events this worker still leases. */
export interface AttemptRecord {
  worker: string;
  startedAt: Date;
  durationMs: number;
}

export interface OutcomeRecorder {
  complete(ids: readonly string[], attempt: AttemptRecord): Promise<number>;
  fail(outcomes: readonly FailedOutcome[], attempt: AttemptRecord): Promise<number>;
}

/** The retry loop's claim: due events leased to `worker` in one statement. */
export interface EventClaims {
  claimDue(options: {
    now: Date;
    limit: number;
    leaseSeconds: number;
    worker: string;
  }): Promise<StoredEvent[]>;
  /** Hands back a worker's leases (graceful shutdown): its events are due again at once. */
  releaseLeases(worker: string): Promise<number>;
}

// ---- operators: finding, retrying, purging -------------------------------------

export interface EventFilter {
  /** Any of these statuses; empty or absent means every status. */
  statuses?: readonly EventStatus[];
  source?: string;
  tenant?: string;
  type?: string;
  /** received_at >= since */
  since?: Date;
  /** received_at < until */
  until?: Date;
}

/**
 * Where a page ended: the next page starts strictly after (older than) this row.
 * receivedAt is Postgres's own text form of the timestamp, kept opaque: a JS Date
 * holds milliseconds, received_at microseconds, and a truncated cursor would skip
 * the rows received in the same millisecond just after it.
 */
export interface EventCursor {
  receivedAt: string;
  id: string;
}

/** One row of a listing: what the table shows, plus what scripts reading --json want. */
export interface EventSummary {
  id: string;
  source: string;
  event_id: string | null;
  event_type: string;
  tenant_id: string | null;
  status: EventStatus;
  /** Processing attempts recorded (webhook_event_attempts), not only retries. */
  attempts: number;
  retry_count: number;
  max_retries: number;
  next_retry_at: string | null;
  last_error: string | null;
  received_at: string;
  updated_at: string;
}

export interface EventPage {
  events: EventSummary[];
  /** True when more events match than the limit let through. */
  more: boolean;
}

/** A stored event as an operator sees it, payload as JSON text; attempts oldest first. */
export interface EventRecord {
  id: string;
  source: string;
  eventId: string | null;
  eventType: string;
  tenantId: string | null;
  status: EventStatus;
  retryCount: number;
  maxRetries: number;
  nextRetryAt: Date | null;
  publishedAt: Date | null;
  lastError: string | null;
  receivedAt: Date;
  updatedAt: Date;
  contentType: string | null;
  headers: Record<string, string>;
  /** As Postgres writes jsonb out (numbers exact), or null. */
  payloadText: string | null;
  rawBody: Buffer;
  attempts: Array<{
    attempt: number;
    startedAt: Date;
    durationMs: number;
    outcome: string;
    error: string | null;
    worker: string | null;
  }>;
}

export interface PurgePlan {
  statuses: readonly EventStatus[];
  receivedBefore: Date;
  now: Date;
}

/** Reads and operator changes over stored events. */
export interface EventQueries {
  list(filter: EventFilter, limit: number): Promise<EventPage>;
  count(filter: EventFilter): Promise<number>;
  /** The ids of the next `limit` matching events after `after`, newest first, for batch work. */
  matchingIds(
    filter: EventFilter,
    limit: number,
    after?: EventCursor,
  ): Promise<{ ids: string[]; last: EventCursor | undefined }>;
  find(id: string): Promise<EventRecord | undefined>;
  /**
   * The named events that exist, with their tenant and whether a worker holds
   * a live lease on them at `now` (scheduleNow()'s own exclusion).
   */
  lookup(ids: readonly string[], now: Date): Promise<Map<string, { tenantId: string | null; busy: boolean }>>;
  /**
   * Makes events due now: the retry loop publishes them on its next round. An
   * event under another worker's live lease is left alone. Returns the ids scheduled.
   */
  scheduleNow(ids: readonly string[], now: Date): Promise<string[]>;
  /** Unfinished events by status (pending, processing, retrying, failed). */
  unfinishedCounts(): Promise<Record<string, number>>;
  countPurgeable(plan: PurgePlan): Promise<number>;
  /** Deletes up to `limit` planned events; returns how many went. */
  purge(plan: PurgePlan & { limit: number }): Promise<number>;
}

// ---- the event stream ------------------------------------------------------------

/**
 * A place in the stream of published events: the publishing transaction's id
 * and the event id. Positions only grow, and everything before the newest one
 * read is settled (store/sql/stream-events.ts says why).
 */
export interface StreamPosition {
  xid: string;
  id: string;
}

/** One publish of an event, as the stream sends it. */
export interface PublishedEvent extends StreamPosition {
  source: string;
  eventId: string | null;
  eventType: string;
  tenantId: string | null;
  /** The payload text the envelope carried (as on Redis), or null. */
  payloadJson: string | null;
  publishedAt: Date;
}

export interface PublishedEvents {
  /** Up to `limit` publishes after `after`, in stream order; only settled ones. */
  readAfter(after: StreamPosition, limit: number): Promise<PublishedEvent[]>;
  /** The newest settled position, or undefined when nothing was published yet. */
  head(): Promise<StreamPosition | undefined>;
  /** The position just before the first publish at or after `since`; undefined when there is none. */
  positionAt(since: Date): Promise<StreamPosition | undefined>;
  /** The newest position a purge deleted, or undefined. */
  purgedThrough(): Promise<string | undefined>;
}
