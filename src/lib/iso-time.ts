/**
 * ISO-8601 dates and times, checked field by field: 2026-02-30 and 25:00 are
 * refused rather than rolled over into another day, as new Date() would.
 * integctl's options and the HTTP API's ?since= both read times this way.
 */

/** A date or time of the right shape that names no real moment; the message says why. */
export class InvalidTime extends Error {}

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
 * time without one). Undefined when `value` is not of that shape at all;
 * InvalidTime when it is but names no real time.
 */
export function parseIsoTime(value: string): Date | undefined {
  const m = ISO_TIME.exec(value.trim());
  if (m === null) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  const ms = Math.floor(Number(`0.${m[7] ?? '0'}`) * 1000);
  if (year < 1) throw new InvalidTime('there is no year 0');
  if (month < 1 || month > 12) throw new InvalidTime(`there is no month ${m[2]}`);
  if (day < 1 || day > daysIn(year, month))
    throw new InvalidTime(`${m[1]}-${m[2]} has ${daysIn(year, month)} days`);
  if (hour > 23 || minute > 59 || second > 59)
    throw new InvalidTime(`${m[4]}:${m[5]}${m[6] ? `:${m[6]}` : ''} is not a time of day`);
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
    if (zh > 23 || zm > 59) throw new InvalidTime(`${zone} is not a UTC offset`);
    date.setTime(date.getTime() - (z?.[1] === '-' ? -1 : 1) * (zh * 60 + zm) * 60_000);
  }
  return date;
}
