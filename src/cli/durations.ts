/**
 * Durations (30s, 15m, 1h, 30d, 2w) and points in time (a duration ago, or an
 * ISO-8601 date or time) as integctl options take them. A value that is not
 * one, a calendar date that does not exist (2026-02-30) and a duration too
 * long to mean anything (999999999w, whose start is before the year 1) are
 * usage errors naming the accepted forms, found before any connection.
 */
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

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** Days in a month (1-12) of a year, leap years included. */
function daysIn(year: number, month: number): number {
  const last = new Date(0);
  last.setUTCFullYear(year, month, 0); // day 0 of the next month
  return last.getUTCDate();
}

/**
 * An ISO-8601 date (midnight UTC) or date and time (with Z or an offset; local
 * time without one), checked field by field: 2026-02-30 and 25:00 are refused
 * rather than rolled over into another day. Undefined when `value` is not of
 * that shape at all.
 */
export function parseIsoTime(value: string, option: string): Date | undefined {
  const m = ISO_TIME.exec(value.trim());
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  const bad = (what: string) =>
    new UsageError(`${option} ${JSON.stringify(value)} is not a real time: ${what}; use ${TIME_FORMS}`);
  if (year < 1) throw bad('there is no year 0');
  if (month < 1 || month > 12) throw bad(`there is no month ${m[2]}`);
  if (day < 1 || day > daysIn(year, month)) throw bad(`${m[1]}-${m[2]} has ${daysIn(year, month)} days`);
  if (hour > 23 || minute > 59 || second > 59)
    throw bad(`${m[4]}:${m[5]}${m[6] ? `:${m[6]}` : ''} is not a time of day`);
  const zone = m[8];
  const date = new Date(0);
  if (zone === undefined && m[4] !== undefined) {
    date.setFullYear(year, month - 1, day);
    date.setHours(hour, minute, second, ms);
    return date;
  }
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, ms);
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const z = /^([+-])(\d{2}):?(\d{2})?$/.exec(zone);
    const [zh, zm] = [Number(z?.[2] ?? 0), Number(z?.[3] ?? 0)];
    if (zh > 23 || zm > 59) throw bad(`${zone} is not a UTC offset`);
    date.setTime(date.getTime() - (z?.[1] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000);
  }
  return date;
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
