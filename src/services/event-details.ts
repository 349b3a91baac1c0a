/** Reading one event with its attempts, for GET /api/v1/webhooks/events/{id} and integctl events show. */
import { rewriteJson } from '../domain/exact-json.js';
import type { EventQueries } from './ports.js';

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
  /**
   * The stored payload as JSON text, exactly as Postgres keeps it (numbers as
   * sent, any depth); eventDetailsJson() writes it into the answer unparsed.
   */
  payload: { readonly json: string } | null;
  /** The raw body, base64, when there is no parsed payload to show. */
  raw_body_base64: string | null;
  attempts: EventAttempt[];
}

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

export async function getEventDetails(queries: EventQueries, id: string): Promise<EventDetails | undefined> {
  if (!UUID.test(id)) return undefined;
  const event = await queries.find(id);
  if (event === undefined) return undefined;
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
    payload: event.payloadText === null ? null : { json: event.payloadText },
    raw_body_base64: event.payloadText === null ? event.rawBody.toString('base64') : null,
    attempts: event.attempts.map((a) => ({
      attempt: a.attempt,
      started_at: a.startedAt.toISOString(),
      duration_ms: a.durationMs,
      outcome: a.outcome,
      error: a.error,
      worker: a.worker,
    })),
  };
}

/**
 * The details as one JSON document, the payload written in last, as stored:
 * exact numbers, and no depth limit (JSON.stringify of a parsed 5,000-level
 * body overflows the stack). `indent` indents everything but such a payload.
 */
export function eventDetailsJson(details: EventDetails, indent = 0): string {
  const { payload, ...rest } = details;
  const head = JSON.stringify(rest, null, indent);
  const text = payload === null ? 'null' : payloadText(payload.json, indent);
  return indent > 0
    ? `${head.slice(0, -2)},\n${' '.repeat(indent)}"payload": ${text}\n}`
    : `${head.slice(0, -1)},"payload":${text}}`;
}

/** The payload indented like the rest when it can be, numbers kept exact; as stored when nested too deep. */
function payloadText(json: string, indent: number): string {
  if (indent === 0) return json;
  const pretty = indentedJson(json, indent);
  return pretty === undefined ? json : pretty.replace(/\n/g, `\n${' '.repeat(indent)}`);
}

/** JSON text indented, every number as stored; undefined when it is nested too deep to indent. */
export function indentedJson(json: string, indent = 2): string | undefined {
  try {
    return rewriteJson(json, undefined, indent);
  } catch {
    return undefined;
  }
}

export function isEventId(id: string): boolean {
  return UUID.test(id);
}
