/**
 * Which geocoding providers a lookup may use, in which order, each behind its
 * circuit breaker. Settings come from the service catalogue on every lookup
 * (a few map reads), so a key, URL, timeout, priority or on/off switch
 * changed with integctl services applies within the catalogue's 5 s; a
 * provider is rebuilt when its key, URL or timeout changed (main/ gives the
 * factory: only it knows the concrete clients).
 *
 * The breaker (cockatiel's ConsecutiveBreaker) opens after `failures`
 * consecutive provider failures that a later call may not cure by itself
 * being different: outages, timeouts, throttling, a refused key, a spent
 * quota; not a query the provider rejected (bad_request), not a not-found,
 * and not our own budget's refusal. While open, "auto" skips the provider
 * without sending anything; after `halfOpenAfterMs` the next real lookup is
 * let through as the probe, and its success closes the circuit: no probe
 * traffic of our own, which would cost money.
 */
import {
  circuitBreaker,
  CircuitState,
  ConsecutiveBreaker,
  handleWhen,
  type CircuitBreakerPolicy,
} from 'cockatiel';
import {
  ProviderFailure,
  type GeocodingProvider,
  type ProviderHealthReport,
  type ProviderName,
} from '../geocoding/index.js';
import type { ServiceSettingsSource } from './service-catalog.js';
import type { ServiceSettings } from './service-settings.js';

export const GEOCODING_PROVIDERS: readonly ProviderName[] = ['google_maps', 'yandex_maps'];

/** What a provider is built from (the key is in here: never log it). */
export interface ProviderSettings {
  apiKey: string;
  baseUrl: string | undefined;
  attemptTimeoutMs: number;
}

export type ProviderFactory = (name: ProviderName, settings: ProviderSettings) => GeocodingProvider;

export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  failures: number;
  /** How long it stays open before a real lookup may probe it. */
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { failures: 5, halfOpenAfterMs: 30_000 };

export interface ProviderSlot {
  name: ProviderName;
  provider: GeocodingProvider;
  breaker: CircuitBreakerPolicy;
}

export type SkipReason = 'not_configured' | 'disabled';

export interface ProviderPlan {
  slots: ProviderSlot[];
  skipped: Array<{ name: ProviderName; reason: SkipReason }>;
}

export type CircuitStatus = 'closed' | 'open' | 'half_open';

export interface ProviderStatusReport {
  service: ProviderName;
  configured: boolean;
  active: boolean;
  priority: number;
  circuit: CircuitStatus | null;
  /** From real calls since this provider was built (its settings last changed); null when not configured. */
  health: ProviderHealthReport | null;
}

/** Outages that count towards opening the circuit. */
export function isOutage(err: Error): boolean {
  return err instanceof ProviderFailure && err.kind !== 'bad_request';
}

function fingerprint(s: ProviderSettings): string {
  return JSON.stringify([s.apiKey, s.baseUrl, s.attemptTimeoutMs]);
}

function circuitOf(breaker: CircuitBreakerPolicy): CircuitStatus {
  if (breaker.state === CircuitState.Open || breaker.state === CircuitState.Isolated) return 'open';
  return breaker.state === CircuitState.HalfOpen ? 'half_open' : 'closed';
}

export class GeocodingProviders {
  private readonly built = new Map<ProviderName, ProviderSlot & { fingerprint: string }>();
  private readonly breakerOptions: BreakerOptions;

  constructor(
    private readonly catalog: ServiceSettingsSource,
    private readonly factory: ProviderFactory,
    breaker: Partial<BreakerOptions> = {},
  ) {
    this.breakerOptions = { ...DEFAULT_BREAKER, ...breaker };
  }

  get halfOpenAfterSeconds(): number {
    return Math.ceil(this.breakerOptions.halfOpenAfterMs / 1000);
  }

  private settingsOf(s: ServiceSettings): ProviderSettings | undefined {
    if (s.apiKey.value === undefined) return undefined;
    return {
      apiKey: s.apiKey.value,
      baseUrl: s.baseUrl.value ?? undefined,
      attemptTimeoutMs: s.timeoutSeconds.value * 1000,
    };
  }

  private slot(name: ProviderName, settings: ProviderSettings): ProviderSlot {
    const print = fingerprint(settings);
    const current = this.built.get(name);
    if (current !== undefined && current.fingerprint === print) return current;
    // New settings (a key set or rotated): a new client and a closed circuit.
    const breaker = circuitBreaker(handleWhen(isOutage), {
      halfOpenAfter: this.breakerOptions.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(this.breakerOptions.failures),
    });
    const slot = { name, provider: this.factory(name, settings), breaker, fingerprint: print };
    this.built.set(name, slot);
    return slot;
  }

  /** "auto": every usable provider by priority (then name); an explicit one: that one alone. */
  plan(choice: 'auto' | ProviderName): ProviderPlan {
    const names = choice === 'auto' ? GEOCODING_PROVIDERS : [choice];
    const ordered = names
      .map((name) => ({ name, s: this.catalog.settings(name) }))
      .sort((a, b) => a.s.priority.value - b.s.priority.value || a.name.localeCompare(b.name));
    const plan: ProviderPlan = { slots: [], skipped: [] };
    for (const { name, s } of ordered) {
      const settings = this.settingsOf(s);
      if (settings === undefined) plan.skipped.push({ name, reason: 'not_configured' });
      else if (!s.active.value) plan.skipped.push({ name, reason: 'disabled' });
      else plan.slots.push(this.slot(name, settings));
    }
    return plan;
  }

  /** Any provider with a key, active or not: what decides GEOCODING_NOT_CONFIGURED. */
  anyConfigured(): boolean {
    return GEOCODING_PROVIDERS.some((n) => this.catalog.settings(n).apiKey.value !== undefined);
  }

  status(): ProviderStatusReport[] {
    return GEOCODING_PROVIDERS.map((name) => {
      const s = this.catalog.settings(name);
      const settings = this.settingsOf(s);
      const slot = settings === undefined ? undefined : this.slot(name, settings);
      return {
        service: name,
        configured: settings !== undefined,
        active: s.active.value,
        priority: s.priority.value,
        circuit: slot === undefined ? null : circuitOf(slot.breaker),
        health: slot?.provider.health() ?? null,
      };
    }).sort((a, b) => a.priority - b.priority || a.service.localeCompare(b.service));
  }
}
