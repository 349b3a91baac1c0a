/**
 * At-least-once delivery across workers: disjoint claims, leases that outlive a
 * killed worker, and a Redis that dies mid-batch. Time is moved with injected
 * clocks, not sleeps.
 */
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { Redis } from 'ioredis';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { RedisBus } from '../../src/bus/redis-bus.js';
import type { BusMessage, EventBus } from '../../src/bus/event-bus.js';
import { createLogger } from '../../src/lib/logger.js';
import { EventProcessor } from '../../src/services/process-events.js';
import { DueEventClaimer } from '../../src/services/claim-due-events.js';
import { PgEventClaims, PgOutcomeRecorder } from '../../src/store/outcome-recorder.js';
import { createPool } from '../../src/store/database.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startDaemon } from '../helpers/daemon.js';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait.js';

const log = createLogger('silent');

async function dueEvents(db: TestDatabase, count: number, source = 'bulk'): Promise<void> {
  await db.pool.query(
    `INSERT INTO webhook_events (id, source, event_id, dedup_key, event_type, raw_body, payload, status, next_retry_at, retry_count)
     SELECT gen_random_uuid(), $1, 'e-' || i, 'e-' || i, 'order.created', convert_to('{"n":' || i || '}', 'UTF8'),
            ('{"n":' || i || '}')::jsonb, 'retrying', now() - interval '1 second', 1
       FROM generate_series(1, $2::int) AS i`,
    [source, count],
  );
}

function worker(db: TestDatabase, bus: EventBus, id: string, now?: () => Date) {
  const pool = createPool(db.url, 4, id);
  const processor = new EventProcessor({
    outcomes: new PgOutcomeRecorder(pool),
    bus,
    log,
    workerId: id,
    now,
  });
  const retry = new DueEventClaimer({
    claims: new PgEventClaims(pool),
    processor,
    workerId: id,
    leaseSeconds: 30,
    batchSize: 200,
    log,
    now,
  });
  return { retry, close: () => pool.end() };
}

/** The in-process bus, with `before` run ahead of every publish (to stall it, watch it, or act mid-round). */
function busBefore(before: (messages: readonly BusMessage[]) => void | Promise<void>): EventBus {
  const inner = new MemoryBus();
  return {
    kind: inner.kind,
    publish: async (messages) => {
      await before(messages);
      return inner.publish(messages);
    },
    subscribe: (pattern, onMessage) => inner.subscribe(pattern, onMessage),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
}

async function streamIds(redis: OwnRedis | string, key: string): Promise<string[]> {
  const client = new Redis(typeof redis === 'string' ? redis : redis.url);
  const ids: string[] = [];
  let cursor = '-';
  for (;;) {
    const entries = await client.xrange(key, cursor, '+', 'COUNT', 5000);
    const fresh = cursor === '-' ? entries : entries.slice(1);
    if (fresh.length === 0) break;
    for (const [, fields] of fresh)
      ids.push((JSON.parse(fields[3] ?? '{}') as { data: { id: string } }).data.id);
    cursor = entries[entries.length - 1]?.[0] ?? cursor;
  }
  client.disconnect();
  return ids;
}

async function statusCounts(db: TestDatabase): Promise<Record<string, number>> {
  const r = await db.pool.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM webhook_events GROUP BY status',
  );
  return Object.fromEntries(r.rows.map((row) => [row.status, row.n]));
}

test('two workers over 2,000 due events: each event is processed exactly once', async (t) => {
  const db = await createTestDatabase();
  const redis = await startOwnRedis();
  const bus = new RedisBus({ url: redis.url, streamMaxLen: 1_000_000 });
  const a = worker(db, bus, 'worker-a');
  const b = worker(db, bus, 'worker-b');
  t.teardown(async () => {
    await a.close();
    await b.close();
    await bus.close();
    await redis.stop();
    await db.drop();
  });
  await dueEvents(db, 2000);
  await eventually(async () => ((await bus.ping()) ? true : undefined), 'redis');
  const [ra, rb] = await Promise.all([a.retry.runDue(), b.retry.runDue()]);
  t.is(ra.claimed + rb.claimed, 2000);
  t.is(ra.completed + rb.completed, 2000);
  t.deepEqual(await statusCounts(db), { completed: 2000 });
  const attempts = await db.pool.query<{ n: number; events: number; max: number }>(
    'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS events, max(attempt) AS max FROM webhook_event_attempts',
  );
  t.deepEqual(attempts.rows[0], { n: 2000, events: 2000, max: 2 });
  const ids = await streamIds(redis, bus.streamKey);
  t.is(ids.length, 2000);
  t.is(new Set(ids).size, 2000);
  const leftover = await db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM webhook_events WHERE locked_by IS NOT NULL',
  );
  t.is(leftover.rows[0]?.n, 0, 'no event left claimed');
});

test('a worker killed with SIGKILL while holding leases: the other completes its events after the lease', async (t) => {
  const db = await createTestDatabase();
  const redis = await startOwnRedis();
  t.teardown(async () => {
    await redis.stop();
    await db.drop();
  });
  const daemon = await startDaemon({
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    INTEGRATION_ROLE: 'worker',
    RETRY_CRON: '* * * * * *',
    EVENT_LEASE_SECONDS: '30',
    LOG_LEVEL: 'warn',
  });
  // Redis frozen: the daemon's publish hangs (until its command timeout), so it
  // holds its claimed batch when it is killed.
  await redis.pause();
  await dueEvents(db, 300);
  const held = await eventually(
    async () => {
      const r = await db.pool.query<{ n: number; owner: string }>(
        "SELECT count(*)::int AS n, min(locked_by) AS owner FROM webhook_events WHERE status = 'processing' AND locked_until > now()",
      );
      return (r.rows[0]?.n ?? 0) > 0 ? r.rows[0] : undefined;
    },
    'the daemon to claim events',
    60_000,
  );
  daemon.child.kill('SIGKILL');
  await daemon.exited;
  await redis.resume();
  // What the dead worker still holds. On a busy machine some of its publishes
  // may already have timed out (Redis was frozen) and gone to retrying, due a
  // minute later: those are neither held nor due now.
  const atKill = (
    await db.pool.query<{ held: number; backed_off: number }>(
      `SELECT count(*) FILTER (WHERE status = 'processing' AND locked_until > now())::int AS held,
              count(*) FILTER (WHERE status = 'retrying' AND next_retry_at > now())::int AS backed_off
         FROM webhook_events`,
    )
  ).rows[0] ?? { held: 0, backed_off: 0 };
  t.true(atKill.held + atKill.backed_off > 0, 'the daemon died with work in hand');
  if (atKill.held === 0) t.log('every claimed publish had timed out before the kill (a busy machine)');

  const bus = new RedisBus({ url: redis.url, streamMaxLen: 1_000_000 });
  await eventually(async () => ((await bus.ping()) ? true : undefined), 'redis');
  // Before the lease ends the survivor leaves the dead worker's events alone...
  const early = worker(db, bus, 'survivor-early');
  const first = await early.retry.runDue();
  await early.close();
  t.is(first.claimed, 300 - atKill.held - atKill.backed_off);
  const untouched = await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM webhook_events WHERE status = 'processing' AND locked_by = $1",
    [held?.owner],
  );
  t.is(untouched.rows[0]?.n, atKill.held);
  // ...and after it (and after the backed-off ones' retry time), takes them over.
  // (Their retry count was 1, so their next try is 2 minutes + jitter away.)
  const later = worker(db, bus, 'survivor', () => new Date(Date.now() + 10 * 60_000));
  const second = await later.retry.runDue();
  await later.close();
  t.is(second.completed, atKill.held + atKill.backed_off);
  t.deepEqual(await statusCounts(db), { completed: 300 });
  const ids = await streamIds(redis, bus.streamKey);
  await bus.close();
  t.is(new Set(ids).size, 300);
  t.is(ids.length, 300, 'each event on the stream once');
});

test('Redis killed during processing and restarted: every event ends completed, on the stream once', async (t) => {
  const db = await createTestDatabase();
  const redis = await startOwnRedis({ persistent: true });
  const bus = new RedisBus({ url: redis.url, streamMaxLen: 1_000_000, commandTimeoutMs: 1000 });
  t.teardown(async () => {
    await bus.close();
    await redis.stop();
    await db.drop();
  });
  await dueEvents(db, 2000);
  await eventually(async () => ((await bus.ping()) ? true : undefined), 'redis');
  const w = worker(db, bus, 'worker-k');
  const running = w.retry.runDue();
  // Kill Redis once part of the work is published.
  await eventually(
    async () => (((await statusCounts(db)).completed ?? 0) > 0 ? true : undefined),
    'some progress',
    30_000,
  );
  await redis.kill();
  const round = await running;
  t.true(round.retrying > 0, 'some events could not be published while Redis was down');
  await redis.start();
  await eventually(async () => ((await bus.ping()) ? true : undefined), 'redis back');
  const later = worker(db, bus, 'worker-k2', () => new Date(Date.now() + 10 * 60_000));
  for (let i = 0; i < 5 && (await statusCounts(db)).completed !== 2000; i++) await later.retry.runDue();
  await w.close();
  await later.close();
  t.deepEqual(await statusCounts(db), { completed: 2000 });
  const ids = await streamIds(redis, bus.streamKey);
  t.is(new Set(ids).size, 2000, 'every event on the stream');
  t.is(ids.length, 2000, 'none twice');
});

test('SIGTERM drains: in-flight webhooks are answered, leases are released, exit code 0', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  await db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ('drain', 'none')");
  const daemon = await startDaemon({ DATABASE_URL: db.url, SHUTDOWN_TIMEOUT_SECONDS: '10' });
  const sends = Array.from({ length: 50 }, (_, i) =>
    fetch(`${daemon.url}/api/v1/webhooks/generic/drain`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_id: `drain-${i}-${randomUUID()}` }),
    }).then(
      (r) => r.status,
      () => 0,
    ),
  );
  await new Promise((r) => setTimeout(r, 5));
  daemon.child.kill('SIGTERM');
  const statuses = await Promise.all(sends);
  t.is(await daemon.exited, 0, daemon.output());
  const accepted = statuses.filter((s) => s === 202).length;
  const rows = await db.pool.query<{ n: number; leased: number }>(
    'SELECT count(*)::int AS n, count(locked_by)::int AS leased FROM webhook_events',
  );
  t.is(rows.rows[0]?.n, accepted, 'every 202 is a stored row, and nothing else was stored');
  t.is(rows.rows[0]?.leased, 0, 'no lease left behind');
  t.true(
    statuses.every((s) => s === 202 || s === 503 || s === 0),
    statuses.join(','),
  );
});

test('a Drive push left to the workers (empty body labelled JSON) is published, not failed as unreadable', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  // What an api-role daemon stores for a Drive push: no payload, an empty body, a JSON label.
  const unreadable = randomUUID();
  const push = randomUUID();
  await db.pool.query(
    `INSERT INTO webhook_events (id, source, event_id, dedup_key, event_type, content_type, raw_body, payload, status)
     VALUES ($1, 'google_sheets', 'chan-1:7', 'chan-1:7', 'sheets.update', 'application/json; utf-8', ''::bytea, NULL, 'pending'),
            ($2, 'hooks', NULL, 'k', 'unknown', 'application/json', convert_to('{not json', 'UTF8'), NULL, 'pending')`,
    [push, unreadable],
  );
  const bus = new MemoryBus();
  const seen: string[] = [];
  const unsubscribe = await bus.subscribe('integration.webhook.*', (channel) => {
    seen.push(channel);
  });
  t.teardown(unsubscribe);
  const w = worker(db, bus, 'drive-worker');
  t.teardown(() => w.close());
  await w.retry.runDue();
  const rows = await db.pool.query<{ id: string; status: string; last_error: string | null }>(
    'SELECT id, status, last_error FROM webhook_events',
  );
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  t.is(byId.get(push)?.status, 'completed');
  t.deepEqual(seen, ['integration.webhook.google_sheets.sheets.update']);
  // A body labelled JSON that is not JSON still fails for good: no retry can mend it.
  t.like(byId.get(unreadable), { status: 'failed', last_error: 'the stored body is not valid JSON' });
});

test('an event queued on the fast path for half its lease is left to the claim, not published twice', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const ids = [randomUUID(), randomUUID(), randomUUID()];
  await db.pool.query(
    `INSERT INTO webhook_events (id, source, dedup_key, event_type, raw_body, payload, status, locked_by, locked_until)
     SELECT id, 'fast', id::text, 'order.created', convert_to('{}', 'UTF8'), '{}'::jsonb, 'processing', 'w1',
            now() + interval '10 seconds'
       FROM unnest($1::uuid[]) AS id`,
    [ids],
  );
  // The in-process bus behind a gate: publishes wait until the test opens it (a Redis stall).
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const published: string[] = [];
  const bus = busBefore(async (messages) => {
    await gate;
    published.push(...messages.map((m) => m.id));
  });
  let clock = Date.now();
  const pool = createPool(db.url, 2, 'fast-path');
  t.teardown(() => pool.end());
  const processor = new EventProcessor({
    outcomes: new PgOutcomeRecorder(pool),
    bus,
    log,
    workerId: 'w1',
    leaseSeconds: 10,
    now: () => new Date(clock),
  });
  const item = (id: string) => ({
    id,
    source: 'fast',
    eventId: null,
    eventType: 'order.created',
    tenantId: null,
    payloadJson: '{}',
    retryCount: 0,
    maxRetries: 3,
  });
  // Two batches run at once and stall; the third event waits in the queue.
  processor.enqueue([item(ids[0]!)]);
  await new Promise((r) => setImmediate(r));
  processor.enqueue([item(ids[1]!)]);
  await new Promise((r) => setImmediate(r));
  processor.enqueue([item(ids[2]!)]);
  clock += 6_000; // past half of the 10 s lease
  open();
  await processor.drain();
  t.deepEqual(published.sort(), [ids[0]!, ids[1]!].sort());
  const rows = await db.pool.query<{ id: string; status: string; locked_by: string | null }>(
    'SELECT id, status, locked_by FROM webhook_events',
  );
  const byId = new Map(rows.rows.map((r) => [r.id, r]));
  t.is(byId.get(ids[0]!)?.status, 'completed');
  t.is(byId.get(ids[1]!)?.status, 'completed');
  // Still leased to w1, untouched: the claim publishes it once the lease ends.
  t.like(byId.get(ids[2]!), { status: 'processing', locked_by: 'w1' });
});

test('stopping the retry service ends a long round after its current batches, leaving nothing half-claimed', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  await dueEvents(db, 1000, 'backlog');
  const shutdown: { begin?: () => void } = {};
  const bus = busBefore(() => shutdown.begin?.()); // shutdown begins during the first batches
  const w = worker(db, bus, 'stopping-worker');
  t.teardown(() => w.close());
  shutdown.begin = () => w.retry.stop();
  const round = await w.retry.runDue();
  t.true(round.claimed > 0 && round.claimed < 1000, `claimed ${round.claimed}`);
  t.is(round.completed, round.claimed);
  const left = await db.pool.query<{ status: string; n: number; leased: number }>(
    `SELECT status, count(*)::int AS n, count(locked_by)::int AS leased FROM webhook_events GROUP BY status ORDER BY status`,
  );
  t.deepEqual(left.rows, [
    { status: 'completed', n: round.claimed, leased: 0 },
    { status: 'retrying', n: 1000 - round.claimed, leased: 0 },
  ]);
});

test('each published event asks its marker to outlast its next possible attempt', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const holds: Array<number | undefined> = [];
  const bus = busBefore((messages) => {
    holds.push(...messages.map((m) => m.holdSeconds));
  });
  const pool = createPool(db.url, 2, 'holds');
  t.teardown(() => pool.end());
  const processor = new EventProcessor({
    outcomes: new PgOutcomeRecorder(pool),
    bus,
    log,
    workerId: 'w',
    leaseSeconds: 60,
  });
  const item = (retryCount: number) => ({
    id: randomUUID(),
    source: 's',
    eventId: null,
    eventType: 't',
    tenantId: null,
    payloadJson: '{}',
    retryCount,
    maxRetries: 10,
  });
  await processor.process([item(0), item(4), item(9)]);
  // Longest delay after this attempt (60 s x 2^n, +10 % jitter, at most an hour +10 %) plus a 60 s lease.
  t.deepEqual(holds, [66 + 60, 1056 + 60, 3960 + 60]);
});
