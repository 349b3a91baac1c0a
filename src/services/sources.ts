/**
 * Managing webhook sources (integctl sources …). A source is validated by
 * building its verifier before it is stored, so a bad option is refused here
 * with its name, never discovered at the first delivery. Secrets are generated
 * here when not given, shown once by the CLI, and never listed again.
 */
import { randomBytes } from 'node:crypto';
import {
  SCHEMES,
  SOURCE_NAME,
  type Scheme,
  type SourceSecret,
  type WebhookSource,
} from '../domain/source.js';
import { stripeSecretProblem } from '../domain/secrets.js';
import { isTenantId, TENANT_RULE } from '../domain/tenant.js';
import { createVerifier, InvalidSourceOptions } from '../providers/index.js';
import { checkStandardWebhooksSecret } from '../providers/standard-webhooks.js';
import type { SourceStore } from './ports.js';

export class SourceError extends Error {}

/** The grace period of a rotated-out secret when none is given: one day. */
export const DEFAULT_ROTATION_GRACE_MS = 24 * 60 * 60 * 1000;

export function parseScheme(value: string): Scheme {
  const scheme = SCHEMES.find((s) => s === value);
  if (scheme === undefined)
    throw new SourceError(`unknown scheme ${JSON.stringify(value)}; use one of ${SCHEMES.join(', ')}`);
  return scheme;
}

export function checkSourceName(name: string): void {
  if (!SOURCE_NAME.test(name)) {
    throw new SourceError(
      `source name ${JSON.stringify(name.slice(0, 80))} is not allowed: 1-63 characters of a-z, 0-9, _, . and -, starting with a letter or digit`,
    );
  }
}

/** A new secret in the form the scheme's senders expect. */
export function generateSecret(scheme: Scheme): string {
  if (scheme === 'stripe' || scheme === 'standard-webhooks')
    return `whsec_${randomBytes(24).toString('base64')}`;
  return randomBytes(32).toString('hex');
}

export function checkSecret(scheme: Scheme, secret: string): void {
  if (secret.length < 8 || secret.length > 512 || /\s/.test(secret)) {
    throw new SourceError('a secret must be 8-512 characters without spaces');
  }
  const stripeProblem = scheme === 'stripe' ? stripeSecretProblem(secret) : undefined;
  if (stripeProblem !== undefined) throw new SourceError(stripeProblem);
  if (scheme === 'standard-webhooks') {
    try {
      checkStandardWebhooksSecret(secret);
    } catch (err) {
      throw new SourceError((err as Error).message);
    }
  }
}

/**
 * Checks a source before it is saved. Secrets and the tenant are checked when
 * they are set (add, or an update that sets them or changes the scheme), not
 * on every update: a source saved under older rules must stay manageable (an
 * operator must be able to disable it, say) and is mended by rotate-secret or
 * --tenant.
 */
function validate(source: WebhookSource, checks: { secrets: boolean; tenant: boolean }): void {
  checkSourceName(source.name);
  try {
    const verifier = createVerifier(source.scheme, source.options, 300);
    if (verifier.needsSecret && source.secrets.length === 0) {
      throw new SourceError(`scheme ${source.scheme} needs a secret`);
    }
  } catch (err) {
    if (err instanceof InvalidSourceOptions)
      throw new SourceError(`invalid options for ${source.scheme}: ${err.message}`);
    throw err;
  }
  if (checks.secrets) for (const s of source.secrets) checkSecret(source.scheme, s.value);
  if (source.maxRetries !== null && (!Number.isInteger(source.maxRetries) || source.maxRetries < 0)) {
    throw new SourceError('max retries must be a whole number of 0 or more');
  }
  if (checks.tenant && source.tenantId !== null && !isTenantId(source.tenantId)) {
    throw new SourceError(`tenant ${JSON.stringify(source.tenantId.slice(0, 40))}: ${TENANT_RULE}`);
  }
  if (
    source.rateLimitPerMinute !== null &&
    (!Number.isInteger(source.rateLimitPerMinute) || source.rateLimitPerMinute < 1)
  ) {
    throw new SourceError('rate limit per minute must be a whole number of 1 or more');
  }
}

export interface SourceInput {
  name: string;
  scheme: Scheme;
  options?: Record<string, unknown>;
  secret?: string;
  tenantId?: string | null;
  maxRetries?: number | null;
  rateLimitPerMinute?: number | null;
  description?: string | null;
}

export class SourceService {
  constructor(
    private readonly repository: SourceStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  list(): Promise<WebhookSource[]> {
    return this.repository.list();
  }

  async get(name: string): Promise<WebhookSource> {
    const source = await this.repository.find(name);
    if (source === undefined)
      throw new SourceError(`no source named ${JSON.stringify(name)}; see integctl sources list`);
    return source;
  }

  /** Adds a source; returns it and the secret when one was generated (to show once). */
  async add(input: SourceInput): Promise<{ source: WebhookSource; generatedSecret?: string }> {
    checkSourceName(input.name);
    if (await this.repository.find(input.name))
      throw new SourceError(`source ${input.name} exists; use integctl sources update`);
    const needsSecret = input.scheme !== 'none';
    const generated = input.secret === undefined && needsSecret ? generateSecret(input.scheme) : undefined;
    const value = input.secret ?? generated;
    const source: WebhookSource = {
      name: input.name,
      scheme: input.scheme,
      options: input.options ?? {},
      secrets: value === undefined ? [] : [{ value, createdAt: this.now().toISOString(), expiresAt: null }],
      tenantId: input.tenantId ?? null,
      maxRetries: input.maxRetries ?? null,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      isActive: true,
      description: input.description ?? null,
    };
    validate(source, { secrets: true, tenant: true });
    await this.repository.create(source);
    return generated === undefined ? { source } : { source, generatedSecret: generated };
  }

  async update(
    name: string,
    patch: Partial<Omit<SourceInput, 'name' | 'secret'>> & { isActive?: boolean },
  ): Promise<WebhookSource> {
    const current = await this.get(name);
    const next: WebhookSource = {
      ...current,
      ...Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)),
    };
    validate(next, {
      secrets: patch.scheme !== undefined && patch.scheme !== current.scheme,
      tenant: patch.tenantId !== undefined,
    });
    await this.repository.save(next);
    return next;
  }

  async remove(name: string): Promise<void> {
    if (!(await this.repository.remove(name)))
      throw new SourceError(`no source named ${JSON.stringify(name)}`);
  }

  /**
   * Adds a new secret and ends the others' validity after `graceMs` (default one
   * day), so senders can switch over without a delivery failing. Secrets whose
   * grace already ended are dropped.
   */
  async rotateSecret(
    name: string,
    options: { secret?: string; graceMs?: number } = {},
  ): Promise<{ secret: string; oldValidUntil: string }> {
    const source = await this.get(name);
    const now = this.now();
    const value = options.secret ?? generateSecret(source.scheme);
    checkSecret(source.scheme, value);
    const until = new Date(now.getTime() + (options.graceMs ?? DEFAULT_ROTATION_GRACE_MS)).toISOString();
    const kept: SourceSecret[] = source.secrets
      .filter((s) => s.expiresAt === null || Date.parse(s.expiresAt) > now.getTime())
      .map((s) => ({ ...s, expiresAt: s.expiresAt !== null && s.expiresAt < until ? s.expiresAt : until }));
    await this.repository.save({
      ...source,
      secrets: [...kept, { value, createdAt: now.toISOString(), expiresAt: null }],
    });
    return { secret: value, oldValidUntil: until };
  }
}
