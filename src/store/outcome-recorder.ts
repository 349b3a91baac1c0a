/**
 * The processing ports over Postgres: outcomes recorded with finish-events'
 * statements (on the keyed pool, store/database.ts createKeyedPool), and the
 * retry loop's claim and lease release (claim-due-events).
 */
import type pg from 'pg';
import { publishedPayloadText } from '../domain/webhook-body.js';
import type {
  AttemptRecord,
  EventClaims,
  FailedOutcome,
  OutcomeRecorder,
  StoredEvent,
} from '../services/ports.js';
import { claimDueEvents, releaseLeases } from './sql/claim-due-events.js';
import { completeEvents, failEvents } from './sql/finish-events.js';

export class PgOutcomeRecorder implements OutcomeRecorder {
  constructor(private readonly pool: pg.Pool) {}

  complete(ids: readonly string[], a: AttemptRecord): Promise<number> {
    return completeEvents(this.pool, ids, a.worker, a.startedAt, a.durationMs);
  }

  fail(outcomes: readonly FailedOutcome[], a: AttemptRecord): Promise<number> {
    return failEvents(this.pool, outcomes, a.worker, a.startedAt, a.durationMs);
  }
}

export class PgEventClaims implements EventClaims {
  constructor(private readonly pool: pg.Pool) {}

  async claimDue(options: {
    now: Date;
    limit: number;
    leaseSeconds: number;
    worker: string;
  }): Promise<StoredEvent[]> {
    const rows = await claimDueEvents(this.pool, options);
    return rows.map((row) => ({
      id: row.id,
      source: row.source,
      eventId: row.event_id,
      eventType: row.event_type,
      tenantId: row.tenant_id,
      contentType: row.content_type,
      payloadJson: row.has_payload ? publishedPayloadText(row.raw_body, row.content_type) : null,
      rawBody: row.has_payload ? null : row.raw_body,
      retryCount: row.retry_count,
      maxRetries: row.max_retries,
      replay: row.replay,
    }));
  }

  releaseLeases(worker: string): Promise<number> {
    return releaseLeases(this.pool, worker);
  }
}
