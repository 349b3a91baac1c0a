/**
 * Turning `integctl events` flags into service inputs. Every bad value is a
 * usage error (exit 2) that names the accepted forms.
 */
import { EVENT_STATUSES, type EventStatus } from '../domain/event.js';
import type { EventFilter } from '../services/ports.js';
import { parseSince } from './durations.js';
import { UsageError } from './io.js';

export interface FilterFlags {
  status?: string;
  source?: string;
  tenant?: string;
  type?: string;
  since?: string;
  until?: string;
}

/** One status or several, comma-separated: `failed` or `failed,retrying`. */
export function parseStatuses(value: string, option = '--status'): EventStatus[] {
  const names = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.filter((s) => !(EVENT_STATUSES as readonly string[]).includes(s));
  if (names.length === 0 || bad.length > 0) {
    throw new UsageError(
      `${option} ${JSON.stringify(value)} is not a status; use one or more (comma-separated) of ${EVENT_STATUSES.join(', ')}`,
    );
  }
  return [...new Set(names as EventStatus[])];
}

/** A whole number in [min, max]; the message says the range. */
export function parseWhole(value: string, option: string, min: number, max: number): number {
  const n = /^\d{1,9}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= min && n <= max))
    throw new UsageError(`${option} ${JSON.stringify(value)} is not a whole number from ${min} to ${max}`);
  return n;
}

export function parseFilter(flags: FilterFlags, now: Date): EventFilter {
  const since = flags.since === undefined ? undefined : parseSince(flags.since, '--since', now);
  const until = flags.until === undefined ? undefined : parseSince(flags.until, '--until', now);
  if (since !== undefined && until !== undefined && since >= until)
    throw new UsageError(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  return {
    statuses: flags.status === undefined ? undefined : parseStatuses(flags.status),
    source: flags.source,
    tenant: flags.tenant,
    type: flags.type,
    since,
    until,
  };
}

/** The filter in words, for confirmation questions and summaries: "status failed, source stripe". */
export function describeFilter(filter: EventFilter): string {
  const parts: string[] = [];
  if (filter.statuses?.length) parts.push(`status ${filter.statuses.join(' or ')}`);
  if (filter.source !== undefined) parts.push(`source ${filter.source}`);
  if (filter.tenant !== undefined) parts.push(`tenant ${filter.tenant}`);
  if (filter.type !== undefined) parts.push(`type ${filter.type}`);
  if (filter.since !== undefined) parts.push(`received since ${filter.since.toISOString()}`);
  if (filter.until !== undefined) parts.push(`received before ${filter.until.toISOString()}`);
  return parts.length === 0 ? 'every event' : parts.join(', ');
}
