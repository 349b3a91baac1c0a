/**
 * The messages of the outbound integrations (a geocode resolved at a
 * provider, a Sheets write), in the envelope the old service published for
 * every event: event_type, source "integration_service", timestamp,
 * tenant_id, data. The channel is `integration.{event_type}`, as webhook
 * events are published on `integration.webhook.…` with event_type
 * `webhook.…`.
 */
export const INTEGRATION_EVENT_TYPES = [
  'geocoding.address.resolved',
  'geocoding.coordinates.resolved',
  'sheets.data.updated',
] as const;
export type IntegrationEventType = (typeof INTEGRATION_EVENT_TYPES)[number];

export function integrationChannel(eventType: string): string {
  return `integration.${eventType}`;
}

export function integrationEnvelope(
  eventType: string,
  tenantId: string | undefined,
  data: Record<string, unknown>,
  now: Date,
): string {
  return JSON.stringify({
    event_type: eventType,
    source: 'integration_service',
    timestamp: now.toISOString(),
    tenant_id: tenantId ?? null,
    data,
  });
}
