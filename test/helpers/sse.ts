/**
 * A Server-Sent Events client over fetch, for tests: it parses the stream as
 * the EventSource spec does (id:, event:, data: lines joined by \n, comments
 * ignored) and collects messages, so a test can wait for what it expects.
 */
import { eventually } from './wait.js';

export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

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
    let buffer = '';
    let event: { id?: string; event?: string; data: string[] } = { data: [] };
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let newline: number;
        while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
          const line = buffer.slice(0, newline);
          buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
          if (line === '') {
            if (event.data.length > 0 || event.event !== undefined) {
              if (event.id !== undefined) last = event.id;
              messages.push({ id: event.id, event: event.event ?? 'message', data: event.data.join('\n') });
            }
            event = { data: [] };
          } else if (line.startsWith(':')) comments++;
          else {
            const colon = line.indexOf(':');
            const field = colon < 0 ? line : line.slice(0, colon);
            const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
            if (field === 'data') event.data.push(value);
            else if (field === 'id') event.id = value;
            else if (field === 'event') event.event = value;
          }
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  return client;
}
