/**
 * Passive health of one geocoding provider, from the outcome of real calls:
 * no probe (which would spend quota) and no I/O when asked. Not-found is a
 * success (the provider answered); a query the provider rejects
 * (bad_request) is the caller's fault and does not count. A refused key or a
 * spent daily quota makes the provider unhealthy at once, as every call fails
 * until someone acts; other failures degrade it, and five in a row make it
 * unhealthy. The first success clears both.
 */
import type { FailureKind, ProviderHealthReport, ProviderName, ProviderStatus } from './types.js';

const UNHEALTHY_AFTER = 5;
const UNHEALTHY_AT_ONCE: ReadonlySet<FailureKind> = new Set(['auth', 'quota']);

export class ProviderHealthTracker {
  private lastSuccess: Date | undefined;
  private lastFailure: Date | undefined;
  private lastFailureKind: FailureKind | undefined;
  private consecutive = 0;

  constructor(
    readonly service: ProviderName,
    private readonly now: () => Date = () => new Date(),
  ) {}

  success(): void {
    this.lastSuccess = this.now();
    this.consecutive = 0;
  }

  failure(kind: FailureKind): void {
    if (kind === 'bad_request') return;
    this.lastFailure = this.now();
    this.lastFailureKind = kind;
    this.consecutive++;
  }

  report(): ProviderHealthReport {
    let status: ProviderStatus = 'healthy';
    if (this.consecutive > 0) {
      const stuck = this.lastFailureKind !== undefined && UNHEALTHY_AT_ONCE.has(this.lastFailureKind);
      status = stuck || this.consecutive >= UNHEALTHY_AFTER ? 'unhealthy' : 'degraded';
    }
    return {
      service: this.service,
      status,
      last_success_at: this.lastSuccess?.toISOString() ?? null,
      last_failure_at: this.lastFailure?.toISOString() ?? null,
      last_failure_kind: this.lastFailureKind ?? null,
      consecutive_failures: this.consecutive,
    };
  }
}
