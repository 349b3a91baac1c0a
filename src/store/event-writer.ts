/**
 * Group commit for ingest. Every webhook waits for its row to be committed;
 * all rows that arrive while the event loop turns are sent as one INSERT (see
 * sql/insert-events.ts). At most `maxInFlight` batches run at once; rows that
 * arrive meanwhile wait and form the next, larger batch, so the batch size
 * grows with load by itself and no timer adds latency when idle.
 *
 * Failure rules: a connection or server failure rejects the whole batch with
 * STORAGE_UNAVAILABLE (the provider retries; nothing was acknowledged). A row
 * that Postgres refuses for its data is isolated by retrying the batch one row
 * at a time, so one poison delivery cannot fail its neighbours.
 */
import type pg from 'pg';
import { AppError } from '../domain/errors.js';
import type { Logger } from '../lib/logger.js';
import type { EventStore, NewEvent, StoredEvent, StoreResult } from '../services/ports.js';
import { findExistingIds, insertEvents, keyOf, type InsertLease } from './sql/insert-events.js';

interface Waiting {
  row: NewEvent;
  resolve(result: StoreResult): void;
  reject(error: Error): void;
}

/** What one statement made of a row: inserted as `stored`, or a duplicate of `id`. */
type Answer = { id: string; stored?: NewEvent };

export interface EventWriterOptions {
  maxBatch?: number;
  /** A batch stops growing at about this many bytes of bodies, payloads and headers (one statement carries them all). */
  maxBatchBytes?: number;
  maxInFlight?: number;
  lease: InsertLease;
  log: Logger;
  /** Called with each batch size, for the group-commit metric. */
  onBatch?: (size: number) => void;
}

/** SQLSTATE classes that mean "this data", not "this server": 22 data exception, 23 integrity, 54 limits. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/** What a row adds to the statement's one binary parameter (characters stand in for bytes). */
function sizeOf(row: NewEvent): number {
  const payload = row.payloadIsBody === true ? 0 : (row.payloadJson?.length ?? 0);
  return row.rawBody.length + payload + row.headersJson.length;
}

export class EventWriter implements EventStore {
  private queue: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly maxBatchBytes: number;
  private readonly maxInFlight: number;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: EventWriterOptions,
  ) {
    this.maxBatch = options.maxBatch ?? 500;
    this.maxBatchBytes = options.maxBatchBytes ?? 16 * 1024 * 1024;
    this.maxInFlight = options.maxInFlight ?? 4;
  }

  write(row: NewEvent): Promise<StoreResult> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      this.schedule();
    });
  }

  get queued(): number {
    return this.queue.length;
  }

  get batchesInFlight(): number {
    return this.inFlight;
  }

  /** Resolves when nothing is queued or in flight (graceful shutdown). */
  async drain(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.maxInFlight) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.queue.splice(0, this.batchLength());
      this.inFlight++;
      this.options.onBatch?.(batch.length);
      // Whatever commit() throws, every caller in the batch gets an answer
      // (rejecting an already-answered caller does nothing).
      void this.commit(batch)
        .catch((err: unknown) => this.failAll(batch, err))
        .finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.schedule();
          else if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        });
    }
  }

  /** How many queued rows the next batch takes: at least one, within both limits. */
  private batchLength(): number {
    let bytes = 0;
    let n = 0;
    while (n < this.queue.length && n < this.maxBatch) {
      bytes += sizeOf(this.queue[n]!.row);
      if (n > 0 && bytes > this.maxBatchBytes) break;
      n++;
    }
    return n;
  }

  private async commit(batch: Waiting[]): Promise<void> {
    // The first of several deliveries of one event in the same batch is the
    // one inserted; the others are its duplicates.
    const leaders = new Map<string, Waiting>();
    const followers: Array<{ waiting: Waiting; key: string }> = [];
    for (const w of batch) {
      const key = keyOf(w.row.source, w.row.dedupKey);
      if (leaders.has(key)) followers.push({ waiting: w, key });
      else leaders.set(key, w);
    }
    const rows = [...leaders.values()].map((w) => w.row);
    let answers: Map<string, Answer>;
    const refused = new Map<string, AppError>();
    try {
      answers = await this.store(rows);
    } catch (err) {
      if (isDataError(err)) {
        answers = await this.storeOneByOne(rows, refused);
      } else {
        this.failAll(batch, err);
        return;
      }
    }
    const unavailable = () => new AppError('STORAGE_UNAVAILABLE', 'the event could not be stored; retry', 5);
    for (const [key, w] of leaders) {
      const answer = answers.get(key);
      if (answer === undefined) w.reject(refused.get(key) ?? unavailable());
      else if (answer.stored === undefined) w.resolve({ duplicate: true, id: answer.id });
      else
        w.resolve({
          duplicate: false,
          id: answer.id,
          status: answer.stored.status,
          stored: storedEvent(answer.stored),
        });
    }
    for (const { waiting, key } of followers) {
      const answer = answers.get(key);
      if (answer === undefined) waiting.reject(refused.get(key) ?? unavailable());
      else waiting.resolve({ duplicate: true, id: answer.id });
    }
  }

  /** Inserts rows, then looks up the ids of the ones that were already there. Keyed by keyOf(). */
  private async store(rows: readonly NewEvent[]): Promise<Map<string, Answer>> {
    const insertedIds = await insertEvents(this.pool, rows, this.options.lease);
    const answers = new Map<string, Answer>();
    const missing: NewEvent[] = [];
    for (const r of rows) {
      if (insertedIds.has(r.id)) answers.set(keyOf(r.source, r.dedupKey), { id: r.id, stored: r });
      else missing.push(r);
    }
    if (missing.length > 0) {
      const existing = await findExistingIds(this.pool, missing);
      for (const r of missing) {
        const key = keyOf(r.source, r.dedupKey);
        const id = existing.get(key);
        if (id !== undefined) answers.set(key, { id });
      }
    }
    return answers;
  }

  /**
   * Stores rows one at a time. A row whose parsed payload Postgres refuses
   * (valid JSON that jsonb cannot hold: a NUL in a key, nesting deeper than
   * Postgres's stack) is stored without it, raw bytes kept, rather than
   * refused: the provider would give up on a 400 and the event would be lost.
   * A row refused even so gets a 400 of its own.
   */
  private async storeOneByOne(
    rows: readonly NewEvent[],
    refused: Map<string, AppError>,
  ): Promise<Map<string, Answer>> {
    const answers = new Map<string, Answer>();
    for (const row of rows) {
      try {
        for (const [k, v] of await this.storeWithoutPayloadIfRefused(row)) answers.set(k, v);
      } catch (err) {
        if (!isDataError(err)) throw err;
        const code = (err as { code?: string }).code;
        this.options.log.warn(
          { source: row.source, sqlstate: code },
          'webhook refused by Postgres for its content',
        );
        refused.set(
          keyOf(row.source, row.dedupKey),
          new AppError('BAD_REQUEST', `the webhook cannot be stored as sent (SQLSTATE ${code ?? 'unknown'})`),
        );
      }
    }
    return answers;
  }

  /** The answer names the row as stored: without its payload when Postgres refused that. */
  private async storeWithoutPayloadIfRefused(row: NewEvent): Promise<Map<string, Answer>> {
    try {
      return await this.store([row]);
    } catch (err) {
      if (!isDataError(err) || (row.payloadJson === null && row.payloadIsBody !== true)) throw err;
      const stored = await this.store([{ ...row, payloadJson: null, payloadIsBody: false }]);
      this.options.log.warn(
        { source: row.source, sqlstate: (err as { code?: string }).code },
        'webhook stored without its parsed payload: Postgres refused it as jsonb',
      );
      return stored;
    }
  }

  private failAll(batch: Waiting[], err: unknown): void {
    this.options.log.error({ err, rows: batch.length }, 'group commit failed; answering 503');
    const error = new AppError('STORAGE_UNAVAILABLE', undefined, 5);
    for (const w of batch) w.reject(error);
  }
}

/** A new row as processing reads it: what the retry loop's claim would return for it. */
function storedEvent(row: NewEvent): StoredEvent {
  return {
    id: row.id,
    source: row.source,
    eventId: row.eventId,
    eventType: row.eventType,
    tenantId: row.tenantId,
    contentType: row.contentType,
    payloadJson: row.payloadJson,
    rawBody: row.payloadJson === null ? row.rawBody : null,
    retryCount: 0,
    maxRetries: row.maxRetries,
    replay: false,
  };
}
