/**
 * The event stream's use case: every publish of every daemon on this Postgres,
 * read in stream order (PublishedEvents), sent to each subscriber that asked
 * for it, resumable from a cursor.
 *
 * One hub per daemon reads new publishes for all its subscribers (a query per
 * poll, not per client): every `pollMs`, and at once when this daemon
 * published something (wake()). A subscriber that resumes from an older
 * cursor first reads its backlog on its own, at its own pace, then joins the
 * hub once its cursor has reached the hub's; from then on the hub hands it
 * every publish after its cursor. Because every position before the newest
 * one read is settled (store/sql/stream-events.ts), the hand-over can neither
 * skip nor repeat an event: each subscriber drops what is not after its own
 * cursor.
 *
 * A subscriber that cannot take what the hub hands it (its connection's
 * buffer is full) is closed with reason `slow_consumer`: a live stream is
 * never buffered without bound. During its backlog it is only paced.
 */
import { AppError } from '../domain/errors.js';
import { envelopeFor } from '../domain/event.js';
import { globMatcher } from '../lib/glob.js';
import type { Logger } from '../lib/logger.js';
import type { PublishedEvent, PublishedEvents, StreamPosition } from './ports.js';

export interface StreamFilter {
  source?: string;
  /** A glob over the event type, as the bus's patterns: `payment_intent.*`. */
  type?: string;
  tenant?: string;
}

export interface StreamMessage {
  /** The event's cursor: send it back (Last-Event-ID, ?after=) to resume after it. */
  cursor: string;
  /** The envelope exactly as it was published on Redis. */
  envelope: string;
}

/** What the transport (an SSE response) offers a subscription. */
export interface StreamSink {
  /** Writes one message; false when the connection's buffer is full (slow consumer). */
  send(message: StreamMessage): boolean;
  /** Resolves when the connection can take more (for the backlog's pacing). */
  drained(): Promise<void>;
  /** A notice before the events (events purged since the cursor). */
  notice(kind: 'purged', detail: Record<string, unknown>): void;
  /** Ends the stream, saying why: slow_consumer, shutdown, error. */
  end(reason: 'slow_consumer' | 'shutdown' | 'error'): void;
}

export interface StreamHubOptions {
  events: PublishedEvents;
  log: Logger;
  /** How often the hub looks for new publishes while anyone listens. */
  pollMs: number;
  /** Rows per read. */
  pageSize?: number;
}

const CURSOR = /^(\d{1,20})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;
const MAX_XID = (1n << 64n) - 1n;

/** Before every publish: where a stream that has seen nothing starts. */
export const STREAM_START: StreamPosition = { xid: '0', id: '00000000-0000-0000-0000-000000000000' };

/** Whether `text` is shaped like a cursor the stream gives (what parseCursor accepts, bounds aside). */
export function isCursor(text: string): boolean {
  return CURSOR.test(text.trim().toLowerCase());
}

export function formatCursor(position: StreamPosition): string {
  return `${position.xid}.${position.id}`;
}

/** A cursor as the stream gave it; anything else is INVALID_CURSOR (400). */
export function parseCursor(text: string): StreamPosition {
  const match = CURSOR.exec(text.trim().toLowerCase());
  if (match === null || BigInt(match[1] ?? '0') > MAX_XID) {
    throw new AppError(
      'INVALID_CURSOR',
      `${JSON.stringify(text.slice(0, 80))} is not a stream cursor: send back the id: of a message the stream sent, as Last-Event-ID or ?after=`,
    );
  }
  return { xid: BigInt(match[1] ?? '0').toString(), id: match[2] ?? '' };
}

/** Stream order: by transaction id, then event id (Postgres compares uuids as bytes, as hex text compares). */
export function comparePositions(a: StreamPosition, b: StreamPosition): number {
  const ax = BigInt(a.xid);
  const bx = BigInt(b.xid);
  if (ax !== bx) return ax < bx ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

function matcher(filter: StreamFilter): (event: PublishedEvent) => boolean {
  const type = filter.type === undefined ? undefined : globMatcher(filter.type);
  return (event) =>
    (filter.source === undefined || event.source === filter.source) &&
    (filter.tenant === undefined || event.tenantId === filter.tenant) &&
    (type === undefined || type(event.eventType));
}

function messageOf(event: PublishedEvent): StreamMessage {
  return { cursor: formatCursor(event), envelope: envelopeFor(event, event.publishedAt) };
}

class Subscription {
  live = false;
  closed = false;

  constructor(
    public cursor: StreamPosition,
    readonly matches: (event: PublishedEvent) => boolean,
    readonly sink: StreamSink,
  ) {}

  /** Hands over one publish; false once the subscriber could not take it. */
  offer(event: PublishedEvent, message: () => StreamMessage): boolean {
    if (this.closed || comparePositions(event, this.cursor) <= 0) return true;
    this.cursor = event;
    return !this.matches(event) || this.sink.send(message());
  }

  close(reason: 'slow_consumer' | 'shutdown' | 'error'): void {
    if (this.closed) return;
    this.closed = true;
    this.sink.end(reason);
  }
}

export class EventStreamHub {
  private readonly subscriptions = new Set<Subscription>();
  private head: StreamPosition | undefined;
  private starting: Promise<StreamPosition> | undefined;
  private polling = false;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly pageSize: number;

  constructor(private readonly options: StreamHubOptions) {
    this.pageSize = options.pageSize ?? 500;
  }

  get subscribers(): number {
    return this.subscriptions.size;
  }

  /**
   * Starts a subscription after `after`: a client's cursor (`resumed`), or
   * position() taken before the client was answered (a start "from now").
   * Resolves once it is set up; events then flow to the sink until
   * unsubscribe().
   */
  async subscribe(
    sink: StreamSink,
    options: { after: StreamPosition; filter: StreamFilter; resumed: boolean },
  ): Promise<{ unsubscribe: () => void }> {
    if (this.stopped) throw new AppError('SHUTTING_DOWN', undefined, 5);
    // An idle hub's head is stale: read it again rather than poll from it.
    if (this.subscriptions.size === 0 && !this.polling) this.head = undefined;
    await this.start();
    const subscription = new Subscription(options.after, matcher(options.filter), sink);
    this.subscriptions.add(subscription);
    if (options.resumed) {
      const purged = await this.options.events.purgedThrough();
      if (purged !== undefined && BigInt(purged) >= BigInt(options.after.xid)) {
        sink.notice('purged', {
          message:
            'events after your cursor were purged (integctl events purge); continuing from the oldest event kept',
        });
      }
    }
    // The backlog from `after` up to the hub's head (nothing, when it starts there), then live.
    void this.catchUp(subscription);
    this.schedule(0);
    return {
      unsubscribe: () => {
        subscription.closed = true;
        this.subscriptions.delete(subscription);
      },
    };
  }

  /**
   * The newest settled publish now: a subscription that starts here gets
   * everything published from this moment on (what "no cursor" means).
   */
  async position(): Promise<StreamPosition> {
    if (this.subscriptions.size > 0) return this.start();
    return (await this.options.events.head()) ?? STREAM_START;
  }

  /** Where a replay of what was published since `since` starts. */
  async positionAt(since: Date): Promise<StreamPosition> {
    // Nothing published since then: the stream starts now.
    return (await this.options.events.positionAt(since)) ?? this.position();
  }

  /** This daemon just published: look now rather than at the next poll. */
  wake(): void {
    if (this.subscriptions.size > 0) this.schedule(0);
  }

  /** Shutdown: every stream ends with reason `shutdown`, so clients reconnect elsewhere. */
  close(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const s of this.subscriptions) s.close('shutdown');
    this.subscriptions.clear();
  }

  private async start(): Promise<StreamPosition> {
    if (this.head !== undefined) return this.head;
    this.starting ??= this.options.events.head().then((head) => {
      this.head ??= head ?? STREAM_START;
      return this.head;
    });
    try {
      return await this.starting;
    } finally {
      this.starting = undefined;
    }
  }

  /** A backlog, read page by page at the subscriber's pace, until it reaches the hub. */
  private async catchUp(s: Subscription): Promise<void> {
    try {
      while (!s.closed) {
        const rows = await this.options.events.readAfter(s.cursor, this.pageSize);
        for (const event of rows) {
          if (!s.offer(event, () => messageOf(event))) await s.sink.drained();
          if (s.closed) return;
        }
        // Joined synchronously after the check: no poll can run in between.
        const head = this.head;
        if (rows.length < this.pageSize && head !== undefined && comparePositions(s.cursor, head) >= 0) {
          s.live = true;
          return;
        }
        if (rows.length < this.pageSize) await new Promise((r) => setTimeout(r, this.options.pollMs));
      }
    } catch (err) {
      this.options.log.warn({ err }, 'event stream: a backlog read failed; the client may resume');
      this.drop(s, 'error');
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped || this.subscriptions.size === 0) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, delayMs);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      let rows: PublishedEvent[];
      do {
        const head = await this.start();
        rows = await this.options.events.readAfter(head, 1000);
        for (const event of rows) {
          this.head = event;
          let message: StreamMessage | undefined;
          const build = () => (message ??= messageOf(event));
          for (const s of this.subscriptions) {
            if (s.live && !s.offer(event, build)) this.drop(s, 'slow_consumer');
          }
        }
      } while (rows.length === 1000 && !this.stopped);
    } catch (err) {
      // Postgres away: the streams stay open and the next poll tries again.
      this.options.log.warn({ err }, 'event stream: reading new publishes failed; retrying');
    } finally {
      this.polling = false;
      const again = this.again;
      this.again = false;
      this.schedule(again ? 0 : this.options.pollMs);
    }
  }

  private drop(s: Subscription, reason: 'slow_consumer' | 'error'): void {
    this.subscriptions.delete(s);
    s.close(reason);
  }
}
