/**
 * What the fake Google and Yandex geocoders share: an HTTP server on a free
 * loopback port, a record of every request (to assert what was sent: the key,
 * Yandex's lon,lat order), and faults a test queues for the next requests:
 * an HTTP status with a body and Retry-After, an HTML page, JSON cut short,
 * JSON of the wrong shape, or no answer at all until the server closes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The path and query string exactly as sent. */
  rawUrl: string;
  at: number;
}

export type HttpFault =
  /** This status with a JSON body (an object) or a text body (a string). */
  | { kind: 'http'; status: number; body?: unknown; retryAfter?: string }
  /** An HTML page, as from a proxy, a captive portal or a wrong root URL. */
  | { kind: 'html'; status?: number }
  /** 200 with a JSON content type and a body cut off mid-document. */
  | { kind: 'malformed-json' }
  /** 200 with this JSON, whatever its shape. */
  | { kind: 'json'; body: unknown }
  /** Headers never come; the socket stays open until close(). */
  | { kind: 'hang' }
  /** 200 and its headers at once, then the first bytes of a body that never ends. */
  | { kind: 'trickle' };

export interface Reply {
  status: number;
  body: string;
  contentType: string;
  headers?: Record<string, string>;
}

export const HTML_PAGE =
  '<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 502 (Server Error)!!1</title>' +
  '<p><b>502.</b> <ins>That’s an error.</ins><p>The server encountered a temporary error. ' +
  'Please try again in 30 seconds. <ins>That’s all we know.</ins></html>';

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return { status, body: JSON.stringify(body), contentType: 'application/json; charset=UTF-8', headers };
}

export abstract class FakeHttpServer<F extends { kind: string }> {
  readonly requests: FakeRequest[] = [];
  private faults: Array<{ fault: F | HttpFault; matches: (r: FakeRequest) => boolean }> = [];
  private server: http.Server | undefined;
  url = '';

  /** The next `count` requests that match get this fault instead of an answer. */
  failNext(count: number, fault: F | HttpFault, matches: (r: FakeRequest) => boolean = () => true): void {
    for (let i = 0; i < count; i++) this.faults.push({ fault, matches });
  }

  /** Drops the faults still queued. */
  clearFaults(): void {
    this.faults = [];
  }

  async start(): Promise<string> {
    this.server = http.createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** The answer to a request no fault took. */
  protected abstract answer(r: FakeRequest): Reply;

  /** The reply for a fault of this fake's own kinds (Google's body statuses). */
  protected abstract ownFault(fault: F): Reply;

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      rawUrl: req.url ?? '/',
      at: Date.now(),
    };
    this.requests.push(record);
    const at = this.faults.findIndex((f) => f.matches(record));
    const fault = at >= 0 ? this.faults.splice(at, 1)[0]?.fault : undefined;
    if (fault?.kind === 'hang') return;
    if (fault?.kind === 'trickle') {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.write('{"results":[');
      return;
    }
    const reply = fault === undefined ? this.answer(record) : this.faultReply(fault);
    res.writeHead(reply.status, { 'content-type': reply.contentType, ...reply.headers });
    res.end(reply.body);
  }

  private faultReply(fault: F | HttpFault): Reply {
    const f = fault as HttpFault;
    switch (f.kind) {
      case 'http': {
        const headers: Record<string, string> =
          f.retryAfter === undefined ? {} : { 'retry-after': f.retryAfter };
        return typeof f.body === 'string'
          ? { status: f.status, body: f.body, contentType: 'text/plain; charset=utf-8', headers }
          : json(f.status, f.body ?? {}, headers);
      }
      case 'html':
        return { status: f.status ?? 200, body: HTML_PAGE, contentType: 'text/html; charset=UTF-8' };
      case 'malformed-json':
        return {
          status: 200,
          body: '{"results":[{"geometry":{"location":{"lat":55.75',
          contentType: 'application/json; charset=UTF-8',
        };
      case 'json':
        return json(200, f.body);
      case 'hang':
      case 'trickle':
        throw new Error('unreachable: hang and trickle are handled before');
      default:
        return this.ownFault(fault as F);
    }
  }
}

/** Lower case, ё as е, punctuation as spaces, one space between words: how the fakes match addresses. */
export function normalise(text: string): string {
  return text
    .toLowerCase()
    .replace(/ё/g, 'е')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Metres between two points (haversine). */
export function distanceMetres(lat1: number, lng1: number, lat2: number, lng2: number): number {
  const rad = Math.PI / 180;
  const dLat = (lat2 - lat1) * rad;
  const dLng = (lng2 - lng1) * rad;
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.sqrt(a));
}
