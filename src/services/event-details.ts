/** Reading one event with its attempts, for GET /api/v1/webhooks/events/{id} and integctl events show. */
import type { Models } from '../store/models/index.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EventAttempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  outcome: string;
  error: string | null;
  worker: string | null;
}

export interface EventDetails {
  id: string;
  source: string;
  event_id: string | null;
  event_type: string;
  tenant_id: string | null;
  status: string;
  retry_count: number;
  max_retries: number;
  next_retry_at: string | null;
  published_at: string | null;
  last_error: string | null;
  received_at: string;
  updated_at: string;
  content_type: string | null;
  headers: Record<string, string>;
  payload: unknown;
  /** The raw body, base64, when there is no parsed payload to show. */
  raw_body_base64: string | null;
  attempts: EventAttempt[];
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export async function getEventDetails(models: Models, id: string): Promise<EventDetails | undefined> {
  if (!UUID.test(id)) return undefined;
  const event = await models.WebhookEvent.findByPk(id);
  if (event === null) return undefined;
  const attempts = await models.WebhookEventAttempt.findAll({
    where: { eventId: id },
    order: [
      ['attempt', 'ASC'],
      ['id', 'ASC'],
    ],
  });
  return {
    id: event.id,
    source: event.source,
    event_id: event.eventId,
    event_type: event.eventType,
    tenant_id: event.tenantId,
    status: event.status,
    retry_count: event.retryCount,
    max_retries: event.maxRetries,
    next_retry_at: iso(event.nextRetryAt),
    published_at: iso(event.publishedAt),
    last_error: event.lastError,
    received_at: event.receivedAt.toISOString(),
    updated_at: event.updatedAt.toISOString(),
    content_type: event.contentType,
    headers: event.headers,
    payload: event.payload ?? null,
    raw_body_base64: event.payload == null ? event.rawBody.toString('base64') : null,
    attempts: attempts.map((a) => ({
      attempt: a.attempt,
      started_at: a.startedAt.toISOString(),
      duration_ms: a.durationMs,
      outcome: a.outcome,
      error: a.error,
      worker: a.worker,
    })),
  };
}

export function isEventId(id: string): boolean {
  return UUID.test(id);
}
