/**
 * Backoff between attempts of one provider call: exponential from 250 ms,
 * doubling to at most 8 s, with jitter in the upper half of the window (many
 * callers spread out, none retries at once), and never sooner than the
 * provider's Retry-After. The same numbers as sheets/retry.ts; kept here so
 * that one adapter does not import another.
 */
const BASE_MS = 250;
const CAP_MS = 8000;

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const window = Math.min(CAP_MS, BASE_MS * 2 ** attempt);
  return Math.round(window / 2 + random() * (window / 2));
}

/** Retry-After as seconds: delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
