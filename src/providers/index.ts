import type { Scheme } from '../domain/source.js';
import { googleDriveVerifier } from './google-drive.js';
import { githubVerifier, hmacVerifier } from './hmac.js';
import { standardWebhooksVerifier } from './standard-webhooks.js';
import { stripeVerifier } from './stripe.js';
import { noneVerifier, tokenVerifier } from './token.js';
import type { Verifier } from './verifier.js';

/** Builds the verifier of a scheme; throws InvalidSourceOptions when its options are wrong. */
export function createVerifier(scheme: Scheme, options: unknown, toleranceSeconds: number): Verifier {
  switch (scheme) {
    case 'stripe':
      return stripeVerifier(options, toleranceSeconds);
    case 'standard-webhooks':
      return standardWebhooksVerifier(options, toleranceSeconds);
    case 'github':
      return githubVerifier(options, toleranceSeconds);
    case 'hmac':
      return hmacVerifier(options, toleranceSeconds);
    case 'google-drive':
      return googleDriveVerifier(options, toleranceSeconds);
    case 'token':
      return tokenVerifier(options);
    case 'none':
      return noneVerifier(options);
  }
}

export { InvalidSourceOptions, type Verifier, type WebhookRequest } from './verifier.js';
