/**
 * The Sheets adapter on @googleapis/sheets (v4 REST API), authenticated as a
 * service account.
 *
 * Against Google (no GOOGLE_SHEETS_ROOT_URL) the JWT client exchanges its
 * signed assertion for an OAuth access token, cached by google-auth-library
 * for its hour. Against an emulator (GOOGLE_SHEETS_ROOT_URL set) it sends a
 * self-signed JWT with the scope instead (useJWTAccessWithScope): emulators
 * have no token endpoint, and google-auth-library ignores the key file's
 * token_uri anyway. The root URL is set on this client, not through
 * google.options(), which the per-API packages do not read.
 *
 * googleapis' own retries are off: call-google.ts retries with our deadline,
 * budget and audit row per attempt.
 */
import { createPrivateKey } from 'node:crypto';
import { auth, sheets, type sheets_v4 } from '@googleapis/sheets';
import type { AuditSink } from '../audit/audit-log.js';
import type { OutboundRateLimiter } from '../ratelimit/outbound-limiter.js';
import { callGoogle, type Answer, type CallDeps, type Operation } from './call-google.js';
import { CredentialsError, type ServiceAccount } from './credentials.js';
import { SheetsHealthTracker } from './health.js';
import type {
  AppendRequest,
  CallContext,
  CellValue,
  ReadRequest,
  ReadResult,
  SheetsGateway,
  SheetsHealthReport,
  SpreadsheetMetadata,
  UpdateRequest,
  WriteResult,
} from './types.js';

const SCOPE = 'https://www.googleapis.com/auth/spreadsheets';
const GOOGLE_ROOT = 'https://sheets.googleapis.com';

export interface GoogleSheetsOptions {
  account: ServiceAccount;
  /** GOOGLE_SHEETS_ROOT_URL: an emulator or the fake server of the tests. */
  rootUrl?: string;
  deadlineMs: number;
  audit: AuditSink;
  limiter?: OutboundRateLimiter;
  sleep?: (ms: number) => Promise<void>;
}

function cells(rows: unknown): CellValue[][] {
  if (!Array.isArray(rows)) return [];
  return rows.map((row: unknown) =>
    Array.isArray(row)
      ? row.map((v: unknown): CellValue =>
          typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : null,
        )
      : [],
  );
}

export class GoogleSheetsGateway implements SheetsGateway {
  readonly configured = true;
  private readonly api: sheets_v4.Sheets;
  private readonly deps: CallDeps;
  private readonly tracker: SheetsHealthTracker;

  constructor(options: GoogleSheetsOptions) {
    const { account } = options;
    try {
      createPrivateKey(account.privateKey);
    } catch {
      throw new CredentialsError(`the private_key of ${account.clientEmail} is not a readable PEM key`);
    }
    const apiRoot = (options.rootUrl ?? GOOGLE_ROOT).replace(/\/+$/, '');
    const jwt = new auth.JWT({
      email: account.clientEmail,
      key: account.privateKey,
      keyId: account.privateKeyId,
      scopes: [SCOPE],
    });
    if (options.rootUrl !== undefined) jwt.useJWTAccessWithScope = true;
    this.api = sheets({ version: 'v4', auth: jwt, rootUrl: `${apiRoot}/`, retry: false });
    this.tracker = new SheetsHealthTracker(account.clientEmail, apiRoot);
    this.deps = {
      audit: options.audit,
      limiter: options.limiter,
      health: this.tracker,
      deadlineMs: options.deadlineMs,
      serviceAccountEmail: account.clientEmail,
      apiRoot,
      sleep: options.sleep,
    };
  }

  async getValues(ctx: CallContext, input: ReadRequest): Promise<ReadResult> {
    const data = await callGoogle(
      this.deps,
      ctx,
      { name: 'values.get', method: 'GET', idempotent: true, ...input },
      (timeout) => this.api.spreadsheets.values.get(input, { timeout, retry: false }),
    );
    return { range: data.range ?? input.range, values: cells(data.values) };
  }

  /** values.update and values.append: the same request body, audit shape and answer. */
  private async change(
    ctx: CallContext,
    input: UpdateRequest,
    op: Pick<Operation, 'name' | 'method' | 'idempotent'>,
    send: (
      requestBody: { values: CellValue[][] },
      timeout: number,
    ) => Promise<Answer<sheets_v4.Schema$UpdateValuesResponse>>,
  ): Promise<WriteResult> {
    const requestBody = { values: input.values };
    const requestBytes = Buffer.byteLength(JSON.stringify(requestBody));
    const data = await callGoogle(
      this.deps,
      ctx,
      { ...op, spreadsheetId: input.spreadsheetId, range: input.range, requestBytes },
      (timeout) => send(requestBody, timeout),
    );
    return {
      updatedRange: data.updatedRange ?? input.range,
      updatedRows: data.updatedRows ?? 0,
      updatedColumns: data.updatedColumns ?? 0,
    };
  }

  async updateValues(ctx: CallContext, input: UpdateRequest): Promise<WriteResult> {
    const { spreadsheetId, range, valueInputOption } = input;
    // Idempotent: the same values to the same range twice leave the sheet as once.
    return this.change(
      ctx,
      input,
      { name: 'values.update', method: 'PUT', idempotent: true },
      (requestBody, timeout) =>
        this.api.spreadsheets.values.update(
          { spreadsheetId, range, valueInputOption, requestBody },
          { timeout, retry: false },
        ),
    );
  }

  async appendValues(ctx: CallContext, input: AppendRequest): Promise<WriteResult> {
    const { spreadsheetId, range, valueInputOption, insertDataOption } = input;
    return this.change(
      ctx,
      input,
      { name: 'values.append', method: 'POST', idempotent: false },
      async (requestBody, timeout) => {
        const answer = await this.api.spreadsheets.values.append(
          { spreadsheetId, range, valueInputOption, insertDataOption, requestBody },
          { timeout, retry: false },
        );
        return { ...answer, data: answer.data.updates ?? {} };
      },
    );
  }

  async getMetadata(ctx: CallContext, spreadsheetId: string): Promise<SpreadsheetMetadata> {
    const data = await callGoogle(
      this.deps,
      ctx,
      { name: 'spreadsheets.get', method: 'GET', idempotent: true, spreadsheetId },
      (timeout) =>
        this.api.spreadsheets.get(
          { spreadsheetId, fields: 'spreadsheetId,properties.title,spreadsheetUrl,sheets.properties' },
          { timeout, retry: false },
        ),
    );
    const sheetList = (data.sheets ?? []).map((s, i) => ({
      id: s.properties?.sheetId ?? 0,
      title: s.properties?.title ?? '',
      index: s.properties?.index ?? i,
      row_count: s.properties?.gridProperties?.rowCount ?? 0,
      col_count: s.properties?.gridProperties?.columnCount ?? 0,
    }));
    return {
      id: data.spreadsheetId ?? spreadsheetId,
      title: data.properties?.title ?? '',
      url: data.spreadsheetUrl ?? `https://docs.google.com/spreadsheets/d/${spreadsheetId}/edit`,
      sheet_count: sheetList.length,
      sheets: sheetList,
    };
  }

  health(): SheetsHealthReport {
    return this.tracker.report();
  }
}
