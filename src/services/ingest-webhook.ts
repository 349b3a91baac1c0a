/**
 * The ingest use case: verify on the raw bytes, parse, name the dedup key,
 * commit, answer. Nothing here waits for Redis: processing starts after the
 * row is committed, from the writer's onInserted hook.
 */
import { AppError } from '../domain/errors.js';
import { cleanLabel, eventTypeOf, isJsonContentType } from '../domain/event.js';
import { SOURCE_NAME } from '../domain/source.js';
import { isTenantId, TENANT_RULE } from '../domain/tenant.js';
import { rewriteJson, withoutBom } from '../lib/exact-json.js';
import { timeOrderedId } from '../lib/time-ordered-id.js';
import type { EventWriter } from '../store/event-writer.js';
import type { Headers, Verifier, WebhookRequest } from '../providers/verifier.js';
import type { SourceRegistry } from './source-registry.js';

export interface IngestRequest {
  sourceName: string;
  /** The body to verify, parse and store: decoded when it came with a Content-Encoding. */
  rawBody: Buffer;
  /**
   * The body's bytes as they arrived, when they were decoded into rawBody: a
   * signature over them is accepted too (senders differ on which they sign).
   */
  sentBody?: Buffer;
  headers: Headers;
  /** Tenant named by the caller (X-Management-Company-ID / X-Tenant-ID). */
  tenantId?: string;
}

export interface IngestResult {
  status: 'accepted' | 'duplicate';
  eventId: string;
  source: string;
}

/**
 * Headers whose name says they carry a credential are not stored with the
 * event: Authorization, Cookie, Stripe-Signature, X-Goog-Channel-Token, and
 * any other such name (x-api-key, x-auth-token, x-webhook-secret,
 * x-shopify-hmac-sha256, x-functions-key, ocp-apim-subscription-key,
 * cf-access-jwt-assertion, x-authentication, x-pwd, x-passcode, x-bearer,
 * x-cred, ...): stored events are shown by the events API and CLI, so a name
 * that looks secret is dropped rather than risk it. Words that are secrets
 * wherever they appear, and a few that are only as a whole part of the name
 * ("auth", "key", "cred", but not "author", "monkey" or "credit").
 */
const SECRET_WORD =
  /authori[sz]ation|authenticat|token|secret|signature|passw|passcode|passphrase|apikey|api_key|accesskey|privatekey|hmac|cookie|jwt|bearer|credential|assertion|session/i;
const SECRET_PART = new Set([
  'auth',
  'authn',
  'authz',
  'key',
  'sig',
  'otp',
  'pass',
  'pwd',
  'pw',
  'pin',
  'cred',
  'creds',
]);

/**
 * Verdicts per header name: a provider sends the same few names on every
 * delivery, so the rule runs once per name, not per header per webhook. Names
 * are the sender's to choose, so the memo stops growing at 512.
 */
const secretNameVerdicts = new Map<string, boolean>();

function looksSecret(name: string): boolean {
  let verdict = secretNameVerdicts.get(name);
  if (verdict === undefined) {
    verdict = SECRET_WORD.test(name) || name.split(/[-_]/).some((part) => SECRET_PART.has(part));
    if (secretNameVerdicts.size < 512) secretNameVerdicts.set(name, verdict);
  }
  return verdict;
}

/** JSON text jsonb refuses: NUL escapes and unpaired surrogate escapes. Such payloads are stored raw only. */
const JSONB_UNSAFE =
  /\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}/;

/** Ingest budgets per source and tenant (ratelimit/ingest-limiter.ts); throws 429 RATE_LIMITED. */
export interface IngestBudget {
  check(call: { source: string; tenantId?: string; perMinute?: number | null }): Promise<void>;
}

export interface IngestOptions {
  registry: SourceRegistry;
  writer: EventWriter;
  /** Applied after the signature checks out, so unsigned floods cannot spend a source's budget. */
  budget?: IngestBudget;
  defaultMaxRetries: number;
  now?: () => Date;
  /** Extra secret-bearing header names (a source's custom signature or token header). */
  onSignatureFailure?: (source: string) => void;
}

export class IngestService {
  constructor(private readonly options: IngestOptions) {}

  async ingest(request: IngestRequest): Promise<IngestResult> {
    if (!SOURCE_NAME.test(request.sourceName)) throw new AppError('UNKNOWN_SOURCE');
    // Never cut or cleaned: two long ids sharing a prefix must not become one tenant.
    if (request.tenantId !== undefined && !isTenantId(request.tenantId)) {
      throw new AppError(
        'INVALID_TENANT',
        `the tenant header (X-Management-Company-ID or X-Tenant-ID): ${TENANT_RULE}`,
      );
    }
    let resolved;
    try {
      resolved = await this.options.registry.get(request.sourceName);
    } catch {
      throw new AppError('STORAGE_UNAVAILABLE', 'webhook sources cannot be read; retry later', 5);
    }
    if (resolved === undefined) throw new AppError('UNKNOWN_SOURCE');
    const { source, verifier } = resolved;
    const now = this.options.now?.() ?? new Date();
    const webhook = { rawBody: request.rawBody, headers: request.headers, now };
    try {
      verifyEither(verifier, webhook, request.sentBody, resolved.secrets(now));
    } catch (err) {
      this.options.onSignatureFailure?.(source.name);
      throw err;
    }

    // The event's tenant, as stored: no header and the source's own tenant share
    // one budget. A source tenant saved before tenant ids had a rule is not a
    // valid budget key; such a source keeps its tenant-less budget, as before.
    await this.options.budget?.check({
      source: source.name,
      tenantId:
        request.tenantId ?? (isTenantId(source.tenantId) ? (source.tenantId ?? undefined) : undefined),
      perMinute: source.rateLimitPerMinute,
    });

    const contentType =
      typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : null;
    const { payload, payloadJson, payloadIsBody, fromJson } =
      verifier.bodyless?.(webhook) === true ? NO_BODY : parseBody(request.rawBody, contentType);
    // The dedup key must not hang on the Content-Type, which no signature
    // covers: a JSON object body is read for its id whatever its label (sent
    // again as text/plain or as a form, it is the same event, not a new one).
    // Form fields are read only when labelled so: reading ids out of any text
    // would merge distinct events ("id=1&state=open" and "id=1&state=closed").
    const identity = verifier.identify(
      webhook,
      fromJson ? payload : (jsonObjectOf(request.rawBody) ?? payload),
    );
    const publish = verifier.publishable(webhook);
    const tenant = request.tenantId ?? source.tenantId;
    const result = await this.options.writer.write({
      // UUIDv7: ids rise with time, so the primary key index grows at its right
      // edge instead of dirtying a random leaf page per webhook.
      id: timeOrderedId(),
      source: source.name,
      eventId: identity.eventId,
      dedupKey: identity.dedupKey,
      eventType: eventTypeOf(source.scheme, payload, request.headers),
      tenantId: tenant === '' ? null : tenant,
      contentType: contentType === null ? null : cleanLabel(contentType, 200),
      rawBody: request.rawBody,
      payloadJson,
      payloadIsBody,
      headersJson: storedHeaders(request.headers, verifier.secretHeaders ?? []),
      status: publish ? 'pending' : 'completed',
      maxRetries: source.maxRetries ?? this.options.defaultMaxRetries,
    });
    return { status: result.duplicate ? 'duplicate' : 'accepted', eventId: result.id, source: source.name };
  }
}

/**
 * Verifies the decoded body, or else the bytes as they arrived: a provider
 * that compresses after signing signed the decoded body, one that signs what
 * it sends signed the compressed bytes. Either way the signature is checked on
 * bytes that were sent, never on anything re-encoded.
 */
function verifyEither(
  verifier: Verifier,
  webhook: WebhookRequest,
  sentBody: Buffer | undefined,
  secrets: readonly string[],
): void {
  try {
    verifier.verify(webhook, secrets);
  } catch (err) {
    if (sentBody === undefined || !(err instanceof AppError) || err.code !== 'INVALID_SIGNATURE') throw err;
    try {
      verifier.verify({ ...webhook, rawBody: sentBody }, secrets);
    } catch {
      throw err;
    }
  }
}

const NO_BODY = { payload: undefined, payloadJson: null, payloadIsBody: false, fromJson: false } as const;

/** The UTF-8 byte-order mark's length when the body starts with one. */
function bomLength(raw: Buffer): number {
  return raw[0] === 0xef && raw[1] === 0xbb && raw[2] === 0xbf ? 3 : 0;
}

/** The body as a JSON object if it is one, whatever its label; undefined otherwise (cheaply, for other bodies). */
export function jsonObjectOf(raw: Buffer): unknown {
  let start = bomLength(raw);
  while (
    start < raw.length &&
    (raw[start] === 0x20 || raw[start] === 0x0a || raw[start] === 0x0d || raw[start] === 0x09)
  )
    start++;
  if (raw[start] !== 0x7b) return undefined; // '{': only objects carry ids
  try {
    return JSON.parse(withoutBom(raw.toString('utf8'))) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * JSON bodies must parse (400 otherwise); form bodies become an object of their
 * fields; anything else is kept only as raw bytes. A body without a content
 * type is treated as JSON when it looks like JSON. A UTF-8 byte-order mark
 * before JSON is ignored (RFC 8259 allows it); the raw bytes keep it.
 */
export function parseBody(
  raw: Buffer,
  contentType: string | null,
): { payload: unknown; payloadJson: string | null; payloadIsBody: boolean; fromJson: boolean } {
  const type = contentType?.split(';')[0]?.trim().toLowerCase() ?? '';
  const bom = bomLength(raw);
  const looksJson = contentType === null && raw.length > bom && (raw[bom] === 0x7b || raw[bom] === 0x5b);
  if (isJsonContentType(contentType) || looksJson) {
    if (raw.length === bom) throw new AppError('MALFORMED_BODY', 'the body is empty; expected JSON');
    const text = raw.toString('utf8', bom);
    let payload: unknown;
    try {
      payload = JSON.parse(text);
    } catch (err) {
      throw new AppError(
        'MALFORMED_BODY',
        `the body is not valid JSON: ${(err as Error).message.slice(0, 200)}`,
      );
    }
    const unsafe = JSONB_UNSAFE.test(text);
    return {
      payload,
      payloadJson: unsafe ? jsonbSafe(text) : text,
      // The insert reads the payload from the body's bytes when they are its text.
      payloadIsBody: !unsafe && bom === 0,
      fromJson: true,
    };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const payload = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
    const json = JSON.stringify(payload);
    return {
      payload,
      payloadJson: JSONB_UNSAFE.test(json) ? jsonbSafe(json) : json,
      payloadIsBody: false,
      fromJson: false,
    };
  }
  return { payload: undefined, payloadJson: null, payloadIsBody: false, fromJson: false };
}

/**
 * The JSON text written again with NUL characters removed and unpaired
 * surrogates replaced, which jsonb refuses, and every number as sent (a
 * double would round ids past 2^53). The raw bytes keep the original.
 */
function jsonbSafe(json: string): string | null {
  try {
    return rewriteJson(json, (_key, value: unknown) =>
      typeof value === 'string' ? cleanText(value) : value,
    );
  } catch {
    // Nested too deep to write again, or keys repeated: kept as raw bytes only.
    return null;
  }
}

function cleanText(value: string): string {
  return (
    value
      // eslint-disable-next-line no-control-regex -- NUL is what jsonb refuses
      .replace(/\u0000/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
  );
}

/** Request headers without the ones that carry secrets: the well-known ones and the source's own (lower-case). */
export function storedHeaders(headers: Headers, secretHeaders: readonly string[]): string {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || secretHeaders.includes(name) || looksSecret(name)) continue;
    kept[name] = cleanLabel(Array.isArray(value) ? value.join(', ') : value, 2000);
  }
  return JSON.stringify(kept);
}
