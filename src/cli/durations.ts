/**
 * Durations (30s, 15m, 1h, 30d, 2w) and points in time (a duration ago, or an
 * ISO-8601 date or time) as integctl options take them. A value that is not
 * one, a calendar date that does not exist (2026-02-30) and a duration too
 * long to mean anything (999999999w, whose start is before the year 1) are
 * usage errors naming the accepted forms, found before any connection.
 */
import { InvalidTime, parseIsoTime as parseIsoDateTime } from '../lib/iso-time.js';
import { UsageError } from './io.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export const DURATION_FORMS = 'a duration like 30s, 15m, 1h, 30d or 2w';
const TIME_FORMS = 'an ISO-8601 time like 2026-11-26T10:00:00Z or date like 2026-11-26';

/** The longest duration an option takes unless it says otherwise: 1000 years of 365 days. */
export const MAX_DURATION_MS = 365_000 * 86_400_000;

/**
 * Parses 30s, 15m, 1h, 30d, 2w into milliseconds, at most `max` (default
 * 1000 years, `maxWords` saying it); a usage error names the forms or the limit.
 */
export function parseDuration(
  value: string,
  option: string,
  max = MAX_DURATION_MS,
  maxWords = '1000 years',
): number {
  const match = /^(\d{1,9})([smhdw])$/.exec(value.trim());
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new UsageError(`${option} ${JSON.stringify(value)} is not ${DURATION_FORMS}`);
  }
  const ms = Number(match[1]) * (UNITS[match[2]] ?? 0);
  if (ms > max) throw new UsageError(`${option} ${JSON.stringify(value)} is longer than ${maxWords}`);
  return ms;
}

/**
 * An ISO-8601 date or time (lib/iso-time.ts: checked field by field); a shape
 * that names no real time is a usage error saying why. Undefined when `value`
 * is not of that shape at all.
 */
export function parseIsoTime(value: string, option: string): Date | undefined {
  try {
    return parseIsoDateTime(value);
  } catch (err) {
    if (!(err instanceof InvalidTime)) throw err;
    throw new UsageError(
      `${option} ${JSON.stringify(value)} is not a real time: ${err.message}; use ${TIME_FORMS}`,
    );
  }
}

/** A point in time: a duration back from now (1h = one hour ago) or an ISO-8601 date or time. */
export function parseSince(value: string, option: string, now: Date = new Date()): Date {
  if (/^\d{1,9}[smhdw]$/.test(value.trim())) return new Date(now.getTime() - parseDuration(value, option));
  const at = parseIsoTime(value, option);
  if (at !== undefined) return at;
  throw new UsageError(
    `${option} ${JSON.stringify(value)} is neither ${DURATION_FORMS} (meaning that long ago) nor ${TIME_FORMS}`,
  );
}
