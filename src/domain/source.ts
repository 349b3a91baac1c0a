/**
 * A webhook source: one row of webhook_configs, or the stripe source that
 * STRIPE_WEBHOOK_SECRET configures without the CLI.
 */
export const SCHEMES = [
  'stripe',
  'standard-webhooks',
  'github',
  'hmac',
  'google-drive',
  'token',
  'none',
] as const;
export type Scheme = (typeof SCHEMES)[number];

/** Source names: what /generic/{source} accepts; no path characters, at most 63. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;

export interface SourceSecret {
  value: string;
  createdAt: string;
  /** ISO time after which the secret no longer verifies (a rotated-out secret's grace end). */
  expiresAt: string | null;
}

export interface WebhookSource {
  name: string;
  scheme: Scheme;
  options: Record<string, unknown>;
  secrets: SourceSecret[];
  tenantId: string | null;
  maxRetries: number | null;
  rateLimitPerMinute: number | null;
  isActive: boolean;
  description: string | null;
}

/** The secrets that verify at `now`: not yet past their grace period. */
export function activeSecrets(source: WebhookSource, now: Date): string[] {
  return source.secrets
    .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime())
    .map((s) => s.value);
}

/** The named routes of SPEC.md and the source each one ingests for. */
export const NAMED_ROUTE_SOURCES = {
  stripe: 'stripe',
  googleSheets: 'google_sheets',
  yandexMaps: 'yandex_maps',
} as const;
