/**
 * Prometheus metrics of the geocoding providers: every HTTP attempt, counted
 * by service and outcome (found, not_found or the failure kind) and timed.
 * Every series exists from the start at 0, so a rate() or an alert on, say,
 * outcome="auth" sees a line before the first failure. Labels come from our
 * code (two services, nine outcomes), never from a request.
 */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { CallOutcome, OnProviderCall, ProviderName } from '../geocoding/index.js';

const SERVICES: readonly ProviderName[] = ['google_maps', 'yandex_maps'];
const OUTCOMES: readonly CallOutcome[] = [
  'found',
  'not_found',
  'rate_limited',
  'auth',
  'quota',
  'bad_request',
  'unavailable',
  'malformed',
  'timeout',
];

export function geocodingMetrics(registry: Registry): OnProviderCall {
  const calls = new Counter({
    name: 'geocoding_provider_calls_total',
    help: 'Geocoding provider HTTP attempts (retries included) by service and outcome',
    labelNames: ['service', 'outcome'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'geocoding_provider_call_duration_seconds',
    help: 'Duration of one geocoding provider HTTP attempt, by service',
    labelNames: ['service'],
    buckets: [0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  for (const service of SERVICES) {
    duration.zero({ service });
    for (const outcome of OUTCOMES) calls.inc({ service, outcome }, 0);
  }
  return (service, outcome, seconds) => {
    calls.inc({ service, outcome });
    duration.observe({ service }, seconds);
  };
}
