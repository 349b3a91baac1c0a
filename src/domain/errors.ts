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
  INVALID_CURSOR: {
    status: 400,
    message: 'Not a stream cursor: send back the id: of a message the event stream sent.',
  },
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
  INVALID_TENANT: {
    status: 400,
    message: 'The tenant id must be 1-128 letters, digits, "_", "." or "-", starting with a letter or digit.',
  },
  INVALID_CACHE_INPUT: { status: 400, message: 'The cache namespace, key or pattern is not allowed.' },
  CACHE_UNAVAILABLE: { status: 503, message: 'The cache backend (Redis) is unavailable; retry later.' },
  OUTBOUND_RATE_LIMITED: {
    status: 429,
    message: "This tenant's budget for the external service is spent; retry after the Retry-After header.",
  },
  EXTERNAL_SERVICE_DISABLED: {
    status: 503,
    message: 'The external service is disabled (external_services.is_active = false).',
  },
  SHEETS_SPREADSHEET_NOT_FOUND: {
    status: 404,
    message: 'Google has no spreadsheet with that id; check the id in the sheet URL.',
  },
  SHEETS_ACCESS_DENIED: {
    status: 403,
    message: "The service account may not open this spreadsheet; share it with the service account's email.",
  },
  SHEETS_BAD_RANGE: {
    status: 400,
    message: 'Google cannot parse the range; use A1 notation like Sheet1!A1:C10.',
  },
  SHEETS_BAD_REQUEST: { status: 400, message: 'Google rejected the request.' },
  SHEETS_RATE_LIMITED: {
    status: 429,
    message: "Google's Sheets quota is exhausted; retry after the Retry-After header.",
  },
  SHEETS_AUTH_FAILED: {
    status: 502,
    message: 'Google rejected the service-account credentials; check GOOGLE_SHEETS_CREDENTIALS_PATH.',
  },
  SHEETS_UNAVAILABLE: {
    status: 503,
    message: 'Google Sheets did not answer successfully within the deadline; retry later.',
  },
  GEOCODE_NOT_FOUND: {
    status: 404,
    message: 'No provider tried knows that address or point; check the spelling or try another provider.',
  },
  GEOCODING_QUERY_REJECTED: {
    status: 400,
    message: 'Every geocoding provider tried rejected the query as invalid.',
  },
  GEOCODING_FAILED: {
    status: 502,
    message: 'Every geocoding provider tried failed; the message names them. Retry later.',
  },
  GEOCODING_NOT_CONFIGURED: {
    status: 503,
    message:
      'No geocoding provider has an API key: set GOOGLE_MAPS_API_KEY or YANDEX_MAPS_API_KEY, or integctl services update NAME --api-key-stdin.',
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
