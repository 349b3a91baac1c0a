import { UsageError } from './io.js';

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
export const DURATION_FORMS = 'a duration like 30s, 15m, 1h, 30d or 2w';

/** Parses 30s, 15m, 1h, 30d, 2w into milliseconds; a usage error names the accepted forms. */
export function parseDuration(value: string, option: string): number {
  const match = /^(\d{1,9})([smhdw])$/.exec(value.trim());
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new UsageError(`${option} ${JSON.stringify(value)} is not ${DURATION_FORMS}`);
  }
  return Number(match[1]) * (UNITS[match[2]] ?? 0);
}

/** A point in time: a duration back from now (1h = one hour ago) or an ISO-8601 time. */
export function parseSince(value: string, option: string, now: Date = new Date()): Date {
  if (/^\d{1,9}[smhdw]$/.test(value.trim())) return new Date(now.getTime() - parseDuration(value, option));
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t);
  }
  throw new UsageError(
    `${option} ${JSON.stringify(value)} is neither ${DURATION_FORMS} (meaning that long ago) nor an ISO-8601 time like 2026-11-26T10:00:00Z`,
  );
}
