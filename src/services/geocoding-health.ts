/**
 * GET /api/v1/geocoding/health and the geocoding part of /health/detailed:
 * each provider, configured or not, with its circuit and what its real calls
 * said (last success and failure, consecutive failures). Nothing is sent to
 * a provider to find out: a probe would cost money and budget.
 *
 * Overall: not_configured without any key; healthy when every configured
 * and active provider is; unhealthy when none is usable (all unhealthy, open
 * or disabled); degraded otherwise (auto still has somewhere to go).
 */
import type { GeocodingProviders, ProviderStatusReport } from './geocoding-providers.js';

export interface GeocodingHealth {
  status: 'healthy' | 'degraded' | 'unhealthy' | 'not_configured';
  configured: boolean;
  providers: Array<ProviderStatusReport & { healthy: boolean }>;
}

export function geocodingHealth(providers: GeocodingProviders): GeocodingHealth {
  const list = providers.status().map((p) => ({
    ...p,
    healthy: p.configured && p.active && p.circuit !== 'open' && p.health?.status === 'healthy',
  }));
  const usable = list.filter((p) => p.configured);
  if (usable.length === 0) return { status: 'not_configured', configured: false, providers: list };
  const up = usable.filter(
    (p) => p.active && p.circuit !== 'open' && p.health !== null && p.health.status !== 'unhealthy',
  );
  const status = usable.every((p) => p.healthy) ? 'healthy' : up.length === 0 ? 'unhealthy' : 'degraded';
  return { status, configured: true, providers: list };
}
