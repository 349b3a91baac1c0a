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

  positionAt(since: Date): Promise<StreamPosition | undefined> {
    return positionPublishedAt(this.pool, since);
  }

  purgedThrough(): Promise<string | undefined> {
    return purgedThrough(this.pool);
  }
}
