/**
 * Server-Sent Events, read as the EventSource standard reads them: lines
 * ending in \r\n, \n or \r; `data:` lines joined with \n; `id:` remembered as
 * the last event id; lines starting with ':' are comments (keepalives). Fed
 * chunks of text in any split, it hands back the complete messages.
 */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

export class SseParser {
  private buffer = '';
  private pending: { id?: string; event?: string; data: string[] } = { data: [] };
  /** The id: of the last message, as an EventSource would send it back in Last-Event-ID. */
  lastEventId: string | undefined;
  comments = 0;

  feed(text: string): SseMessage[] {
    this.buffer += text;
    const out: SseMessage[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (match === null || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, out);
    }
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === '') {
      const p = this.pending;
      if (p.data.length > 0 || p.event !== undefined) {
        if (p.id !== undefined) this.lastEventId = p.id;
        out.push({ id: p.id, event: p.event ?? 'message', data: p.data.join('\n') });
      }
      this.pending = { data: [] };
      return;
    }
    if (line.startsWith(':')) {
      this.comments++;
      return;
    }
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'data') this.pending.data.push(value);
    else if (field === 'id') this.pending.id = value;
    else if (field === 'event') this.pending.event = value;
  }
}
