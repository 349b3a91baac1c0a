/**
 * Outages with servers this file owns: a Redis it kills and restarts, and an
 * embedded Postgres it stops. A 2xx always means stored; nothing stored is lost.
 */
import test from 'ava';
import { Redis } from 'ioredis';
import { EVENTS_STREAM } from '../../src/redis/keys.js';
import { createLogger } from '../../src/lib/logger.js';
import { EventProcessor } from '../../src/services/process-events.js';
import { DueEventClaimer } from '../../src/services/claim-due-events.js';
import { PgEventClaims, PgOutcomeRecorder } from '../../src/store/outcome-recorder.js';
import { startOwnRedis } from '../helpers/redis-server.js';
import { runtimeOnOwnPostgres, testRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const log = createLogger('silent');

test('Redis down: the webhook is stored and answered 202, waits in retrying, and is published once Redis is back', async (t) => {
  const redis = await startOwnRedis();
  const ctx = await testRuntime({ REDIS_URL: redis.url });
  t.teardown(async () => {
    await ctx.close();
    await redis.stop();
  });
  await ctx.db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ('outage', 'none')");
  await redis.kill();
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/outage',
    headers: { 'content-type': 'application/json' },
    payload: '{"event_id":"during-outage","event_type":"order.created"}',
  });
  t.is(res.statusCode, 202, res.body);
  const id = res.json<{ event_id: string }>().event_id;
  const retrying = await eventually(async () => {
    const r = await ctx.db.pool.query<{
      status: string;
      next_retry_at: Date;
      retry_count: number;
      last_error: string;
    }>('SELECT status, next_retry_at, retry_count, last_error FROM webhook_events WHERE id = $1', [id]);
    return r.rows[0]?.status === 'retrying' ? r.rows[0] : undefined;
  }, 'retrying');
  t.is(retrying.retry_count, 1);
  t.regex(retrying.last_error, /publish to redis bus failed/);
  const delay = retrying.next_retry_at.getTime() - Date.now();
  t.true(delay > 50_000 && delay <= 66_000, `first retry about a minute later, got ${delay} ms`);

  await redis.start();
  await eventually(async () => ((await ctx.runtime.bus.ping()) ? true : undefined), 'bus reconnected');
  // The retry loop's clock, moved past next_retry_at: no sleeping for a minute.
  const later = () => new Date(Date.now() + 5 * 60_000);
  const processor = new EventProcessor({
    outcomes: new PgOutcomeRecorder(ctx.db.pool),
    bus: ctx.runtime.bus,
    log,
    workerId: 'test-worker',
    now: later,
  });
  const retry = new DueEventClaimer({
    claims: new PgEventClaims(ctx.db.pool),
    processor,
    workerId: 'test-worker',
    leaseSeconds: 60,
    batchSize: 100,
    log,
    now: later,
  });
  const round = await retry.runDue();
  t.is(round.completed, 1);
  const done = await ctx.db.pool.query<{ status: string; published_at: Date | null }>(
    'SELECT status, published_at FROM webhook_events WHERE id = $1',
    [id],
  );
  t.is(done.rows[0]?.status, 'completed');
  t.truthy(done.rows[0]?.published_at);
  const client = new Redis(redis.url);
  const entries = await client.xrange(EVENTS_STREAM, '-', '+');
  client.disconnect();
  t.is(entries.filter(([, fields]) => fields[3]?.includes(id)).length, 1, 'on the stream exactly once');
  const attempts = await ctx.db.pool.query<{ attempt: number; outcome: string }>(
    'SELECT attempt, outcome FROM webhook_event_attempts WHERE event_id = $1 ORDER BY attempt',
    [id],
  );
  t.deepEqual(attempts.rows, [
    { attempt: 1, outcome: 'retrying' },
    { attempt: 2, outcome: 'completed' },
  ]);
});

test('Postgres down: webhooks get 503 with Retry-After, never a 2xx, and the daemon keeps running', async (t) => {
  const own = await runtimeOnOwnPostgres([
    "INSERT INTO webhook_configs (name, scheme) VALUES ('pgdown', 'none')",
    "INSERT INTO webhook_configs (name, scheme) VALUES ('pgdown-unread', 'none')",
  ]);
  t.teardown(() => own.close());
  const runtime = own.runtime;
  const send = (id: string) =>
    runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/pgdown',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ event_id: id }),
    });
  t.is((await send('before')).statusCode, 202);
  await own.stopPostgres();
  const res = await send('while-down');
  t.is(res.statusCode, 503);
  t.is(res.json<{ error: { code: string } }>().error.code, 'STORAGE_UNAVAILABLE');
  t.truthy(res.headers['retry-after']);
  // A source the daemon has not read yet cannot be looked up either: 503 too, not 404.
  const unread = await runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/pgdown-unread',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ event_id: 'first' }),
  });
  t.is(unread.statusCode, 503);
  t.is(unread.json<{ error: { code: string } }>().error.code, 'STORAGE_UNAVAILABLE');
  t.truthy(unread.headers['retry-after']);
  // The event endpoints read Postgres too: 503 with Retry-After, not 500.
  for (const [method, url] of [
    ['GET', '/api/v1/webhooks/events/00000000-0000-4000-8000-000000000000'],
    ['POST', '/api/v1/webhooks/events/00000000-0000-4000-8000-000000000000/retry'],
    ['GET', '/api/v1/webhooks/health'],
  ] as const) {
    const down = await runtime.app.inject({ method, url });
    t.is(down.statusCode, 503, `${method} ${url}: ${down.body}`);
    t.is(down.json<{ error: { code: string } }>().error.code, 'STORAGE_UNAVAILABLE');
    t.truthy(down.headers['retry-after']);
  }
  t.is((await runtime.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});
