/**
 * The source a sample webhook (`webhooks send`) or a load test's webhooks are
 * signed for: the stored one, or for `stripe` without a stored source, the
 * STRIPE_WEBHOOK_SECRET the daemon then verifies with. Signed with the newest
 * active secret, as a provider that has switched over would sign.
 */
import { activeSecrets, type WebhookSource } from '../domain/source.js';
import { SourceError } from '../services/sources.js';
import type { CommandContext } from './context.js';

/** A Stripe source with these secrets, as the daemon builds from STRIPE_WEBHOOK_SECRET. */
export function stripeSource(secrets: readonly string[]): WebhookSource {
  return {
    name: 'stripe',
    scheme: 'stripe',
    options: {},
    secrets: secrets.map((value) => ({ value, createdAt: '', expiresAt: null })),
    tenantId: null,
    maxRetries: null,
    rateLimitPerMinute: null,
    isActive: true,
    description: null,
  };
}

/** The source to sign for, or undefined when there is none of that name. */
export async function signingSource(ctx: CommandContext, name: string): Promise<WebhookSource | undefined> {
  try {
    return await (await ctx.sources()).get(name);
  } catch (err) {
    if (!(err instanceof SourceError)) throw err; // SourceService.get's "no source named …"
  }
  if (name === 'stripe' && ctx.config.stripeWebhookSecret.length > 0)
    return stripeSource(ctx.config.stripeWebhookSecret);
  return undefined;
}

export function newestSecret(source: WebhookSource): string | undefined {
  const secrets = activeSecrets(source, new Date());
  return secrets[secrets.length - 1];
}
