/**
 * Watching events as the daemon publishes them (`integctl events tail`, like
 * `stripe listen`). It reads the Pub/Sub channels consumers read, so what it
 * prints is what they receive: the envelope of domain/event.ts, as published.
 *
 * Filters go into the PSUBSCRIBE pattern so Redis sends only what was asked
 * for, and are checked again on the envelope, because the pattern alone is not
 * exact: source names and event types both may contain dots, so
 * integration.webhook.stripe.* also matches source `stripe.eu`. The tenant is
 * not in the channel name; it is only checked on the envelope.
 */
import { channelFor, isObject } from '../domain/event.js';
import type { EventBus } from '../bus/event-bus.js';

export interface TailFilter {
  source?: string;
  type?: string;
  tenant?: string;
}

/** One published event, as tail shows it. */
export interface TailedEvent {
  channel: string;
  /** When it was published (the envelope's timestamp). */
  timestamp: string;
  source: string;
  type: string;
  tenant: string | null;
  /** Our event id (the uuid integctl events show takes). */
  id: string;
  /** The provider's event id. */
  eventId: string | null;
  /** The envelope exactly as published. */
  envelope: string;
}

/** Escapes Redis glob characters, so a type like `a*b` matches only itself. */
export function globLiteral(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

export function tailPattern(filter: TailFilter): string {
  return channelFor(
    filter.source === undefined ? '*' : globLiteral(filter.source),
    filter.type === undefined ? '*' : globLiteral(filter.type),
  );
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** Reads an envelope; undefined when the message is not one (someone else publishing on our channels). */
export function parseEnvelope(channel: string, envelope: string): TailedEvent | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(envelope);
  } catch {
    return undefined;
  }
  if (!isObject(parsed) || !isObject(parsed.data)) return undefined;
  const { data } = parsed;
  const timestamp = text(parsed.timestamp);
  const source = text(data.source);
  const type = text(data.event_type);
  const id = text(data.id);
  if (timestamp === undefined || source === undefined || type === undefined || id === undefined)
    return undefined;
  return {
    channel,
    timestamp,
    source,
    type,
    tenant: text(parsed.tenant_id) ?? null,
    id,
    eventId: text(data.event_id) ?? null,
    envelope,
  };
}

export function matchesTail(event: TailedEvent, filter: TailFilter): boolean {
  return (
    (filter.source === undefined || event.source === filter.source) &&
    (filter.type === undefined || event.type === filter.type) &&
    (filter.tenant === undefined || event.tenant === filter.tenant)
  );
}

/** The one-line form: time, source, type, tenant, id. */
export function tailLine(event: TailedEvent): string {
  return [
    event.timestamp,
    event.source.padEnd(14),
    event.type.padEnd(32),
    `tenant=${event.tenant ?? '-'}`.padEnd(24),
    event.id,
  ].join(' ');
}

export interface TailHandlers {
  /** Called once the subscription is in place: from here on nothing published is missed. */
  onSubscribed?(pattern: string): void;
  onEvent(event: TailedEvent): void;
  /** A message on our channels that is not an event envelope; only reported without filters. */
  onUnrecognised?(channel: string): void;
}

/** Subscribes and delivers matching events until `signal` aborts; then unsubscribes. */
export async function tailEvents(
  subscribe: EventBus['subscribe'],
  filter: TailFilter,
  handlers: TailHandlers,
  signal: AbortSignal,
): Promise<void> {
  const filtered = filter.tenant !== undefined || filter.source !== undefined || filter.type !== undefined;
  const pattern = tailPattern(filter);
  const unsubscribe = await subscribe(pattern, (channel, payload) => {
    if (signal.aborted) return;
    const event = parseEnvelope(channel, payload);
    if (event === undefined) {
      if (!filtered) handlers.onUnrecognised?.(channel);
    } else if (matchesTail(event, filter)) handlers.onEvent(event);
  });
  try {
    handlers.onSubscribed?.(pattern);
    if (!signal.aborted)
      await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  } finally {
    await unsubscribe();
  }
}
