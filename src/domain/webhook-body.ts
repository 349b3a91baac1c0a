/**
 * Reading a webhook body and its headers for storage, without I/O: the parsed
 * payload and its JSON text for jsonb, the object ids are read from, and the
 * headers that may be stored. The ingest use case (services/ingest-webhook.ts)
 * calls these after the signature checked out.
 */
import { AppError } from './errors.js';
import { cleanLabel, isJsonContentType } from './event.js';
import { rewriteJson, withoutBom } from './exact-json.js';

/** Request headers as node gives them: lower-cased names. */
export type Headers = Record<string, string | string[] | undefined>;

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

/** What a bodyless delivery (a Drive push) parses to. */
export const NO_BODY = {
  payload: undefined,
  payloadJson: null,
  payloadIsBody: false,
  fromJson: false,
} as const;

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

/**
 * The payload text an envelope carries for a stored event that has a parsed
 * payload: what parseBody() gave at ingest (the body's own text, or its jsonb
 * rewrite), derived again from the raw bytes, so the fast path, a retry and
 * the HTTP event stream send consumers the same bytes. It mirrors parseBody()
 * without parsing JSON again; keep the two in step (a unit test compares them).
 */
export function publishedPayloadText(raw: Buffer, contentType: string | null): string | null {
  const bom = bomLength(raw);
  const looksJson = contentType === null && raw.length > bom && (raw[bom] === 0x7b || raw[bom] === 0x5b);
  if (isJsonContentType(contentType) || looksJson) {
    // A stored payload means this text parsed at ingest: no JSON.parse again
    // (the retry claim and the event stream run this for every event).
    if (raw.length === bom) return null;
    const text = raw.toString('utf8', bom);
    return JSONB_UNSAFE.test(text) ? jsonbSafe(text) : text;
  }
  try {
    return parseBody(raw, contentType).payloadJson;
  } catch {
    return null;
  }
}
