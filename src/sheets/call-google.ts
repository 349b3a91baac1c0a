/**
 * One logical Sheets operation: rate limit, send, audit, and retry transient
 * failures with backoff until GOOGLE_SHEETS_DEADLINE_SECONDS runs out.
 *
 * Every attempt spends outbound budget and writes its own audit row, so a
 * 429 storm is visible in integration_logs. Each attempt's timeout is the time
 * left to the deadline. Operations that are not idempotent (append) retry only
 * Google's 429, which means the request was refused unprocessed: a 5xx or a
 * lost answer may have appended already, and a retry would append twice.
 */
import { performance } from 'node:perf_hooks';
import type { AuditSink } from '../audit/audit-log.js';
import { AppError } from '../domain/errors.js';
import type { OutboundRateLimiter } from '../ratelimit/outbound-limiter.js';
import {
  headerValue,
  isHttpFailure,
  isTransient,
  readFailure,
  toAppError,
  type FailureContext,
} from './google-errors.js';
import type { SheetsHealthTracker } from './health.js';
import { backoffMs, parseRetryAfter } from './retry.js';
import type { CallContext } from './types.js';

export const SHEETS_SERVICE = 'google_sheets';

export interface CallDeps {
  limiter?: OutboundRateLimiter;
  audit: AuditSink;
  health: SheetsHealthTracker;
  deadlineMs: number;
  serviceAccountEmail: string;
  apiRoot: string;
  sleep?: (ms: number) => Promise<void>;
}

export interface Operation {
  /** The googleapis method, e.g. values.get: the audit row's operation. */
  name: string;
  method: 'GET' | 'PUT' | 'POST';
  idempotent: boolean;
  spreadsheetId?: string;
  range?: string;
  requestBytes?: number;
}

/** What an attempt returns: googleapis' response, reduced to what we read. */
export interface Answer<T> {
  data: T;
  status: number;
  headers: unknown;
  config: unknown;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function urlOf(config: unknown): string | undefined {
  const u = typeof config === 'object' && config !== null ? (config as { url?: unknown }).url : undefined;
  return u instanceof URL ? u.href : typeof u === 'string' ? u : undefined;
}

function responseBytes(answer: Answer<unknown>): number {
  const length = Number(headerValue(answer.headers, 'content-length'));
  return Number.isFinite(length) && length > 0
    ? length
    : Buffer.byteLength(JSON.stringify(answer.data) ?? '');
}

export async function callGoogle<T>(
  deps: CallDeps,
  ctx: CallContext,
  op: Operation,
  send: (timeoutMs: number) => Promise<Answer<T>>,
): Promise<T> {
  const sleep = deps.sleep ?? sleepFor;
  const deadline = Date.now() + deps.deadlineMs;
  const context: FailureContext = {
    spreadsheetId: op.spreadsheetId,
    range: op.range,
    serviceAccountEmail: deps.serviceAccountEmail,
    apiRoot: deps.apiRoot,
  };
  const audit = {
    service: SHEETS_SERVICE,
    operation: op.name,
    method: op.method,
    requestBytes: op.requestBytes,
    requestId: ctx.requestId,
    tenantId: ctx.tenantId,
  };
  for (let attempt = 0; ; attempt++) {
    await deps.limiter?.acquire({ service: SHEETS_SERVICE, tenantId: ctx.tenantId });
    const remaining = deadline - Date.now();
    if (remaining <= 0) {
      deps.health.failure('SHEETS_UNAVAILABLE');
      throw new AppError(
        'SHEETS_UNAVAILABLE',
        'The Sheets call ran out of time (GOOGLE_SHEETS_DEADLINE_SECONDS)',
        5,
      );
    }
    const started = performance.now();
    try {
      const answer = await send(remaining);
      deps.audit.record({
        ...audit,
        url: urlOf(answer.config),
        ok: true,
        httpStatus: answer.status,
        durationMs: performance.now() - started,
        responseBytes: responseBytes(answer),
      });
      deps.health.success();
      return answer.data;
    } catch (err) {
      // Not from the HTTP layer (a bug, a key that cannot sign): no retry would help.
      if (!isHttpFailure(err)) throw err;
      const failure = readFailure(err);
      deps.audit.record({
        ...audit,
        url: failure.url,
        ok: false,
        httpStatus: failure.status,
        durationMs: performance.now() - started,
        error: failure.message,
      });
      const retryable = op.idempotent ? isTransient(failure) : failure.status === 429;
      const waitMs = Math.max(backoffMs(attempt), parseRetryAfter(failure.retryAfter) ?? 0);
      if (!retryable || Date.now() + waitMs >= deadline) {
        const error = toAppError(failure, { ...context, retryAfterSeconds: Math.ceil(waitMs / 1000) });
        if (isTransient(failure) || error.code === 'SHEETS_AUTH_FAILED') deps.health.failure(error.code);
        throw error;
      }
      await sleep(waitMs);
    }
  }
}
