/**
 * What the load test sends: the old locust suite's request mix, as kinds with
 * weights. Webhooks are built per request (setupRequest) so each one carries a
 * fresh event id and a signature made with the provider's real scheme at the
 * moment it is sent (Stripe's timestamp tolerance is checked by the daemon).
 */
import type { WebhookSource } from '../../domain/source.js';
import { signedSample } from '../../services/sample-webhooks.js';

export type Kind = 'health' | 'stripe_webhook' | 'cache_stats' | 'sheets_health' | 'generic_webhook';

export const MIXES = {
  /** The old locust suite: 50% health, 20% Stripe, 15% cache stats, 10% Sheets health, 5% generic. */
  default: { health: 10, stripe_webhook: 4, cache_stats: 3, sheets_health: 2, generic_webhook: 1 },
  /** Ingest only: what a provider's burst looks like. */
  webhooks: { stripe_webhook: 4, generic_webhook: 1 },
} as const satisfies Record<string, Partial<Record<Kind, number>>>;

export type MixName = keyof typeof MIXES;

/** Status codes that count as success per kind; anything else (429 included) is an error. */
export const EXPECTED: Record<Kind, readonly number[]> = {
  health: [200],
  stripe_webhook: [202],
  cache_stats: [200],
  sheets_health: [200],
  generic_webhook: [202],
};

export interface Signer {
  source: WebhookSource;
  secret: string | undefined;
}

export interface PlannedRequest {
  kind: Kind;
  method: 'GET' | 'POST';
  path: string;
  /** Builds headers and body for one send; undefined for fixed GETs. */
  build?: () => { headers: Record<string, string>; body: Buffer };
}

/**
 * One cycle of the mix, interleaved (smooth weighted round robin) so that every
 * connection, which walks the cycle from the start, sees the mix and not a run
 * of ten health checks followed by a run of webhooks.
 */
export function interleave(weights: Partial<Record<Kind, number>>): Kind[] {
  const entries = Object.entries(weights) as Array<[Kind, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  const current = new Map<Kind, number>(entries.map(([k]) => [k, 0]));
  const cycle: Kind[] = [];
  for (let i = 0; i < total; i++) {
    let best: Kind | undefined;
    for (const [kind, weight] of entries) {
      const value = (current.get(kind) ?? 0) + weight;
      current.set(kind, value);
      if (best === undefined || value > (current.get(best) ?? 0)) best = kind;
    }
    if (best === undefined) break;
    current.set(best, (current.get(best) ?? 0) - total);
    cycle.push(best);
  }
  return cycle;
}

export function plan(
  mix: MixName,
  options: { tenant: string; stripe?: Signer; generic?: Signer },
): PlannedRequest[] {
  const signed = (signer: Signer | undefined, kind: Kind): PlannedRequest => {
    if (signer === undefined) throw new Error(`the ${kind} requests need a source to sign for`);
    const path = signedSample(signer.source, signer.secret).path;
    return {
      kind,
      method: 'POST',
      path,
      build: () => {
        const delivery = signedSample(signer.source, signer.secret);
        return { headers: { ...delivery.headers, 'user-agent': 'integctl/loadtest' }, body: delivery.body };
      },
    };
  };
  const requests: Record<Kind, () => PlannedRequest> = {
    health: () => ({ kind: 'health', method: 'GET', path: '/health' }),
    cache_stats: () => ({
      kind: 'cache_stats',
      method: 'GET',
      path: `/cache/stats?tenant_id=${encodeURIComponent(options.tenant)}`,
    }),
    sheets_health: () => ({ kind: 'sheets_health', method: 'GET', path: '/api/v1/google-sheets/health' }),
    stripe_webhook: () => signed(options.stripe, 'stripe_webhook'),
    generic_webhook: () => signed(options.generic, 'generic_webhook'),
  };
  return interleave(MIXES[mix]).map((kind) => requests[kind]());
}

export function kindsOf(mix: MixName): Kind[] {
  return Object.keys(MIXES[mix]) as Kind[];
}
