/**
 * A fake Google Sheets v4 REST server for tests, driven through the real
 * @googleapis/sheets client (GOOGLE_SHEETS_ROOT_URL points at it).
 *
 * Speaks: GET spreadsheets/{id}, GET values/{range}, PUT values/{range},
 * POST values/{range}:append, with Google's error bodies
 * ({"error":{"code","message","status"}}) for 400 bad range, 401, 403 (sheet
 * not shared with the service account), 404, and on demand 429 (with
 * Retry-After) or 5xx. Requests must carry the service account's self-signed
 * JWT: the signature is checked against the test key, so a client that sends
 * no or a wrong credential gets 401 as from Google.
 *
 * holdNext() lets a test pause one response after its data was read, to
 * reproduce a read racing a write.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  appendRange,
  BadRange,
  metadataOf,
  newSpreadsheet,
  readRange,
  updateRange,
  type Cell,
  type Spreadsheet,
} from './spreadsheets.js';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  at: number;
}

interface Failure {
  status: number;
  retryAfter?: string;
  message?: string;
}

interface Hold {
  matches: (r: FakeRequest) => boolean;
  arrived: () => void;
  released: Promise<void>;
}

export interface FakeSheetsOptions {
  serviceAccountEmail: string;
  privateKeyPem: string;
}

const STATUS_TEXT: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

export class FakeSheets {
  readonly spreadsheets = new Map<string, Spreadsheet>();
  /** Spreadsheets that exist but are not shared with the service account. */
  readonly unshared = new Set<string>();
  readonly requests: FakeRequest[] = [];
  private failures: Array<Failure & { matches: (r: FakeRequest) => boolean }> = [];
  private holds: Hold[] = [];
  private readonly publicKey: KeyObject;
  private server: http.Server | undefined;
  url = '';

  constructor(private readonly options: FakeSheetsOptions) {
    this.publicKey = createPublicKey(options.privateKeyPem);
  }

  addSpreadsheet(id: string, title: string, sheets: Record<string, Cell[][]> = { Sheet1: [] }): Spreadsheet {
    const book = newSpreadsheet(id, title, Object.keys(sheets));
    book.sheets.forEach((s) => (s.rows = (sheets[s.title] ?? []).map((r) => [...r])));
    this.spreadsheets.set(id, book);
    return book;
  }

  /** The next `count` requests matching get this failure instead of an answer. */
  failNext(count: number, failure: Failure, matches: (r: FakeRequest) => boolean = () => true): void {
    for (let i = 0; i < count; i++) this.failures.push({ ...failure, matches });
  }

  /** Holds the next matching response (computed on arrival) until release() is called. */
  holdNext(matches: (r: FakeRequest) => boolean): { arrived: Promise<void>; release: () => void } {
    let release = () => undefined as void;
    let arrived = () => undefined as void;
    const arrivedP = new Promise<void>((r) => (arrived = r));
    const released = new Promise<void>((r) => (release = r));
    this.holds.push({ matches, arrived, released });
    return { arrived: arrivedP, release };
  }

  requestsTo(pathPart: string): FakeRequest[] {
    return this.requests.filter((r) => r.path.includes(pathPart));
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    for (const h of this.holds) h.arrived();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private authorised(header: string | undefined): boolean {
    const token = /^Bearer (.+)$/.exec(header ?? '')?.[1];
    const [h, p, s] = token?.split('.') ?? [];
    if (h === undefined || p === undefined || s === undefined) return false;
    const signed = verify(
      'RSA-SHA256',
      Buffer.from(`${h}.${p}`),
      this.publicKey,
      Buffer.from(s, 'base64url'),
    );
    if (!signed) return false;
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as {
      iss?: string;
      scope?: string;
      exp?: number;
    };
    return (
      claims.iss === this.options.serviceAccountEmail &&
      (claims.scope ?? '').split(' ').includes('https://www.googleapis.com/auth/spreadsheets') &&
      (claims.exp ?? 0) * 1000 > Date.now()
    );
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      at: Date.now(),
    };
    this.requests.push(record);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, message: string, headers: Record<string, string> = {}) =>
      send(status, { error: { code: status, message, status: STATUS_TEXT[status] ?? 'UNKNOWN' } }, headers);

    if (!this.authorised(req.headers.authorization)) {
      return error(401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.');
    }
    const failureAt = this.failures.findIndex((f) => f.matches(record));
    if (failureAt >= 0) {
      const [f] = this.failures.splice(failureAt, 1);
      if (f) {
        const headers: Record<string, string> =
          f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter };
        return error(f.status, f.message ?? 'Injected failure', headers);
      }
    }
    const answer = this.route(
      record,
      chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined,
    );
    const holdAt = this.holds.findIndex((h) => h.matches(record));
    if (holdAt >= 0) {
      const [hold] = this.holds.splice(holdAt, 1);
      hold?.arrived();
      await hold?.released;
    }
    if ('error' in answer) return error(answer.status, answer.error);
    return send(200, answer.body);
  }

  private route(r: FakeRequest, body: unknown): { body: unknown } | { status: number; error: string } {
    const m = /^\/v4\/spreadsheets\/([^/]+)(?:\/values\/([^/]+?)(:append)?)?$/.exec(r.path);
    if (!m || m[1] === undefined) return { status: 404, error: `Method not found: ${r.path}` };
    const id = decodeURIComponent(m[1]);
    const book = this.spreadsheets.get(id);
    if (!book) return { status: 404, error: 'Requested entity was not found.' };
    if (this.unshared.has(id)) return { status: 403, error: 'The caller does not have permission' };
    if (m[2] === undefined)
      return r.method === 'GET' ? { body: metadataOf(book, this.url) } : { status: 404, error: 'Not found' };
    const range = decodeURIComponent(m[2]);
    const values = (body as { values?: Cell[][] } | undefined)?.values ?? [];
    try {
      if (r.method === 'GET')
        return { body: readRange(book, range, r.query.valueRenderOption ?? 'FORMATTED_VALUE') };
      const input = r.query.valueInputOption;
      if (input !== 'RAW' && input !== 'USER_ENTERED') {
        return { status: 400, error: "'valueInputOption' is required but not specified" };
      }
      if (r.method === 'PUT' && m[3] === undefined) return { body: updateRange(book, range, values, input) };
      if (r.method === 'POST' && m[3] !== undefined) return { body: appendRange(book, range, values, input) };
    } catch (err) {
      if (err instanceof BadRange) return { status: 400, error: err.message };
      throw err;
    }
    return { status: 404, error: `Method not found: ${r.method} ${r.path}` };
  }
}

export async function startFakeSheets(options: FakeSheetsOptions): Promise<FakeSheets> {
  const fake = new FakeSheets(options);
  await fake.start();
  return fake;
}
