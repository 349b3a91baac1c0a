/**
 * Backoff for Google's 429 and 5xx answers: exponential from 250 ms, doubling
 * to at most 8 s, with jitter (the upper half of the window, so many clients
 * spread out but none retries at once), and never sooner than Retry-After.
 */
const BASE_MS = 250;
const CAP_MS = 8000;

export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const window = Math.min(CAP_MS, BASE_MS * 2 ** attempt);
  return Math.round(window / 2 + random() * (window / 2));
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined if absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
