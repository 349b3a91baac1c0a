/**
 * The geocoding providers' interface, in our terms rather than Google's or
 * Yandex's: what a use case (fallback, cache, routes) calls. Implemented by
 * google-maps.ts and yandex-maps.ts; one logical call of either is rate
 * limited, audited, retried and counted by call-provider.ts.
 *
 * A provider's answer is found or not_found (a value: an address no one knows
 * is not a fault). Anything else is a ProviderFailure, except that the
 * outbound limiter's own refusals pass through as they are: AppError
 * OUTBOUND_RATE_LIMITED (with retryAfterSeconds) or EXTERNAL_SERVICE_DISABLED.
 */
export type ProviderName = 'google_maps' | 'yandex_maps';

/** Who a call is made for (audit rows, the outbound budget) and until when. */
export interface ProviderCall {
  tenantId?: string;
  requestId?: string;
  /**
   * Epoch ms by which the call gives up, retries and budget waits included.
   * Default: now + the provider's deadlineMs. A fallback use case passes one
   * deadline to both providers so the pair stays within its own budget.
   */
  deadlineAt?: number;
}

export interface ForwardQuery {
  /** Free text, any script: "Москва, улица Новый Арбат, 24", "10 Downing Street, London". */
  address: string;
  /** Language of the answer: "ru", "en", "ru_RU", "en-US". Default: each provider's own. */
  language?: string;
  /**
   * A two-letter country code that biases the answer towards that country
   * (Google's region=). Yandex's Geocoder has no such parameter; it ignores it.
   */
  region?: string;
}

export interface ReverseQuery {
  latitude: number;
  longitude: number;
  language?: string;
}

/**
 * How closely the point matches what was asked, one scale for both providers
 * (precision.ts maps each provider's vocabulary onto it and gives confidence):
 *  exact         the building itself
 *  house         the house number, but not its building/korpus part
 *  near          a neighbouring house number
 *  interpolated  estimated along the street between known numbers
 *  street        the street, not a house on it
 *  area          the centre of a district, city, region or country
 */
export type Precision = 'exact' | 'house' | 'near' | 'interpolated' | 'street' | 'area';

export interface AddressComponents {
  country: string | null;
  /** ISO 3166-1 alpha-2, upper case: "RU", "GB". */
  country_code: string | null;
  /** The first-level division: "Москва" (a federal city), "England". */
  region: string | null;
  city: string | null;
  street: string | null;
  house_number: string | null;
  postal_code: string | null;
}

export interface ForwardResult {
  latitude: number;
  longitude: number;
  formatted_address: string;
  components: AddressComponents;
  /** Google's place_id; Yandex's GeoObject uri (ymapsbm1://…); null when the provider gives none. */
  place_id: string | null;
  precision: Precision;
  /** 0-1, from precision (and Google's partial_match): see precision.ts. */
  confidence: number;
}

export interface ReverseResult {
  formatted_address: string;
  street: string | null;
  house_number: string | null;
  city: string | null;
  postal_code: string | null;
  country: string | null;
  /** The point of the address found, not the point asked about. */
  latitude: number;
  longitude: number;
}

export type ProviderAnswer<T> = { status: 'found'; result: T } | { status: 'not_found' };

export type ProviderStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface ProviderHealthReport {
  service: ProviderName;
  status: ProviderStatus;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_failure_kind: FailureKind | null;
  consecutive_failures: number;
}

export interface GeocodingProvider {
  readonly name: ProviderName;
  forward(query: ForwardQuery, call?: ProviderCall): Promise<ProviderAnswer<ForwardResult>>;
  reverse(query: ReverseQuery, call?: ProviderCall): Promise<ProviderAnswer<ReverseResult>>;
  /** From the outcome of real calls only; no probe, no I/O. */
  health(): ProviderHealthReport;
}

/**
 * rate_limited  the provider throttles us for now (Google OVER_QUERY_LIMIT, HTTP 429 with Retry-After)
 * auth          the key is refused (Google REQUEST_DENIED, HTTP 401/403)
 * quota         a daily or billing quota is spent (Google OVER_DAILY_LIMIT, Yandex 429 without Retry-After)
 * bad_request   the provider rejects the query (Google INVALID_REQUEST, HTTP 400) or we refuse to send it
 * unavailable   5xx, Google UNKNOWN_ERROR, connection refused or reset
 * malformed     an answer we cannot read: not JSON, HTML, JSON of the wrong shape
 * timeout       no answer within the attempt's timeout or the call's deadline
 */
export type FailureKind =
  'rate_limited' | 'auth' | 'quota' | 'bad_request' | 'unavailable' | 'malformed' | 'timeout';

/** Kinds that a later attempt may turn into an answer; the others need someone to act. */
export const RETRYABLE_KINDS: ReadonlySet<FailureKind> = new Set(['rate_limited', 'unavailable', 'timeout']);

/**
 * A provider call that failed. The message names the provider and what it
 * said ("google_maps OVER_DAILY_LIMIT: …"); it never holds the API key, the
 * request URL or its query string, and no property refers to the HTTP
 * client's error (whose config holds the key), so logging the whole object
 * is safe.
 */
export class ProviderFailure extends Error {
  override readonly name = 'ProviderFailure';
  readonly provider: ProviderName;
  readonly kind: FailureKind;
  /** What the provider said: Google's status ("OVER_DAILY_LIMIT"), "HTTP 403", "no answer". */
  readonly providerStatus: string;
  /** The HTTP status of the answer, when there was one. */
  readonly httpStatus: number | undefined;
  /** When to try again: the provider's Retry-After, else our backoff (retryable kinds only). */
  readonly retryAfterSeconds: number | undefined;
  /** The message after "provider status: ": what happened and what to do. */
  readonly detail: string;

  constructor(init: {
    provider: ProviderName;
    kind: FailureKind;
    providerStatus: string;
    /** Already free of credentials (safe-text.ts). */
    detail: string;
    httpStatus?: number;
    retryAfterSeconds?: number;
  }) {
    super(`${init.provider} ${init.providerStatus}: ${init.detail}`);
    this.provider = init.provider;
    this.kind = init.kind;
    this.providerStatus = init.providerStatus;
    this.httpStatus = init.httpStatus;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.detail = init.detail;
  }

  get retryable(): boolean {
    return RETRYABLE_KINDS.has(this.kind);
  }

  /** The same failure with a retry hint, for when retries ran out before the provider recovered. */
  withRetryAfter(seconds: number): ProviderFailure {
    const { provider, kind, providerStatus, detail, httpStatus } = this;
    return new ProviderFailure({
      provider,
      kind,
      providerStatus,
      detail,
      httpStatus,
      retryAfterSeconds: seconds,
    });
  }
}
