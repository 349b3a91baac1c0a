/**
 * Webhook events: statuses, the event type rule of SPEC.md, the Redis channel
 * and the published envelope (the old service's shapes, kept for its consumers).
 */
export const EVENT_STATUSES = ['pending', 'processing', 'completed', 'retrying', 'failed'] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export type JsonObject = { [key: string]: unknown };

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** application/json and any +json type (application/cloudevents+json, ...). */
export function isJsonContentType(contentType: string | null | undefined): boolean {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** Event types and ids go into channel names and text columns: keep them printable and short. */
export function cleanLabel(value: string, max = 200): string {
  const cleaned = value
    // eslint-disable-next-line no-control-regex -- control characters are what we remove
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  return cleaned.length > max ? cleaned.slice(0, max) : cleaned;
}

/**
 * SPEC.md: Stripe `type`; Google `eventType` or `sheets.<resource state>`;
 * others `event_type`, then `type`, else `unknown`. GitHub sends its type in
 * the X-GitHub-Event header, which wins for that scheme.
 */
export function eventTypeOf(
  scheme: string,
  payload: unknown,
  headers: Record<string, string | string[] | undefined>,
): string {
  const field = (name: string) =>
    isObject(payload) && typeof payload[name] === 'string' ? payload[name] : undefined;
  let type: string | undefined;
  if (scheme === 'stripe') type = field('type');
  else if (scheme === 'google-drive') {
    const state = headers['x-goog-resource-state'];
    type = field('eventType') ?? (typeof state === 'string' && state !== '' ? `sheets.${state}` : undefined);
  } else if (scheme === 'github') {
    const h = headers['x-github-event'];
    type = typeof h === 'string' && h !== '' ? h : undefined;
  }
  type ??= field('event_type') ?? field('type');
  const cleaned = type === undefined ? '' : cleanLabel(type, 120);
  return cleaned === '' ? 'unknown' : cleaned;
}

/** integration.webhook.{source}.{event_type}, as the old service named them. */
export function channelFor(source: string, eventType: string): string {
  return `integration.webhook.${source}.${eventType}`;
}

export interface PublishableEvent {
  id: string;
  source: string;
  eventId: string | null;
  eventType: string;
  tenantId: string | null;
  /** The payload as JSON text (the stored body, not re-serialised), or null. */
  payloadJson: string | null;
}

/**
 * The JSON message consumers of the old service already parse. The payload is
 * spliced in as the JSON text it arrived as: it was validated at ingest, and
 * not parsing and re-serialising it saves most of the publishing CPU.
 */
export function envelopeFor(event: PublishableEvent, now: Date): string {
  const head = JSON.stringify({
    event_type: `webhook.${event.source}.${event.eventType}`,
    source: 'integration_service',
    timestamp: now.toISOString(),
    tenant_id: event.tenantId,
  });
  const data = JSON.stringify({
    event_id: event.eventId,
    id: event.id,
    source: event.source,
    event_type: event.eventType,
  });
  return `${head.slice(0, -1)},"data":${data.slice(0, -1)},"payload":${event.payloadJson ?? 'null'}}}`;
}
