/**
 * integctl's reader of the daemon's event stream (GET /api/v1/events/stream):
 * what `events tail` uses without Redis, or with --since. It reconnects after
 * a lost connection with the last cursor it saw (Last-Event-ID), so nothing
 * published meanwhile is missed, and stops when the signal aborts.
 */
import { SseParser } from '../lib/sse.js';
import { CommandFailed } from './io.js';
import { answerMessage, fetchFailure } from './daemon-url.js';

export interface StreamRequest {
  base: URL;
  adminToken: string | undefined;
  query: Record<string, string | undefined>;
  /** Resume after this cursor (as Last-Event-ID). */
  after?: string;
}

export interface StreamHandlers {
  onOpen(reconnected: boolean): void;
  /** One event: its cursor and the envelope as published. Awaited: the stream is read no faster. */
  onEvent(cursor: string | undefined, envelope: string): Promise<void> | void;
  onNotice(kind: string, data: string): void;
  /** The connection was lost or the daemon ended the stream; it reconnects after `retryMs`. */
  onLost(reason: string, retryMs: number): void;
}

const RETRY_MS = [500, 1000, 2000, 5000];

/** Reads events until `signal` aborts. A first connection the daemon refuses (401, 400) is a CommandFailed. */
export async function readEventStream(
  request: StreamRequest,
  handlers: StreamHandlers,
  signal: AbortSignal,
): Promise<void> {
  let cursor = request.after;
  let failures = 0;
  let opened = false;
  while (!signal.aborted) {
    const url = new URL('/api/v1/events/stream', request.base);
    for (const [k, v] of Object.entries(request.query)) if (v !== undefined) url.searchParams.set(k, v);
    let reason: string;
    try {
      const res = await fetch(url, {
        signal,
        headers: {
          accept: 'text/event-stream',
          ...(request.adminToken === undefined ? {} : { authorization: `Bearer ${request.adminToken}` }),
          ...(cursor === undefined ? {} : { 'last-event-id': cursor }),
        },
      });
      if (res.status !== 200 || res.body === null) {
        const body = await res.text().catch(() => '');
        const message = answerMessage(body) ?? `HTTP ${res.status}`;
        // Refused outright (bad token, bad filter): retrying will not help.
        if (res.status >= 400 && res.status < 500) {
          throw new CommandFailed(`the daemon refused the event stream (${res.status}): ${message}`);
        }
        reason = `the daemon answered ${res.status}`;
      } else {
        handlers.onOpen(opened);
        opened = true;
        failures = 0;
        const parser = new SseParser();
        const decoder = new TextDecoder();
        reason = 'the connection closed';
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (const message of parser.feed(decoder.decode(chunk, { stream: true }))) {
            if (message.event === 'message') {
              await handlers.onEvent(message.id, message.data);
              if (message.id !== undefined) cursor = message.id;
            } else if (message.event === 'end') {
              reason = `the daemon ended the stream (${message.data})`;
            } else handlers.onNotice(message.event, message.data);
            if (signal.aborted) return;
          }
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      if (err instanceof CommandFailed) throw err;
      if (!opened && failures === 0 && request.after === undefined && cursor === undefined) {
        throw new CommandFailed(
          `cannot reach the daemon at ${request.base.origin} (${fetchFailure(err)}); is integrationd running there? (--url)`,
        );
      }
      reason = `the connection failed (${fetchFailure(err)})`;
    }
    if (signal.aborted) return;
    const wait = RETRY_MS[Math.min(failures, RETRY_MS.length - 1)] ?? 5000;
    failures++;
    handlers.onLost(reason, wait);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, wait);
      signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
    });
  }
}
