/**
 * The daemon's view of webhook sources: looked up by name on every delivery,
 * so kept in memory and refreshed from webhook_configs every few seconds
 * (`integctl sources …` changes take effect within `ttlMs`). Unknown names are
 * remembered too, so a flood of made-up source names costs no queries. When
 * Postgres is unreachable, the last known sources keep verifying.
 *
 * STRIPE_WEBHOOK_SECRET configures source stripe without the CLI; its secrets
 * are added to those of a stored stripe source, if there is one.
 */
import { activeSecrets, type WebhookSource } from '../domain/source.js';
import type { Logger } from '../lib/logger.js';
import { createVerifier, type Verifier } from '../providers/index.js';
import type { SourceLookup } from './ports.js';

export interface ResolvedSource {
  source: WebhookSource;
  verifier: Verifier;
  secrets(now: Date): string[];
}

interface Entry {
  value: ResolvedSource | undefined;
  loadedAt: number;
}

export interface SourceRegistryOptions {
  repository: SourceLookup;
  toleranceSeconds: number;
  stripeSecrets: readonly string[];
  log: Logger;
  ttlMs?: number;
  maxEntries?: number;
}

export class SourceRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<ResolvedSource | undefined>>();

  constructor(private readonly options: SourceRegistryOptions) {}

  async get(name: string): Promise<ResolvedSource | undefined> {
    const entry = this.entries.get(name);
    const ttl = this.options.ttlMs ?? 5000;
    if (entry && Date.now() - entry.loadedAt < ttl) return entry.value;
    let pending = this.loading.get(name);
    if (pending === undefined) {
      pending = this.load(name, entry).finally(() => this.loading.delete(name));
      this.loading.set(name, pending);
    }
    return pending;
  }

  /**
   * Whether `name` is a configured, active source as far as this process has
   * seen (no I/O): the metrics use it to keep made-up names out of their labels.
   */
  isConfigured(name: string): boolean {
    return this.entries.get(name)?.value !== undefined;
  }

  private async load(name: string, previous: Entry | undefined): Promise<ResolvedSource | undefined> {
    let stored: WebhookSource | undefined;
    try {
      stored = await this.options.repository.find(name);
    } catch (err) {
      if (previous) {
        this.options.log.warn(
          { err, source: name },
          'cannot refresh webhook source; using the last known one',
        );
        return previous.value;
      }
      throw err;
    }
    const value = this.resolve(name, stored);
    if (this.entries.size >= (this.options.maxEntries ?? 10_000)) this.entries.clear();
    this.entries.set(name, { value, loadedAt: Date.now() });
    return value;
  }

  private resolve(name: string, stored: WebhookSource | undefined): ResolvedSource | undefined {
    let source = stored;
    if (name === 'stripe' && this.options.stripeSecrets.length > 0) {
      const fromEnv = this.options.stripeSecrets.map((value) => ({ value, createdAt: '', expiresAt: null }));
      source = source
        ? { ...source, secrets: [...source.secrets, ...fromEnv] }
        : {
            name,
            scheme: 'stripe',
            options: {},
            secrets: fromEnv,
            tenantId: null,
            maxRetries: null,
            rateLimitPerMinute: null,
            isActive: true,
            description: 'from STRIPE_WEBHOOK_SECRET',
          };
    }
    if (source === undefined || !source.isActive) return undefined;
    let verifier: Verifier;
    try {
      verifier = createVerifier(source.scheme, source.options, this.options.toleranceSeconds);
    } catch (err) {
      // Stored options were valid when added; a newer version may disagree. Refuse, loudly.
      this.options.log.error(
        { source: name, err },
        'webhook source has invalid options; deliveries are refused',
      );
      return undefined;
    }
    const resolved = source;
    return { source: resolved, verifier, secrets: (now) => activeSecrets(resolved, now) };
  }
}
