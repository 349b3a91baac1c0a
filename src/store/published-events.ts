/** The event stream's port (services/ports.ts PublishedEvents) over Postgres. */
import type pg from 'pg';
import type { PublishedEvent, PublishedEvents, StreamPosition } from '../services/ports.js';
import {
  positionPublishedAt,
  publishedHead,
  purgedThrough,
  readPublishedAfter,
} from './sql/stream-events.js';

export class PgPublishedEvents implements PublishedEvents {
  constructor(private readonly pool: pg.Pool) {}

  readAfter(after: StreamPosition, limit: number): Promise<PublishedEvent[]> {
    return readPublishedAfter(this.pool, after, limit);
  }

  head(): Promise<StreamPosition | undefined> {
    return publishedHead(this.pool);
  }

  async positionAt(since: Date): Promise<StreamPosition> {
    // Nothing published since then: start at the head (or the very beginning).
    return (await positionPublishedAt(this.pool, since)) ?? (await this.head()) ?? STREAM_START;
  }

  purgedThrough(): Promise<string | undefined> {
    return purgedThrough(this.pool);
  }
}

export const STREAM_START: StreamPosition = { xid: '0', id: '00000000-0000-0000-0000-000000000000' };
