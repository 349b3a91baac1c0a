/**
 * Google's failures, read structurally from googleapis' GaxiosError (so no
 * import of gaxios, which is not our dependency), and turned into our error
 * catalogue with messages that say what to do: 404 the id is wrong, 403 share
 * the sheet with the service account, 400 the range does not parse, 429 and
 * 5xx retry later. Google's own message is kept (it names the range), cut short
 * and scrubbed of anything credential-shaped.
 */
import { redactCredentials } from '../audit/sanitise.js';
import { AppError } from '../domain/errors.js';

export interface GoogleFailure {
  /** HTTP status, or undefined for a network failure or timeout. */
  status: number | undefined;
  message: string;
  retryAfter: string | undefined;
  /** The URL that failed: the Sheets API, or the OAuth token endpoint. */
  url: string | undefined;
}

interface ErrorShape {
  message?: unknown;
  status?: unknown;
  code?: unknown;
  config?: { url?: unknown };
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

export function headerValue(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  // gaxios' Headers is not always the global class (instanceof fails): duck-type it.
  const get = (headers as { get?: unknown }).get;
  if (typeof get === 'function') {
    const v: unknown = get.call(headers, name);
    return typeof v === 'string' ? v : undefined;
  }
  const v = (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

export function readFailure(err: unknown): GoogleFailure {
  const e = (typeof err === 'object' && err !== null ? err : {}) as ErrorShape;
  const status = typeof e.response?.status === 'number' ? e.response.status : undefined;
  const data = e.response?.data as
    { error?: { message?: unknown } | string; error_description?: unknown } | undefined;
  const googleMessage =
    typeof data?.error === 'object' && typeof data.error.message === 'string'
      ? data.error.message
      : typeof data?.error_description === 'string'
        ? data.error_description
        : undefined;
  const message = googleMessage ?? (typeof e.message === 'string' ? e.message : String(err));
  const rawUrl = e.config?.url;
  const url = rawUrl instanceof URL ? rawUrl.href : typeof rawUrl === 'string' ? rawUrl : undefined;
  return {
    status,
    message: redactCredentials(message).slice(0, 300),
    retryAfter: headerValue(e.response?.headers, 'retry-after'),
    url,
  };
}

/** Errors of googleapis' HTTP layer (GaxiosError: answered or not) carry the request config. */
export function isHttpFailure(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'config' in err;
}

/** 429 and 5xx, and failures without an answer (network, timeout), may succeed on a retry. */
export function isTransient(f: GoogleFailure): boolean {
  return f.status === undefined || f.status === 429 || f.status >= 500;
}

export interface FailureContext {
  spreadsheetId?: string;
  range?: string;
  serviceAccountEmail: string;
  /** Where Sheets API calls go; a failure elsewhere is the token endpoint. */
  apiRoot: string;
  retryAfterSeconds?: number;
}

export function toAppError(f: GoogleFailure, c: FailureContext): AppError {
  const sheet = c.spreadsheetId === undefined ? 'the spreadsheet' : `spreadsheet ${c.spreadsheetId}`;
  const fromTokenEndpoint = f.url !== undefined && !f.url.startsWith(c.apiRoot);
  if (f.status === 401 || (fromTokenEndpoint && f.status !== undefined && f.status < 500)) {
    return new AppError(
      'SHEETS_AUTH_FAILED',
      `Google rejected the service account ${c.serviceAccountEmail}; check the key in GOOGLE_SHEETS_CREDENTIALS_PATH (revoked or deleted keys fail like this)`,
    );
  }
  switch (f.status) {
    case 404:
      return new AppError(
        'SHEETS_SPREADSHEET_NOT_FOUND',
        `Google has no ${sheet}; check the id in the sheet's URL`,
      );
    case 403:
      return new AppError(
        'SHEETS_ACCESS_DENIED',
        `The service account ${c.serviceAccountEmail} may not open ${sheet}: share the sheet with ${c.serviceAccountEmail} (Viewer to read, Editor to write). Google said: ${f.message}`,
      );
    case 400:
      return /\brange\b/i.test(f.message)
        ? new AppError(
            'SHEETS_BAD_RANGE',
            `Google cannot use the range ${JSON.stringify(c.range ?? '')}: ${f.message}`,
          )
        : new AppError('SHEETS_BAD_REQUEST', `Google rejected the request: ${f.message}`);
    case 429:
      return new AppError(
        'SHEETS_RATE_LIMITED',
        "Google's Sheets quota is exhausted and did not recover within GOOGLE_SHEETS_DEADLINE_SECONDS; retry after the Retry-After header",
        c.retryAfterSeconds ?? 60,
      );
    default:
      break;
  }
  if (f.status === undefined || f.status >= 500) {
    const what = f.status === undefined ? 'did not answer' : `answered ${f.status}`;
    return new AppError(
      'SHEETS_UNAVAILABLE',
      `Google Sheets ${what} and retries within GOOGLE_SHEETS_DEADLINE_SECONDS did not succeed; retry later`,
      c.retryAfterSeconds ?? 5,
    );
  }
  return new AppError('SHEETS_BAD_REQUEST', `Google answered ${f.status}: ${f.message}`);
}
