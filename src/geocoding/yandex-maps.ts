/**
 * Yandex Geocoder HTTP API 1.x with fetch: there is no maintained Node
 * client, and the API is one GET,
 *
 *   {YANDEX_MAPS_ROOT_URL}/1.x/?apikey=…&geocode=…&format=json&lang=ru_RU&results=1
 *
 * For a reverse lookup geocode= is "longitude,latitude" (Yandex's order,
 * unless sco=latlong, which we do not send), and positions in the answer are
 * "longitude latitude" too (yandex-answer.ts). Yandex answers 403 to a bad or
 * blocked key and 429 when the key's quota is spent; a 429 that carries
 * Retry-After is a throttle (rate_limited, retried) rather than the quota.
 * A timeout (AbortSignal) covers the whole exchange, body included.
 */
import { callProvider, type Attempt, type ProviderDeps } from './call-provider.js';
import { retryAfterSeconds } from './backoff.js';
import { ProviderHealthTracker } from './health.js';
import { checkForward, checkReverse, coordinate } from './query.js';
import { YANDEX_MAPS_DEFAULT_ROOT, YANDEX_MAPS_SERVICE } from './services.js';
import { safeText } from './safe-text.js';
import { ShapeError } from './shape.js';
import { forwardAnswer, reverseAnswer } from './yandex-answer.js';
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

export { YANDEX_MAPS_DEFAULT_ROOT, YANDEX_MAPS_SERVICE };
const GEOCODE_PATH = '/1.x/';

export interface YandexMapsOptions extends ProviderDeps {
  apiKey: string;
  /** YANDEX_MAPS_ROOT_URL; default https://geocode-maps.yandex.ru. */
  rootUrl?: string;
  /** The lang= when a query names none; default ru_RU (Yandex's own). */
  defaultLanguage?: string;
}

/** Yandex's lang values: language_REGION. A bare language gets its usual region. */
const LANG_REGION: Readonly<Record<string, string>> = {
  ru: 'ru_RU',
  en: 'en_US',
  uk: 'uk_UA',
  be: 'be_BY',
  tr: 'tr_TR',
  kk: 'kk_KZ',
};

export function yandexLang(language: string): string {
  const [lang = '', region] = language.split(/[-_]/);
  const l = lang.toLowerCase();
  return region === undefined ? (LANG_REGION[l] ?? l) : `${l}_${region.toUpperCase()}`;
}

function isTimeout(err: unknown): boolean {
  return err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
}

export class YandexMapsProvider implements GeocodingProvider {
  readonly name = YANDEX_MAPS_SERVICE;
  private readonly endpoint: string;
  private readonly tracker = new ProviderHealthTracker(YANDEX_MAPS_SERVICE);

  constructor(private readonly options: YandexMapsOptions) {
    if (options.apiKey === '') throw new Error('YandexMapsProvider needs an API key (YANDEX_MAPS_API_KEY)');
    const root = (options.rootUrl ?? YANDEX_MAPS_DEFAULT_ROOT).replace(/\/+$/, '');
    this.endpoint = `${root}${GEOCODE_PATH}`;
  }

  async forward(query: ForwardQuery, call: ProviderCall = {}): Promise<ProviderAnswer<ForwardResult>> {
    const address = checkForward(this.name, query);
    return this.call('geocode.forward', call, address, query.language, forwardAnswer);
  }

  async reverse(query: ReverseQuery, call: ProviderCall = {}): Promise<ProviderAnswer<ReverseResult>> {
    checkReverse(this.name, query);
    const point = `${coordinate(query.longitude)},${coordinate(query.latitude)}`;
    return this.call('geocode.reverse', call, point, query.language, reverseAnswer);
  }

  health(): ProviderHealthReport {
    return this.tracker.report();
  }

  private call<T>(
    operation: string,
    call: ProviderCall,
    geocode: string,
    language: string | undefined,
    read: (data: unknown) => ProviderAnswer<T>,
  ): Promise<ProviderAnswer<T>> {
    const url = new URL(this.endpoint);
    url.searchParams.set('apikey', this.options.apiKey);
    url.searchParams.set('geocode', geocode);
    url.searchParams.set('format', 'json');
    url.searchParams.set('lang', yandexLang(language || this.options.defaultLanguage || 'ru_RU'));
    url.searchParams.set('results', '1');
    return callProvider(
      this.options,
      this.tracker,
      call,
      { service: this.name, name: operation, endpoint: this.endpoint },
      (timeoutMs) => this.attempt(url, timeoutMs, read),
    );
  }

  private async attempt<T>(
    url: URL,
    timeoutMs: number,
    read: (data: unknown) => ProviderAnswer<T>,
  ): Promise<Attempt<T>> {
    let status: number;
    let text: string;
    let headers: Headers;
    try {
      const res = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      headers = res.headers;
      text = await res.text();
    } catch (err) {
      if (isTimeout(err))
        throw this.fail('timeout', 'no answer', `Yandex did not answer within ${timeoutMs} ms`);
      // undici's "fetch failed" carries the reason (ECONNREFUSED, ECONNRESET) in its cause.
      const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
      const code = typeof cause?.code === 'string' ? cause.code : 'no answer';
      throw this.fail('unavailable', code, 'Yandex could not be reached; retry later');
    }
    const data = this.parseJson(text);
    if (status !== 200) throw this.httpFailure(status, data, headers.get('retry-after'));
    if (data === undefined) {
      const type = headers.get('content-type') ?? 'no content type';
      throw this.fail(
        'malformed',
        'HTTP 200',
        `Yandex's answer is not JSON (${type}); is YANDEX_MAPS_ROOT_URL right?`,
        200,
      );
    }
    try {
      return { answer: read(data), httpStatus: status, responseBytes: Buffer.byteLength(text) };
    } catch (err) {
      if (!(err instanceof ShapeError)) throw err;
      throw this.fail(
        'malformed',
        'HTTP 200',
        `Yandex's answer does not have the 1.x shape: ${err.message}`,
        200,
      );
    }
  }

  private parseJson(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
  }

  /** Yandex's error bodies are {"statusCode":403,"error":"Forbidden","message":"Invalid api key"}. */
  private httpFailure(status: number, data: unknown, retryAfter: string | null): ProviderFailure {
    const message =
      typeof data === 'object' && data !== null ? (data as { message?: unknown }).message : undefined;
    const said = typeof message === 'string' ? ` (Yandex said: ${message})` : '';
    const wait = retryAfterSeconds(retryAfter);
    const providerStatus = `HTTP ${status}`;
    if (status === 401 || status === 403)
      return this.fail(
        'auth',
        providerStatus,
        `Yandex refused the key: check YANDEX_MAPS_API_KEY and that it is a Geocoder API key${said}`,
        status,
      );
    if (status === 429)
      return wait !== undefined
        ? this.fail(
            'rate_limited',
            providerStatus,
            `Yandex throttles this key; retry after a pause${said}`,
            status,
            wait,
          )
        : this.fail(
            'quota',
            providerStatus,
            `the key's request quota is spent; it resets daily, or raise it in the Yandex developer console${said}`,
            status,
          );
    if (status >= 500)
      return this.fail(
        'unavailable',
        providerStatus,
        `Yandex had a server error; retry later${said}`,
        status,
        wait,
      );
    if (status >= 400)
      return this.fail('bad_request', providerStatus, `Yandex refused the query${said}`, status);
    return this.fail('malformed', providerStatus, 'Yandex answered with an unexpected HTTP status', status);
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
}
