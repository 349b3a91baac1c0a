/**
 * Shared-secret schemes. `token`: the secret itself in a configured header
 * (default X-Webhook-Token), compared in constant time. `none`: no check at
 * all, only when a source is explicitly created with it.
 */
import { safeIncludes } from './constant-time.js';
import {
  genericIdentity,
  header,
  HEADER_NAME,
  invalidSignature,
  optionalString,
  readOptions,
  type Verifier,
} from './verifier.js';

export function tokenVerifier(options: unknown): Verifier {
  const o = readOptions(options, ['header', 'dedupHeader', 'dedupPath'], 'token');
  const name = (optionalString(o, 'header', HEADER_NAME) ?? 'x-webhook-token').toLowerCase();
  const dedup = {
    dedupHeader: optionalString(o, 'dedupHeader', HEADER_NAME)?.toLowerCase(),
    dedupPath: optionalString(o, 'dedupPath'),
  };
  return {
    needsSecret: true,
    secretHeaders: [name],
    verify(request, secrets) {
      const given = header(request.headers, name);
      if (given === undefined || given === '') throw invalidSignature(`missing ${name} header`);
      if (!safeIncludes(secrets, given))
        throw invalidSignature(`the ${name} token does not match this source`);
    },
    identify: (request, payload) => genericIdentity(request, payload, dedup),
    publishable: () => true,
  };
}

export function noneVerifier(options: unknown): Verifier {
  const o = readOptions(options, ['dedupHeader', 'dedupPath'], 'none');
  const dedup = {
    dedupHeader: optionalString(o, 'dedupHeader', HEADER_NAME)?.toLowerCase(),
    dedupPath: optionalString(o, 'dedupPath'),
  };
  return {
    needsSecret: false,
    verify: () => undefined,
    identify: (request, payload) => genericIdentity(request, payload, dedup),
    publishable: () => true,
  };
}
