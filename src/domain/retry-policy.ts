/**
 * When a failed attempt is tried again. SPEC.md: 2^retry_count minutes plus
 * jitter, at most max_retries retries, then failed. The cap keeps a source with
 * a large max_retries from waiting days; the jitter spreads a burst of failures
 * (a Redis outage fails everything at once) so the retries do not all land in
 * the same tick.
 */
export interface RetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Jitter is a uniform fraction of the delay in [0, jitterRatio). */
  jitterRatio: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 60_000,
  maxDelayMs: 60 * 60_000,
  jitterRatio: 0.1,
};

export type AttemptOutcome =
  { status: 'retrying'; retryCount: number; nextRetryAt: Date } | { status: 'failed'; retryCount: number };

/**
 * The outcome of an attempt that failed. `retryCount` is the number of retries
 * already made; `permanent` errors (nothing a retry could fix) fail at once.
 */
export function afterFailure(
  retryCount: number,
  maxRetries: number,
  now: Date,
  options: { permanent?: boolean; policy?: RetryPolicy; random?: () => number } = {},
): AttemptOutcome {
  if (options.permanent || retryCount >= maxRetries) return { status: 'failed', retryCount };
  return {
    status: 'retrying',
    retryCount: retryCount + 1,
    nextRetryAt: new Date(now.getTime() + retryDelayMs(retryCount, options)),
  };
}

export function retryDelayMs(
  retryCount: number,
  options: { policy?: RetryPolicy; random?: () => number } = {},
): number {
  const policy = options.policy ?? DEFAULT_RETRY_POLICY;
  const random = options.random ?? Math.random;
  const base = Math.min(policy.baseDelayMs * 2 ** Math.min(retryCount, 30), policy.maxDelayMs);
  return Math.round(base * (1 + random() * policy.jitterRatio));
}
