/**
 * Google geocoding through Google's client, @googlemaps/google-maps-services-js.
 *
 * The root URL (GOOGLE_MAPS_ROOT_URL: a fake server in tests, a proxy) is set
 * on each request: the client has no base URL, only a default full URL per
 * API. Google answers HTTP 200 with a status in the body; the client's adapter
 * turns that status into an HTTP code (INVALID_REQUEST 400, REQUEST_DENIED 403,
 * OVER_DAILY_LIMIT and OVER_QUERY_LIMIT both 429, UNKNOWN_ERROR 500) and
 * rejects, so failures are read from the rejected response's body status
 * first and its HTTP status only when the body has none (a proxy's 502, an
 * HTML page).
 *
 * The client's built-in retry (retry-axios: 3 retries of 429 and 5xx, 2 of
 * no answer) is switched off. By default it retries OVER_DAILY_LIMIT, which
 * fails until the quota resets, and since the adapter gives it the same 429
 * as OVER_QUERY_LIMIT, no status list can keep one and drop the other. Its
 * attempts would also pass by the outbound budget, the audit log and the
 * metrics, and wait (up to 5 min of Retry-After) past our deadline.
 * call-provider.ts retries OVER_QUERY_LIMIT, UNKNOWN_ERROR, 5xx, timeouts and
 * lost connections instead, each attempt budgeted, audited and counted.
 */
import { Client, type Config, type Language } from '@googlemaps/google-maps-services-js';
import { callProvider, type Attempt, type ProviderDeps } from './call-provider.js';
import { forwardAnswer, reverseAnswer } from './google-answer.js';
import { ProviderHealthTracker } from './health.js';
import { checkForward, checkReverse, coordinate } from './query.js';
import { GOOGLE_MAPS_DEFAULT_ROOT, GOOGLE_MAPS_SERVICE } from './services.js';
import { safeText } from './safe-text.js';
import { retryAfterSeconds } from './backoff.js';
import { object, ShapeError, type Json } from './shape.js';
import {
  ProviderFailure,
  type FailureKind,
  type ForwardQuery,
  type ForwardResult,
  type GeocodingProvider,
  type ProviderAnswer,
  type ProviderCall,
  type ProviderHealthReport,
  type ReverseQuery,
  type ReverseResult,
} from './types.js';

export { GOOGLE_MAPS_DEFAULT_ROOT, GOOGLE_MAPS_SERVICE };
const GEOCODE_PATH = '/maps/api/geocode/json';

export interface GoogleMapsOptions extends ProviderDeps {
  apiKey: string;
  /** GOOGLE_MAPS_ROOT_URL; default https://maps.googleapis.com. */
  rootUrl?: string;
}

/** retry-axios off for every status and for lost answers: call-provider.ts retries (see above). */
export const GOOGLE_CLIENT_RETRY: NonNullable<Config['raxConfig']> = {
  retry: 0,
  noResponseRetries: 0,
  shouldRetry: () => false,
};

const STATUS: Readonly<Record<string, { kind: FailureKind; detail: string }>> = {
  OVER_QUERY_LIMIT: {
    kind: 'rate_limited',
    detail: 'Google throttles this key (requests per second); retry after a pause',
  },
  UNKNOWN_ERROR: { kind: 'unavailable', detail: 'Google had a server error; retry later' },
  REQUEST_DENIED: {
    kind: 'auth',
    detail:
      'Google refused the key: check GOOGLE_MAPS_API_KEY, that the Geocoding API is enabled for its project, and that its restrictions allow this server',
  },
  OVER_DAILY_LIMIT: {
    kind: 'quota',
    detail:
      "the key's project is over its daily quota, or its billing account is missing or invalid; check the Google Cloud console",
  },
  INVALID_REQUEST: { kind: 'bad_request', detail: 'Google rejected the query as invalid' },
};

interface AxiosErrorShape {
  isAxiosError?: unknown;
  code?: unknown;
  response?: { status?: unknown; data?: unknown; headers?: unknown };
}

interface AxiosAnswer {
  status: number;
  data: unknown;
  headers: unknown;
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  const v: unknown =
    typeof get === 'function' ? get.call(headers, name) : (headers as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ERR_CANCELED']);

export class GoogleMapsProvider implements GeocodingProvider {
  readonly name = GOOGLE_MAPS_SERVICE;
  private readonly client: Client;
  private readonly endpoint: string;
  private readonly tracker = new ProviderHealthTracker(GOOGLE_MAPS_SERVICE);

  constructor(private readonly options: GoogleMapsOptions) {
    if (options.apiKey === '') throw new Error('GoogleMapsProvider needs an API key (GOOGLE_MAPS_API_KEY)');
    const root = (options.rootUrl ?? GOOGLE_MAPS_DEFAULT_ROOT).replace(/\/+$/, '');
    this.endpoint = `${root}${GEOCODE_PATH}`;
    this.client = new Client({ config: { raxConfig: GOOGLE_CLIENT_RETRY } });
  }

  async forward(query: ForwardQuery, call: ProviderCall = {}): Promise<ProviderAnswer<ForwardResult>> {
    const address = checkForward(this.name, query);
    const params = {
      address,
      key: this.options.apiKey,
      ...this.language(query.language),
      ...(query.region === undefined || query.region === '' ? {} : { region: query.region.toLowerCase() }),
    };
    return callProvider(
      this.options,
      this.tracker,
      call,
      { service: this.name, name: 'geocode.forward', endpoint: this.endpoint },
      (timeout) =>
        this.attempt(
          (signal) => this.client.geocode({ url: this.endpoint, params, timeout, signal }),
          timeout,
          forwardAnswer,
        ),
    );
  }

  async reverse(query: ReverseQuery, call: ProviderCall = {}): Promise<ProviderAnswer<ReverseResult>> {
    checkReverse(this.name, query);
    const latlng = `${coordinate(query.latitude)},${coordinate(query.longitude)}`;
    const params = { latlng, key: this.options.apiKey, ...this.language(query.language) };
    return callProvider(
      this.options,
      this.tracker,
      call,
      { service: this.name, name: 'geocode.reverse', endpoint: this.endpoint },
      (timeout) =>
        this.attempt(
          (signal) => this.client.reverseGeocode({ url: this.endpoint, params, timeout, signal }),
          timeout,
          reverseAnswer,
        ),
    );
  }

  health(): ProviderHealthReport {
    return this.tracker.report();
  }

  /** Google takes "ru", "en", "pt-BR"; Yandex-style "ru_RU" is accepted and sent as "ru-RU". */
  private language(language: string | undefined): { language?: Language } {
    // The client's Language enum lists Google's codes; Google itself falls back for others.
    return language === undefined || language === ''
      ? {}
      : { language: language.replace('_', '-') as Language };
  }

  /** One HTTP attempt: the client's answer read into ours, or a ProviderFailure. */
  private async attempt<T>(
    send: (signal: AbortSignal) => Promise<AxiosAnswer>,
    timeoutMs: number,
    read: (data: Json) => ProviderAnswer<T>,
  ): Promise<Attempt<T>> {
    let answer: AxiosAnswer;
    try {
      // axios' own timeout does not cover a body that trickles in; the signal bounds the whole exchange.
      answer = await send(AbortSignal.timeout(timeoutMs));
    } catch (err) {
      throw this.failureOf(err, timeoutMs);
    }
    const bytes = Number(header(answer.headers, 'content-length'));
    const responseBytes =
      Number.isFinite(bytes) && bytes > 0 ? bytes : Buffer.byteLength(JSON.stringify(answer.data) ?? '');
    const data = answer.data;
    const status =
      typeof data === 'object' && data !== null ? (data as { status?: unknown }).status : undefined;
    if (status !== 'OK' && status !== 'ZERO_RESULTS') {
      throw this.fail(
        'malformed',
        typeof status === 'string' ? status : `HTTP ${answer.status}`,
        typeof status === 'string'
          ? 'Google answered a status the Geocoding API does not document'
          : "Google's answer is not Geocoding API JSON (is GOOGLE_MAPS_ROOT_URL right?)",
        answer.status,
      );
    }
    try {
      return { answer: read(object(data, 'answer')), httpStatus: answer.status, responseBytes };
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      throw this.fail(
        'malformed',
        status,
        `Google's answer does not have the documented shape: ${err.message}`,
        answer.status,
      );
    }
  }

  private fail(
    kind: FailureKind,
    providerStatus: string,
    detail: string,
    httpStatus?: number,
    retryAfter?: number,
  ): ProviderFailure {
    return new ProviderFailure({
      provider: this.name,
      kind,
      providerStatus,
      detail: safeText(detail, [this.options.apiKey]),
      httpStatus,
      retryAfterSeconds: retryAfter,
    });
  }

  private failureOf(err: unknown, timeoutMs: number): ProviderFailure {
    const e = (typeof err === 'object' && err !== null ? err : {}) as AxiosErrorShape;
    // Our own per-attempt AbortSignal can fire before axios's timeout: axios then rejects with
    // the signal's DOMException, not an AxiosError. That is no answer in time, not a bad answer.
    if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
      return this.fail('timeout', 'no answer', `Google did not answer within ${timeoutMs} ms`);
    }
    if (e.isAxiosError !== true) {
      // The client's adapter reads body.status before axios validates anything: a JSON null throws here.
      const what = err instanceof Error ? err.name : typeof err;
      return this.fail(
        'malformed',
        'unreadable answer',
        `the client could not read Google's answer (${what})`,
      );
    }
    const response = e.response;
    if (response === undefined) {
      const code = typeof e.code === 'string' ? e.code : 'no answer';
      return TIMEOUT_CODES.has(code)
        ? this.fail('timeout', 'no answer', `Google did not answer within ${timeoutMs} ms`)
        : this.fail('unavailable', code, 'Google could not be reached; retry later');
    }
    const httpStatus = typeof response.status === 'number' ? response.status : undefined;
    const retryAfter = retryAfterSeconds(header(response.headers, 'retry-after'));
    const body = typeof response.data === 'object' && response.data !== null ? (response.data as Json) : {};
    const googleStatus = typeof body.status === 'string' ? body.status : undefined;
    if (googleStatus !== undefined) {
      const said = typeof body.error_message === 'string' ? ` (Google said: ${body.error_message})` : '';
      const known = STATUS[googleStatus] ?? {
        kind: 'bad_request' as const,
        detail: 'Google refused the request',
      };
      return this.fail(known.kind, googleStatus, `${known.detail}${said}`, httpStatus, retryAfter);
    }
    const status = `HTTP ${httpStatus ?? '?'}`;
    if (httpStatus === 429)
      return this.fail(
        'rate_limited',
        status,
        'Google throttles this key; retry after a pause',
        429,
        retryAfter,
      );
    if (httpStatus === 401 || httpStatus === 403)
      return this.fail('auth', status, 'Google refused the request: check GOOGLE_MAPS_API_KEY', httpStatus);
    if (httpStatus !== undefined && httpStatus >= 500)
      return this.fail(
        'unavailable',
        status,
        'Google had a server error; retry later',
        httpStatus,
        retryAfter,
      );
    if (httpStatus !== undefined && httpStatus >= 400)
      return this.fail('bad_request', status, 'Google refused the request', httpStatus);
    return this.fail('malformed', status, 'Google answered with an unexpected HTTP status', httpStatus);
  }
}
