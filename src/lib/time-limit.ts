/**
 * Helpers for reads that must not hang or be repeated: health checks and
 * scrape-time queries answer within a deadline, and callers arriving within
 * `ttlMs` share one result (so /health/detailed or /metrics polled in a loop
 * cannot turn into a query per request against Postgres).
 */
export class TimeoutError extends Error {}

/** Rejects with TimeoutError after `ms`; the work itself is not cancelled, only no longer awaited. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Memoises an async read for `ttlMs` after it settles; concurrent callers share
 * the one in flight. A rejected read is cached too: a database that just timed
 * out is not asked again by every waiting caller.
 */
export function cachedFor<T>(ttlMs: number, read: () => Promise<T>, now: () => number = Date.now) {
  let current: { value: Promise<T>; settledAt: number | undefined } | undefined;
  return (): Promise<T> => {
    if (current && (current.settledAt === undefined || now() - current.settledAt < ttlMs)) {
      return current.value;
    }
    const entry: { value: Promise<T>; settledAt: number | undefined } = {
      value: read(),
      settledAt: undefined,
    };
    const settle = () => (entry.settledAt = now());
    entry.value.then(settle, settle);
    current = entry;
    return entry.value;
  };
}
