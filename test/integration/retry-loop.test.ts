/** The retry loop: when Postgres is away it logs, counts and tries again next tick, never throwing or spinning; and it survives a stop and start. */
import test from 'ava';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { RetryLoop } from '../../src/jobs/retry-loop.js';
import { createLogger } from '../../src/lib/logger.js';
import { EventProcessor } from '../../src/services/process-events.js';
import { DueEventClaimer, type RetryRound } from '../../src/services/claim-due-events.js';
import { PgEventClaims, PgOutcomeRecorder } from '../../src/store/outcome-recorder.js';
import { createPool } from '../../src/store/database.js';
import { freePort } from '../../src/store/embedded.js';
import { createTestDatabase } from '../helpers/db.js';

test('with Postgres unreachable a round fails once, is counted, and the loop waits for the next tick', async (t) => {
  const pool = createPool(`postgres://postgres@127.0.0.1:${await freePort()}/none`, 2, 'test');
  const log = createLogger('silent');
  const bus = new MemoryBus();
  const processor = new EventProcessor({ outcomes: new PgOutcomeRecorder(pool), bus, log, workerId: 'w' });
  const retry = new DueEventClaimer({
    claims: new PgEventClaims(pool),
    processor,
    workerId: 'w',
    leaseSeconds: 30,
    batchSize: 10,
    log,
  });
  const errors: unknown[] = [];
  // A schedule that never fires during the test: only wake() starts rounds.
  const loop = new RetryLoop({ cronExpression: '0 0 1 1 *', retry, log, onError: (e) => errors.push(e) });
  loop.start();
  t.teardown(async () => {
    await loop.stop();
    await pool.end();
  });
  loop.wake();
  await loop.idle();
  t.is(errors.length, 1, 'one failed round, not a spin');
  loop.wake();
  loop.wake(); // asks for another round after this one; a failed round ends that instead
  await loop.idle();
  t.is(errors.length, 2, 'after a failure the loop waits for the next tick');
  t.regex(String((errors[0] as Error).message), /ECONNREFUSED|connect/);
});

test('a loop stopped and started again still claims due events', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const pool = createPool(db.url, 2, 'restart');
  t.teardown(() => pool.end());
  const log = createLogger('silent');
  const processor = new EventProcessor({
    outcomes: new PgOutcomeRecorder(pool),
    bus: new MemoryBus(),
    log,
    workerId: 'w',
  });
  const retry = new DueEventClaimer({
    claims: new PgEventClaims(pool),
    processor,
    workerId: 'w',
    leaseSeconds: 30,
    batchSize: 10,
    log,
  });
  const rounds: RetryRound[] = [];
  const loop = new RetryLoop({ cronExpression: '0 0 1 1 *', retry, log, onRound: (r) => rounds.push(r) });
  loop.start();
  await loop.stop();
  loop.start();
  t.teardown(() => loop.stop());
  await db.pool.query(
    `INSERT INTO webhook_events (id, source, dedup_key, event_type, raw_body, payload, status, next_retry_at, retry_count)
     VALUES (gen_random_uuid(), 's', 'k', 't', convert_to('{}', 'UTF8'), '{}'::jsonb, 'retrying', now() - interval '1 second', 1)`,
  );
  loop.wake();
  await loop.idle();
  t.like(rounds.at(-1), { claimed: 1, completed: 1 });
});
