/**
 * Generic HMAC: configurable algorithm (sha1, sha256, sha512), header, encoding
 * (hex, base64) and prefix (e.g. "sha256="), with an optional timestamp header
 * whose value is signed as "{timestamp}.{raw body}" and checked against the
 * tolerance window. GitHub's scheme is this one with fixed options.
 */
import { createHmac } from 'node:crypto';
import { safeIncludes } from './constant-time.js';
import {
  checkTimestamp,
  genericIdentity,
  header,
  HEADER_NAME,
  invalidSignature,
  oneOfOption,
  optionalString,
  readOptions,
  type DedupOptions,
  type Verifier,
  type WebhookRequest,
} from './verifier.js';

export interface HmacOptions extends DedupOptions {
  algorithm: 'sha1' | 'sha256' | 'sha512';
  header: string;
  encoding: 'hex' | 'base64';
  prefix: string;
  timestampHeader?: string;
}

export const HMAC_OPTION_NAMES = [
  'algorithm',
  'header',
  'encoding',
  'prefix',
  'timestampHeader',
  'dedupHeader',
  'dedupPath',
];

export function parseHmacOptions(options: unknown, scheme = 'hmac'): HmacOptions {
  const o = readOptions(options, HMAC_OPTION_NAMES, scheme);
  return {
    algorithm: oneOfOption(o, 'algorithm', ['sha1', 'sha256', 'sha512'], 'sha256'),
    header: (optionalString(o, 'header', HEADER_NAME) ?? 'x-signature').toLowerCase(),
    encoding: oneOfOption(o, 'encoding', ['hex', 'base64'], 'hex'),
    prefix: optionalString(o, 'prefix', /^[\x21-\x7e]{1,40}$/) ?? '',
    timestampHeader: optionalString(o, 'timestampHeader', HEADER_NAME)?.toLowerCase(),
    dedupHeader: optionalString(o, 'dedupHeader', HEADER_NAME)?.toLowerCase(),
    dedupPath: optionalString(o, 'dedupPath', /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/),
  };
}

/** The signature a sender computes: what `integctl webhooks send` and tests use too. */
export function hmacSignature(
  options: HmacOptions,
  secret: string,
  body: Buffer,
  timestamp?: string,
): string {
  const mac = createHmac(options.algorithm, secret);
  if (options.timestampHeader !== undefined) mac.update(`${timestamp ?? ''}.`);
  return `${options.prefix}${mac.update(body).digest(options.encoding)}`;
}

export function verifyHmac(
  o: HmacOptions,
  request: WebhookRequest,
  secrets: readonly string[],
  toleranceSeconds: number,
): void {
  const given = header(request.headers, o.header);
  if (given === undefined || given === '') throw invalidSignature(`missing ${o.header} header`);
  let timestamp: string | undefined;
  if (o.timestampHeader !== undefined) {
    timestamp = header(request.headers, o.timestampHeader);
    if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) {
      throw invalidSignature(`missing or malformed ${o.timestampHeader} header (unix seconds)`);
    }
    checkTimestamp(Number(timestamp), request.now, toleranceSeconds);
  }
  const expected = secrets.map((s) => hmacSignature(o, s, request.rawBody, timestamp));
  if (!safeIncludes(expected, given.trim())) {
    throw invalidSignature(
      `the ${o.header} signature does not match the body with any secret of this source`,
    );
  }
}

export function hmacVerifier(options: unknown, toleranceSeconds: number): Verifier {
  const o = parseHmacOptions(options);
  return {
    needsSecret: true,
    secretHeaders: [o.header],
    verify: (request, secrets) => verifyHmac(o, request, secrets, toleranceSeconds),
    identify: (request, payload) => genericIdentity(request, payload, o, true),
    publishable: () => true,
  };
}

export const GITHUB_OPTIONS: HmacOptions = {
  algorithm: 'sha256',
  header: 'x-hub-signature-256',
  encoding: 'hex',
  prefix: 'sha256=',
  dedupHeader: 'x-github-delivery',
};

/** GitHub: X-Hub-Signature-256: sha256=<hex> over the raw body; dedup by X-GitHub-Delivery. */
export function githubVerifier(options: unknown, toleranceSeconds: number): Verifier {
  readOptions(options, [], 'github');
  return {
    needsSecret: true,
    verify: (request, secrets) => verifyHmac(GITHUB_OPTIONS, request, secrets, toleranceSeconds),
    identify: (request, payload) =>
      genericIdentity(request, payload, { dedupHeader: 'x-github-delivery' }, true),
    publishable: () => true,
  };
}
