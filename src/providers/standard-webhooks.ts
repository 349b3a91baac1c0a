/**
 * Standard Webhooks (standardwebhooks.com): `webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64> [v1,<base64> …]`, secrets `whsec_<base64>`.
 * The expected signature is computed with the standardwebhooks package's own
 * `sign`; the timestamp window is ours (WEBHOOK_TOLERANCE_SECONDS, both
 * directions) because the package fixes its window at five minutes.
 */
import { isUtf8 } from 'node:buffer';
import { Webhook } from 'standardwebhooks';
import { standardWebhooksSecretProblem } from '../domain/secrets.js';
import { safeIncludes } from './constant-time.js';
import {
  checkTimestamp,
  header,
  invalidSignature,
  InvalidSourceOptions,
  readOptions,
  type Verifier,
} from './verifier.js';

const signers = new Map<string, Webhook>();

function signerFor(secret: string): Webhook {
  let signer = signers.get(secret);
  if (signer === undefined) {
    signer = new Webhook(secret);
    if (signers.size > 1000) signers.clear();
    signers.set(secret, signer);
  }
  return signer;
}

/** Throws unless the secret is whsec_ and base64 of a 16-byte key or longer, which the package can load. */
export function checkStandardWebhooksSecret(secret: string): void {
  const problem = standardWebhooksSecretProblem(secret);
  if (problem !== undefined) throw new InvalidSourceOptions(problem);
  try {
    signerFor(secret);
  } catch (err) {
    throw new InvalidSourceOptions(
      `the standardwebhooks package refuses this secret: ${(err as Error).message}`,
    );
  }
}

export function standardWebhooksVerifier(options: unknown, toleranceSeconds: number): Verifier {
  readOptions(options, [], 'standard-webhooks');
  return {
    needsSecret: true,
    verify(request, secrets) {
      const id = header(request.headers, 'webhook-id');
      const timestamp = header(request.headers, 'webhook-timestamp');
      const signature = header(request.headers, 'webhook-signature');
      if (!id || !timestamp || !signature) {
        throw invalidSignature('missing webhook-id, webhook-timestamp or webhook-signature header');
      }
      if (!/^\d{1,12}$/.test(timestamp)) throw invalidSignature('webhook-timestamp is not a unix timestamp');
      const seconds = Number(timestamp);
      checkTimestamp(seconds, request.now, toleranceSeconds);
      // The package signs the body as text; bytes that are not UTF-8 would be replaced before the check.
      if (!isUtf8(request.rawBody))
        throw invalidSignature('the body is not UTF-8; Standard Webhooks signs text');
      const given = signature
        .split(' ')
        .filter((s) => s.startsWith('v1,'))
        .map((s) => s.slice(3));
      if (given.length === 0) throw invalidSignature('webhook-signature has no v1,<base64> entry');
      for (const secret of secrets) {
        let expected: string;
        try {
          expected = signerFor(secret)
            .sign(id, new Date(seconds * 1000), request.rawBody)
            .slice(3);
        } catch {
          // A secret the package cannot load (stored before it was checked) must not stop the others.
          continue;
        }
        let matched = false;
        for (const candidate of given) matched = safeIncludes([expected], candidate) || matched;
        if (matched) return;
      }
      throw invalidSignature('webhook-signature does not match the body with any secret of this source');
    },
    identify(request) {
      const id = header(request.headers, 'webhook-id') ?? '';
      return { eventId: id, dedupKey: id };
    },
    publishable: () => true,
  };
}
