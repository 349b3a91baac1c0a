/**
 * One logical geocoding call: outbound budget, send, audit row, and retry of
 * the failures a later attempt may cure (rate_limited, unavailable, timeout)
 * with backoff until the call's deadline. The same shape as
 * sheets/call-google.ts.
 *
 * Every attempt spends budget (limiter per service and tenant), writes its own
 * integration_logs row and is reported to onCall, so a throttling storm shows
 * in the audit log and in metrics, not only its last attempt. An attempt's
 * timeout is attemptTimeoutMs or what is left of the deadline, whichever is
 * shorter. A wait longer than what is left (a Retry-After of minutes) is not
 * waited: the call fails at once with the provider's hint in
 * retryAfterSeconds. Geocoding reads nothing and changes nothing, so every
 * attempt may be repeated.
 *
 * The audit row's endpoint is built by the provider from its root URL and
 * path, never from the HTTP client's request, so the key in the query string
 * has no way in; BatchedAuditWriter strips a query string again anyway.
 */
import { performance } from 'node:perf_hooks';
import type { AuditSink } from '../audit/audit-log.js';
import type { OutboundRateLimiter } from '../ratelimit/outbound-limiter.js';
import { backoffMs } from './backoff.js';
import type { ProviderHealthTracker } from './health.js';
import {
  ProviderFailure,
  type FailureKind,
  type ProviderAnswer,
  type ProviderCall,
  type ProviderName,
} from './types.js';

/** found, not_found, or why the attempt failed: the metrics' outcome label. */
export type CallOutcome = 'found' | 'not_found' | FailureKind;

/** Called once per HTTP attempt; the integrator registers the Prometheus counter and histogram. */
export type OnProviderCall = (service: ProviderName, outcome: CallOutcome, seconds: number) => void;

/** What both providers need besides their key and root URL. */
export interface ProviderDeps {
  audit: AuditSink;
  limiter?: OutboundRateLimiter;
  onCall?: OnProviderCall;
  /** A logical call's budget, budget waits and retries included, when the call names no deadlineAt. */
  deadlineMs: number;
  /** One HTTP attempt's timeout (at most what is left of the deadline). */
  attemptTimeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source for the backoff; tests make it fixed. */
  random?: () => number;
}

export interface Operation {
  service: ProviderName;
  /** geocode.forward or geocode.reverse: the audit row's operation. */
  name: string;
  /** scheme://host/path, without a query string. */
  endpoint: string;
}

/** What one successful attempt returns. */
export interface Attempt<T> {
  answer: ProviderAnswer<T>;
  httpStatus: number;
  responseBytes: number;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function callProvider<T>(
  deps: ProviderDeps,
  health: ProviderHealthTracker,
  call: ProviderCall,
  op: Operation,
  /** Resolves with an answer or rejects with a ProviderFailure; anything else is a bug and is not retried. */
  send: (timeoutMs: number) => Promise<Attempt<T>>,
): Promise<ProviderAnswer<T>> {
  const sleep = deps.sleep ?? sleepFor;
  const deadline = call.deadlineAt ?? Date.now() + deps.deadlineMs;
  const audit = {
    service: op.service,
    operation: op.name,
    url: op.endpoint,
    method: 'GET',
    requestId: call.requestId,
    tenantId: call.tenantId,
  };
  for (let attempt = 0; ; attempt++) {
    // OUTBOUND_RATE_LIMITED and EXTERNAL_SERVICE_DISABLED pass through: our budget, not the provider's answer.
    await deps.limiter?.acquire({ service: op.service, tenantId: call.tenantId });
    // Whole milliseconds: a deadline shared out between providers can be fractional, and
    // AbortSignal.timeout() throws RangeError on anything but an integer.
    const remaining = Math.floor(deadline - Date.now());
    if (remaining <= 0) {
      const failure = new ProviderFailure({
        provider: op.service,
        kind: 'timeout',
        providerStatus: 'deadline',
        detail: `no answer within the call's deadline (${attempt} attempt(s) made); retry later`,
      });
      health.failure(failure.kind);
      throw failure;
    }
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    try {
      const result = await send(Math.min(deps.attemptTimeoutMs, remaining));
      const took = seconds();
      deps.audit.record({
        ...audit,
        ok: true,
        httpStatus: result.httpStatus,
        durationMs: took * 1000,
        responseBytes: result.responseBytes,
      });
      deps.onCall?.(op.service, result.answer.status, took);
      health.success();
      return result.answer;
    } catch (err) {
      if (!(err instanceof ProviderFailure)) throw err;
      const took = seconds();
      deps.audit.record({
        ...audit,
        ok: false,
        httpStatus: err.httpStatus,
        durationMs: took * 1000,
        error: err.message,
      });
      deps.onCall?.(op.service, err.kind, took);
      const waitMs = Math.max(backoffMs(attempt, deps.random), (err.retryAfterSeconds ?? 0) * 1000);
      if (!err.retryable || Date.now() + waitMs >= deadline) {
        health.failure(err.kind);
        throw err.retryable && err.retryAfterSeconds === undefined
          ? err.withRetryAfter(Math.ceil(waitMs / 1000))
          : err;
      }
      await sleep(waitMs);
    }
  }
}
