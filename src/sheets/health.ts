/**
 * Passive health of the Sheets adapter, from the outcome of real calls: no
 * probe traffic (which would spend quota) and no I/O when asked. Failures
 * that are the caller's (bad range, unshared sheet, unknown id) do not count;
 * Google being unreachable, 5xx, quota exhaustion and rejected credentials do.
 */
import type { SheetsHealthReport, SheetsStatus } from './types.js';

const UNHEALTHY_AFTER = 5;

export class SheetsHealthTracker {
  private lastSuccess: Date | undefined;
  private lastFailure: Date | undefined;
  private lastFailureCode: string | undefined;
  private consecutive = 0;
  private credentialsRejected = false;

  constructor(
    private readonly serviceAccountEmail: string,
    private readonly apiRoot: string,
  ) {}

  success(): void {
    this.lastSuccess = new Date();
    this.consecutive = 0;
    this.credentialsRejected = false;
  }

  failure(code: string): void {
    this.lastFailure = new Date();
    this.lastFailureCode = code;
    this.consecutive++;
    if (code === 'SHEETS_AUTH_FAILED') this.credentialsRejected = true;
  }

  report(): SheetsHealthReport {
    let status: SheetsStatus = 'healthy';
    if (this.credentialsRejected || this.consecutive >= UNHEALTHY_AFTER) status = 'unhealthy';
    else if (this.consecutive > 0) status = 'degraded';
    return {
      service: 'google_sheets',
      status,
      configured: true,
      ...(status === 'healthy' ? {} : { reason: `last failure: ${this.lastFailureCode ?? 'unknown'}` }),
      service_account_email: this.serviceAccountEmail,
      api_root: this.apiRoot,
      last_success_at: this.lastSuccess?.toISOString() ?? null,
      last_failure_at: this.lastFailure?.toISOString() ?? null,
      last_failure_code: this.lastFailureCode ?? null,
      consecutive_failures: this.consecutive,
      timestamp: new Date().toISOString(),
    };
  }
}
