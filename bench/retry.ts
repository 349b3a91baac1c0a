/**
 * npm run bench:retry: how fast the retry loop drains a backlog.
 *
 * 50,000 events due for retry (a Redis outage just ended, say), two worker
 * processes (integrationd --role worker, from dist/) on real Postgres and
 * Redis. Prints events/s from the moment the backlog is committed to the last
 * event completed, then checks each event was published exactly once (its
 * entries on the stream integration:events) and that none is left claimed.
 * Options: BENCH_EVENTS (50000), BENCH_WORKERS (2).
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  redisUrl,
  removeStreamEntries,
  row,
  scratchDatabase,
  startBuiltDaemon,
  streamEnd,
  streamEntriesOf,
  type BenchDaemon,
} from './support.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 50_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? 2);
const SOURCE = `retry-bench-${randomBytes(3).toString('hex')}`;

const db = await scratchDatabase();
const redis = new Redis(redisUrl());
const workers: BenchDaemon[] = [];
let failed = true;
// This run's events are counted, and removed at the end, from here on (filtered by its source).
const streamStart = await streamEnd(redis);
try {
  for (let i = 0; i < WORKERS; i++) {
    workers.push(
      await startBuiltDaemon({
        DATABASE_URL: db.url,
        REDIS_URL: redisUrl(),
        INTEGRATION_ROLE: 'worker',
        RETRY_CRON: '* * * * * *',
        EVENTS_STREAM_MAXLEN: '100000000',
        ...(process.env.RETRY_BATCH_SIZE ? { RETRY_BATCH_SIZE: process.env.RETRY_BATCH_SIZE } : {}),
      }),
    );
  }
  process.stdout.write(`bench:retry: ${EVENTS} due events, ${WORKERS} worker processes\n\n`);
  const started = Date.now();
  await db.pool.query(
    `INSERT INTO webhook_events (id, source, event_id, dedup_key, event_type, raw_body, payload, status, retry_count, next_retry_at)
     SELECT gen_random_uuid(), $1, 'evt_' || i, 'evt_' || i, 'payment_intent.succeeded', convert_to(p::text, 'UTF8'), p, 'retrying', 1, now()
       FROM generate_series(1, $2::int) AS i,
            LATERAL (SELECT jsonb_build_object('id', 'evt_' || i, 'type', 'payment_intent.succeeded', 'amount', i, 'note', repeat('x', 400)) AS p) AS body`,
    [SOURCE, EVENTS],
  );
  const committed = Date.now();
  let left = EVENTS;
  const deadline = Date.now() + 300_000;
  while (left > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left =
      (
        await db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM webhook_events WHERE status <> 'completed'",
        )
      ).rows[0]?.n ?? EVENTS;
  }
  const drained = Date.now();
  row('backlog insert (ms)', committed - started);
  row('drained in (s)', ((drained - committed) / 1000).toFixed(2));
  row('events/s', Math.round(EVENTS / ((drained - committed) / 1000)));

  const seen = new Map<string, number>();
  for await (const [, payload] of streamEntriesOf(redis, streamStart, SOURCE)) {
    const id = (JSON.parse(payload || '{}') as { data: { id: string } }).data.id;
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  const twice = [...seen.values()].filter((n) => n > 1).length;
  const claimed = (
    await db.pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM webhook_events WHERE locked_by IS NOT NULL',
    )
  ).rows[0]?.n;
  const byWorker = await db.pool.query<{ worker: string; n: number }>(
    'SELECT worker, count(*)::int AS n FROM webhook_event_attempts GROUP BY worker ORDER BY worker',
  );
  row('completed', EVENTS - left);
  row('on the stream (distinct / twice)', `${seen.size} / ${twice}`);
  row('left claimed', claimed ?? -1);
  row('attempts per worker', byWorker.rows.map((r) => r.n).join(' + '));
  failed = !(left === 0 && seen.size === EVENTS && twice === 0 && claimed === 0);
  row('published exactly once', failed ? 'NO' : 'yes');
} finally {
  for (const w of workers) await w.stop();
  await removeStreamEntries(redis, streamStart, SOURCE);
  redis.disconnect();
  await db.drop();
}
process.exit(failed ? 1 : 0);
