/**
 * The error catalogue: every error a caller can see has a stable SNAKE_CASE code,
 * an HTTP status and a message that says what to do next. HTTP answers carry
 * {"error":{"code","message"}}; the CLI prints the message. Documented in
 * man/integrationd.8 (ERROR CODES).
 */
export const errorCatalogue = {
  BAD_REQUEST: { status: 400, message: 'The request is malformed.' },
  VALIDATION_FAILED: { status: 400, message: 'The request body does not match the schema.' },
  MALFORMED_BODY: { status: 400, message: 'The body is not valid JSON.' },
  UNAUTHORIZED: { status: 401, message: 'Send Authorization: Bearer <ADMIN_TOKEN>.' },
  INVALID_SIGNATURE: { status: 401, message: 'The webhook signature does not verify.' },
  TIMESTAMP_OUT_OF_TOLERANCE: {
    status: 401,
    message: 'The webhook timestamp is outside the tolerance window.',
  },
  FORBIDDEN: { status: 403, message: 'This caller may not access that resource.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  UNKNOWN_SOURCE: {
    status: 404,
    message: 'No webhook source by that name; add one with integctl sources add.',
  },
  EVENT_NOT_FOUND: { status: 404, message: 'No webhook event with that id.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed on this route.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The body is larger than WEBHOOK_MAX_BODY_BYTES.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Unsupported Content-Type.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests; retry after the Retry-After header.' },
  INTERNAL_ERROR: { status: 500, message: 'Internal error; the request id identifies it in the logs.' },
  STORAGE_UNAVAILABLE: { status: 503, message: 'Event storage is unavailable; retry later.' },
  SHUTTING_DOWN: { status: 503, message: 'The daemon is shutting down; retry against another instance.' },
  SHEETS_NOT_CONFIGURED: {
    status: 503,
    message: 'Set GOOGLE_SHEETS_CREDENTIALS_PATH to use the Sheets API.',
  },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message?: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message ?? errorCatalogue[code].message);
    this.status = errorCatalogue[code].status;
  }
}

/** An error that no retry can fix (a payload that cannot be processed, say): goes to failed at once. */
export class PermanentError extends Error {}
