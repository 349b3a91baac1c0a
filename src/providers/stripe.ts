/**
 * Stripe: `Stripe-Signature: t=<unix>,v1=<hex>[,v1=…]` over "{t}.{raw body}",
 * checked with the stripe package. Stripe's own check only rejects old
 * timestamps; SPEC.md asks for the window in both directions, so the timestamp
 * is checked here first and Stripe's tolerance is turned off (0).
 */
import { isUtf8 } from 'node:buffer';
import Stripe from 'stripe';
import {
  checkTimestamp,
  genericIdentity,
  header,
  invalidSignature,
  readOptions,
  type Verifier,
} from './verifier.js';

export function stripeVerifier(options: unknown, toleranceSeconds: number): Verifier {
  readOptions(options, [], 'stripe');
  return {
    needsSecret: true,
    verify(request, secrets) {
      const signature = header(request.headers, 'stripe-signature');
      if (signature === undefined || signature === '')
        throw invalidSignature('missing Stripe-Signature header');
      // Read the header as the stripe package does (items split on ',' and
      // '='), so the timestamp checked here is the one its signature check
      // uses. Exactly one t= item: the package takes the last, so a replayed
      // header with a fresh t= put in front would otherwise pass an old
      // signature through a window check made on the new timestamp.
      const items = signature.split(',').map((item) => item.split('='));
      const timestamps = items.filter(([key]) => key === 't');
      const t = timestamps.length === 1 ? timestamps[0]?.[1] : undefined;
      if (
        t === undefined ||
        !/^\d{1,12}$/.test(t) ||
        !items.some(([key, value]) => key === 'v1' && /^[0-9a-f]+$/.test(value ?? ''))
      ) {
        throw invalidSignature(
          'malformed Stripe-Signature header; expected t=<timestamp>,v1=<signature> with one timestamp',
        );
      }
      checkTimestamp(Number(t), request.now, toleranceSeconds);
      // The package signs the body decoded as UTF-8 text: other bytes would be
      // replaced (U+FFFD) before the check, so the stored bytes would not be
      // the signed ones. Stripe sends UTF-8 JSON; anything else is refused.
      if (!isUtf8(request.rawBody)) throw invalidSignature('the body is not UTF-8; Stripe signs UTF-8 JSON');
      // Milliseconds, as the package expects (its own age check is off: tolerance 0).
      const receivedAt = request.now.getTime();
      for (const secret of secrets) {
        try {
          if (
            Stripe.webhooks.signature?.verifyHeader(
              request.rawBody,
              signature,
              secret,
              0,
              undefined,
              receivedAt,
            )
          )
            return;
        } catch {
          // Not this secret; try the next (rotation keeps several valid at once).
        }
      }
      throw invalidSignature('the Stripe-Signature does not match the body with any secret of source stripe');
    },
    identify(request, payload) {
      return genericIdentity(request, payload, { dedupPath: 'id' });
    },
    publishable: () => true,
  };
}
