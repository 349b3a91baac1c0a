/**
 * A Server-Sent Events client over fetch, for tests: src/lib/sse.ts parses
 * the stream as EventSource would, and this collects the messages so a test
 * can wait for what it expects.
 */
import { SseParser, type SseMessage } from '../../src/lib/sse.js';
import { eventually } from './wait.js';

export type { SseMessage };

export interface SseClient {
  status: number;
  headers: Headers;
  messages: SseMessage[];
  /** Keepalive comments seen. */
  comments: number;
  /** Resolves when the server ended the stream. */
  ended: Promise<void>;
  /** The last id: seen, as an EventSource would send it as Last-Event-ID. */
  lastEventId(): string | undefined;
  waitFor(count: number, what?: string): Promise<SseMessage[]>;
  close(): void;
}

export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const controller = new AbortController();
  const res = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: controller.signal,
  });
  const messages: SseMessage[] = [];
  let comments = 0;
  let last: string | undefined;
  const client: SseClient = {
    status: res.status,
    headers: res.headers,
    messages,
    get comments() {
      return comments;
    },
    ended: Promise.resolve(),
    lastEventId: () => last,
    waitFor: async (count, what = `${count} messages`) => {
      await eventually(async () => (messages.length >= count ? true : undefined), what);
      return messages.slice(0, count);
    },
    close: () => controller.abort(),
  };
  if (res.body === null || res.status !== 200) return client;
  client.ended = (async () => {
    const decoder = new TextDecoder();
    const parser = new SseParser();
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        messages.push(...parser.feed(decoder.decode(chunk, { stream: true })));
        last = parser.lastEventId;
        comments = parser.comments;
      }
    } catch {
      // Aborted by close().
    }
  })();
  return client;
}
