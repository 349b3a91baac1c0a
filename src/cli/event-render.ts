/** How `integctl events list` and `show` print for a person (the --json forms are the service objects). */
import { indentedJson, type EventDetails } from '../services/event-details.js';
import type { EventSummary } from '../services/ports.js';
import { renderTable } from './table.js';

export const count = (n: number): string => n.toLocaleString('en-US');
export const plural = (n: number, word: string): string => `${count(n)} ${word}${n === 1 ? '' : 's'}`;

/** 2026-11-26 10:00:00Z: second precision is what a person scans for; --json has the rest. */
export function shortTime(iso: string | null): string {
  return iso === null ? '' : `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`;
}

export function eventsTable(events: readonly EventSummary[]): string {
  return renderTable(
    ['id', 'source', 'type', 'tenant', 'status', 'attempts', 'received'],
    events.map((e) => [
      e.id,
      e.source,
      e.event_type,
      e.tenant_id,
      e.status,
      e.attempts,
      shortTime(e.received_at),
    ]),
  );
}

/** A body that is not JSON: as text when it is printable UTF-8 (form posts), else base64. */
function rawBody(base64: string): string {
  const bytes = Buffer.from(base64, 'base64');
  const asText = bytes.toString('utf8');
  // eslint-disable-next-line no-control-regex -- control characters are what makes a body binary
  const printable = Buffer.from(asText, 'utf8').equals(bytes) && !/[\u0000-\u0008\u000e-\u001f]/.test(asText);
  return printable
    ? `raw body (${bytes.length} bytes, not JSON):\n${asText}`
    : `raw body (${bytes.length} bytes, base64):\n${base64}`;
}

/** The payload indented, numbers as stored; one that is nested too deep to indent is shown as stored, and says so. */
function payloadLines(payload: EventDetails['payload']): string {
  if (payload === null) return 'payload:\nnull';
  const indented = indentedJson(payload.json);
  return indented === undefined
    ? `payload (nested too deep to indent; shown as stored):\n${payload.json}`
    : `payload:\n${indented}`;
}

export function eventText(event: EventDetails): string {
  const fields: Array<[string, string | number | null]> = [
    ['id', event.id],
    ['source', event.source],
    ['provider event id', event.event_id],
    ['type', event.event_type],
    ['tenant', event.tenant_id],
    ['status', event.status],
    ['retries', `${event.retry_count} of ${event.max_retries}`],
    ['received', event.received_at],
    ['updated', event.updated_at],
    ['next retry', event.next_retry_at],
    ['published', event.published_at],
    ['content type', event.content_type],
    ['last error', event.last_error],
  ];
  const lines = fields.map(([name, value]) => `${name.padEnd(18)} ${value ?? '-'}`);
  lines.push('', 'headers (secrets removed when stored):');
  const headers = Object.entries(event.headers);
  if (headers.length === 0) lines.push('  (none)');
  for (const [name, value] of headers) lines.push(`  ${name}: ${value}`);
  lines.push('');
  lines.push(event.raw_body_base64 !== null ? rawBody(event.raw_body_base64) : payloadLines(event.payload));
  lines.push('', `attempts (${event.attempts.length}):`);
  if (event.attempts.length === 0) lines.push('  none yet');
  else
    lines.push(
      renderTable(
        ['#', 'started', 'duration', 'outcome', 'worker', 'error'],
        event.attempts.map((a) => [
          a.attempt,
          a.started_at,
          `${a.duration_ms} ms`,
          a.outcome,
          a.worker,
          a.error?.replace(/\s+/g, ' ') ?? null,
        ]),
      ),
    );
  return lines.join('\n');
}
