/**
 * The Verifier interface: one implementation per signature scheme. A verifier
 * validates its options when it is built (so a bad source is refused by
 * `integctl sources add`, not at the first delivery), checks a request's
 * signature on the raw bytes, and names the event's dedup key.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../domain/errors.js';
import { cleanLabel, isObject } from '../domain/event.js';
import { numberTextAt } from '../domain/exact-json.js';
import type { Headers } from '../domain/webhook-body.js';

export type { Headers };

export interface WebhookRequest {
  rawBody: Buffer;
  /** Lower-cased names, as node gives them. */
  headers: Headers;
  now: Date;
}

export interface Identity {
  /** The provider's own event id, when it has one. */
  eventId: string | null;
  /** What decides duplicates, with UNIQUE (source, dedup_key). */
  dedupKey: string;
}

export interface Verifier {
  /** Throws AppError INVALID_SIGNATURE or TIMESTAMP_OUT_OF_TOLERANCE. */
  verify(request: WebhookRequest, secrets: readonly string[]): void;
  identify(request: WebhookRequest, payload: unknown): Identity;
  /** False for deliveries that are stored but not published (Drive's sync message). */
  publishable(request: WebhookRequest): boolean;
  /**
   * True for deliveries whose body is empty by design, whatever their content
   * type (Drive push notifications say application/json and carry nothing).
   * Otherwise an empty body where JSON is expected is a 400.
   */
  bodyless?(request: WebhookRequest): boolean;
  /** Whether the scheme needs at least one secret to verify anything. */
  readonly needsSecret: boolean;
  /**
   * Header names (lower-case) of this source's own that carry a signature or
   * token, beyond the well-known ones: never stored with the event.
   */
  readonly secretHeaders?: readonly string[];
}

/** A source's scheme options are wrong; the message names the option and what is allowed. */
export class InvalidSourceOptions extends Error {}

export function header(headers: Headers, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value[0];
  return value;
}

export function invalidSignature(message: string): AppError {
  return new AppError('INVALID_SIGNATURE', message);
}

/** Rejects timestamps further than `toleranceSeconds` from now, in either direction. */
export function checkTimestamp(seconds: number, now: Date, toleranceSeconds: number): void {
  if (!Number.isFinite(seconds)) throw invalidSignature('the signature timestamp is not a number');
  const skew = now.getTime() / 1000 - seconds;
  if (Math.abs(skew) > toleranceSeconds) {
    throw new AppError(
      'TIMESTAMP_OUT_OF_TOLERANCE',
      `the signature timestamp is ${Math.round(Math.abs(skew))} s in the ${skew > 0 ? 'past' : 'future'}; the tolerance is ${toleranceSeconds} s`,
    );
  }
}

function pathValue(payload: unknown, path: string): unknown {
  let current: unknown = payload;
  for (const part of path.split('.')) {
    if (!isObject(current)) return undefined;
    current = current[part];
  }
  return current;
}

function idString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A number id whose digits cannot be read exactly: the event is keyed by its body instead. */
const INEXACT = Symbol('inexact number id');

/**
 * The id at a JSON path of the body, as text. A number is taken as the digits
 * sent, never through a double: 820982911946154508 and 820982911946154507 are
 * two events (JSON.parse reads both as 820982911946154500). Safe integers
 * print as sent already; any other number is read again from the raw text.
 */
function bodyIdAt(
  request: WebhookRequest,
  payload: unknown,
  path: string,
): string | typeof INEXACT | undefined {
  const value = pathValue(payload, path);
  if (typeof value !== 'number') return idString(value);
  if (Number.isSafeInteger(value)) return String(value);
  return numberTextAt(request.rawBody.toString('utf8'), path.split('.')) ?? INEXACT;
}

/**
 * The id as shown (cleaned, at most 500 characters) and as a dedup key: the
 * id itself when showing it changed nothing, else its hash, so two ids that
 * differ only past 500 characters or in control characters stay two events.
 */
function identityOf(id: string, boundTo?: Buffer): Identity {
  const shown = cleanLabel(id, 500);
  const key = shown === id ? id : `id-sha256:${createHash('sha256').update(id).digest('hex')}`;
  return { eventId: shown, dedupKey: boundTo === undefined ? key : `${key}:${bodyHash(boundTo)}` };
}

export function bodyHash(raw: Buffer): string {
  return `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

export interface DedupOptions {
  dedupHeader?: string;
  dedupPath?: string;
}

/**
 * The generic rule: a configured header or JSON path, else body event_id, then
 * id, else the SHA-256 of the raw body (so a byte-identical redelivery is a
 * duplicate even without an id). `payload` is the body as ingest reads it for
 * ids: a JSON object whatever its unsigned Content-Type, form fields only when
 * labelled as a form.
 *
 * `signedBody`: the scheme signs the body but not the headers. An id taken
 * from a header is then bound to the body (key = id + the body's hash): a
 * redelivery repeats both, while a captured delivery replayed under another
 * id, or under the id of an event still to come, can neither pass as new nor
 * shadow that event as its "duplicate".
 */
export function genericIdentity(
  request: WebhookRequest,
  payload: unknown,
  options: DedupOptions,
  signedBody = false,
): Identity {
  if (options.dedupHeader) {
    const id = idString(header(request.headers, options.dedupHeader));
    if (id !== undefined) return identityOf(id, signedBody ? request.rawBody : undefined);
  }
  let id: string | typeof INEXACT | undefined;
  if (options.dedupPath) id = bodyIdAt(request, payload, options.dedupPath);
  if (id === undefined && !options.dedupHeader && !options.dedupPath) {
    id = bodyIdAt(request, payload, 'event_id') ?? bodyIdAt(request, payload, 'id');
  }
  return id === undefined || id === INEXACT
    ? { eventId: null, dedupKey: bodyHash(request.rawBody) }
    : identityOf(id);
}

// ---- option readers: each names the option and what it allows ----

export function readOptions(
  options: unknown,
  allowed: readonly string[],
  scheme: string,
): Record<string, unknown> {
  if (options === undefined || options === null) return {};
  if (!isObject(options)) throw new InvalidSourceOptions(`${scheme} options must be a JSON object`);
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new InvalidSourceOptions(
        `${scheme} has no option ${JSON.stringify(key)}; allowed: ${allowed.join(', ') || '(none)'}`,
      );
    }
  }
  return options;
}

export function optionalString(
  options: Record<string, unknown>,
  key: string,
  pattern?: RegExp,
): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value === '' || (pattern && !pattern.test(value))) {
    throw new InvalidSourceOptions(
      `option ${key} must be a non-empty string${pattern ? ` matching ${String(pattern)}` : ''}`,
    );
  }
  return value;
}

export function oneOfOption<const V extends string>(
  options: Record<string, unknown>,
  key: string,
  values: readonly V[],
  fallback: V,
): V {
  const value = options[key];
  if (value === undefined || value === null) return fallback;
  const found = values.find((v) => v === value);
  if (found === undefined)
    throw new InvalidSourceOptions(`option ${key} must be one of ${values.join(', ')}`);
  return found;
}

/** HTTP header names: RFC 7230 token characters. */
export const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
