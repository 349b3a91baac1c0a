/**
 * Outcome statements are prepared once and run on a generic plan. On a keyed
 * pool that plan finds rows by primary key even when it was made while
 * webhook_events was empty (a fresh install, right after a TRUNCATE); on an
 * ordinary connection the same plan scans the whole table, which is why the
 * keyed pool exists.
 */
import { randomUUID } from 'node:crypto';
import test from 'ava';
import type pg from 'pg';
import { createKeyedPool, createPool, keyedPoolShare } from '../../src/store/database.js';
import { completeEvents } from '../../src/store/sql/finish-events.js';
import { createLogger } from '../../src/lib/logger.js';
import { buildObservability } from '../../src/main/observability.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});

/** Prepares complete-events on an empty table, fills it, and explains the cached plan. */
async function planAfterGrowth(pool: pg.Pool, source: string): Promise<{ plan: string; generic: number }> {
  const client = await pool.connect();
  try {
    await client.query('TRUNCATE webhook_events CASCADE');
    // Postgres considers a statement's generic plan after five custom ones, and
    // takes it when it is no dearer: batches of ids, as the processor sends them.
    const batch = () => Array.from({ length: 20 }, () => randomUUID());
    for (let i = 0; i < 7; i++) await completeEvents(client, batch(), 'w', new Date(), 1);
    await client.query(
      `INSERT INTO webhook_events (id, source, dedup_key, raw_body, status)
       SELECT gen_random_uuid(), $1, 'k' || i, '\\x00'::bytea, 'processing' FROM generate_series(1, 20000) i`,
      [source],
    );
    // EXPLAIN takes no parameters; the id is a literal (a fresh UUID, nothing to escape).
    const explained = await client.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN EXECUTE "complete-events"(ARRAY['${randomUUID()}'::uuid], 'w', now(), 1)`,
    );
    const stats = await client.query<{ generic_plans: number }>(
      "SELECT generic_plans FROM pg_prepared_statements WHERE name = 'complete-events'",
    );
    return {
      plan: explained.rows.map((r) => r['QUERY PLAN']).join('\n'),
      generic: stats.rows[0]?.generic_plans ?? 0,
    };
  } finally {
    client.release();
  }
}

test.serial('a keyed pool keeps finding outcomes by primary key as a truncated table grows', async (t) => {
  const pool = createKeyedPool(db.url, 1, 'keyed-pool-test');
  t.teardown(() => pool.end());
  const { plan, generic } = await planAfterGrowth(pool, 'keyed');
  t.true(generic > 0, 'the generic plan was in use');
  t.regex(plan, /Index Scan (using|on) webhook_events_pkey/);
  t.notRegex(plan, /Seq Scan/);
});

test.serial('the setting is in force for the first statement a keyed connection runs', async (t) => {
  const pool = createKeyedPool(db.url, 2, 'keyed-pool-first');
  t.teardown(() => pool.end());
  const [a, b] = await Promise.all([pool.query('SHOW enable_seqscan'), pool.query('SHOW enable_seqscan')]);
  t.deepEqual([a.rows[0], b.rows[0]], [{ enable_seqscan: 'off' }, { enable_seqscan: 'off' }]);
});

test('the keyed pool takes up to 4 of the configured connections, and none of a single one', (t) => {
  t.deepEqual([1, 2, 3, 7, 8, 16, 30, 1000].map(keyedPoolShare), [0, 1, 1, 1, 2, 4, 4, 4]);
});

test.serial(
  'control: an ordinary connection keeps the sequential scan it planned on the empty table',
  async (t) => {
    const pool = createPool(db.url, 1, 'plain-pool-test');
    t.teardown(() => pool.end());
    const { plan, generic } = await planAfterGrowth(pool, 'plain');
    t.true(generic > 0, 'the generic plan was in use');
    t.regex(plan, /Seq Scan on webhook_events/);
  },
);

test.serial('database_connections_active counts the outcome pool as well as the main one', async (t) => {
  const main = createPool(db.url, 2, 'metrics-main');
  const outcomes = createKeyedPool(db.url, 2, 'metrics-outcomes');
  t.teardown(async () => {
    await main.end();
    await outcomes.end();
  });
  const observe = buildObservability(main, createLogger('silent'), { redis: false, otherPools: [outcomes] });
  const held = [await main.connect(), await outcomes.connect(), await outcomes.connect()];
  try {
    const text = await observe.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('database_connections_active '));
    // The main pool holds at most 2 (one held here, one for the scrape's backlog
    // read), so more than 2 means the outcome pool's two were counted.
    t.true(Number(line?.split(' ')[1]) >= 3, line);
  } finally {
    for (const c of held) c.release();
  }
});
