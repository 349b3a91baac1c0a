/**
 * How strong a provider-format secret must be, wherever one enters (integctl
 * sources, STRIPE_WEBHOOK_SECRET). A "whsec_" prefix is public, so it does not
 * count: "whsec_" alone would make an HMAC key anyone can sign with.
 */

/** Fewest key bytes (or characters, for Stripe's opaque secrets) after "whsec_". */
export const MIN_KEY_BYTES = 16;

/** Why a Stripe endpoint secret is unusable, or undefined when it is fine. */
export function stripeSecretProblem(secret: string): string | undefined {
  if (!secret.startsWith('whsec_')) return 'stripe secrets start with whsec_';
  if (!/^whsec_[A-Za-z0-9+/=_-]+$/.test(secret) || secret.length - 6 < MIN_KEY_BYTES)
    return `stripe secrets are whsec_ followed by at least ${MIN_KEY_BYTES} letters and digits (copy it from the Stripe dashboard)`;
  return undefined;
}

/** Why a Standard Webhooks secret is unusable: whsec_ then base64 of at least 16 bytes. */
export function standardWebhooksSecretProblem(secret: string): string | undefined {
  const key = secret.startsWith('whsec_') ? secret.slice(6) : '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) return 'standard-webhooks secrets are whsec_ followed by base64';
  if (Buffer.from(key, 'base64').length < MIN_KEY_BYTES)
    return `standard-webhooks secrets must hold at least ${MIN_KEY_BYTES} bytes of key`;
  return undefined;
}
