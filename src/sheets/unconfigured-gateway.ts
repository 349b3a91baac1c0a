/**
 * The Sheets adapter when no usable credentials are configured: every call
 * answers 503 SHEETS_NOT_CONFIGURED with the reason, and health says so, while
 * the rest of the daemon (webhooks above all) runs normally.
 */
import { AppError } from '../domain/errors.js';
import type { SheetsGateway, SheetsHealthReport } from './types.js';

export class UnconfiguredSheets implements SheetsGateway {
  readonly configured = false;

  /**
   * reason: why, fit for callers (no file paths or file contents: those go to
   * the start-up log), e.g. "GOOGLE_SHEETS_CREDENTIALS_PATH is not set".
   */
  constructor(private readonly reason: string) {}

  private refuse(): never {
    throw new AppError('SHEETS_NOT_CONFIGURED', `The Sheets API is not configured: ${this.reason}.`);
  }

  async getValues(): Promise<never> {
    this.refuse();
  }
  async updateValues(): Promise<never> {
    this.refuse();
  }
  async appendValues(): Promise<never> {
    this.refuse();
  }
  async getMetadata(): Promise<never> {
    this.refuse();
  }

  health(): SheetsHealthReport {
    return {
      service: 'google_sheets',
      status: 'not_configured',
      configured: false,
      reason: this.reason,
      last_success_at: null,
      last_failure_at: null,
      last_failure_code: null,
      consecutive_failures: 0,
      timestamp: new Date().toISOString(),
    };
  }
}
