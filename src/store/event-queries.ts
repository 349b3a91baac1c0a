/** The operators' port over stored events (services/ports.ts EventQueries), in Postgres. */
import type pg from 'pg';
import type {
  EventCursor,
  EventFilter,
  EventPage,
  EventQueries,
  EventRecord,
  PurgePlan,
} from '../services/ports.js';
import { readStoredEvent } from './event-reader.js';
import type { Models } from './models/index.js';
import { scheduleNow } from './sql/claim-due-events.js';
import { countOldEvents, deleteOldEvents } from './sql/delete-old-events.js';
import {
  countEvents,
  countUnfinished,
  listEvents,
  lookupEvents,
  matchingEventIds,
} from './sql/select-events.js';

export class PgEventQueries implements EventQueries {
  constructor(
    private readonly pool: pg.Pool,
    private readonly models: Models,
  ) {}

  list(filter: EventFilter, limit: number): Promise<EventPage> {
    return listEvents(this.pool, filter, limit);
  }

  count(filter: EventFilter): Promise<number> {
    return countEvents(this.pool, filter);
  }

  matchingIds(filter: EventFilter, limit: number, after?: EventCursor) {
    return matchingEventIds(this.pool, filter, limit, after);
  }

  find(id: string): Promise<EventRecord | undefined> {
    return readStoredEvent(this.models, id);
  }

  lookup(ids: readonly string[], now: Date) {
    return lookupEvents(this.pool, ids, now);
  }

  scheduleNow(ids: readonly string[], now: Date): Promise<string[]> {
    return scheduleNow(this.pool, ids, now);
  }

  unfinishedCounts(): Promise<Record<string, number>> {
    return countUnfinished(this.pool);
  }

  countPurgeable(plan: PurgePlan): Promise<number> {
    return countOldEvents(this.pool, plan);
  }

  purge(plan: PurgePlan & { limit: number }): Promise<number> {
    return deleteOldEvents(this.pool, plan);
  }
}
