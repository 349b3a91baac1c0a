/**
 * The event stream with Redis: two daemons on one Postgres and one Redis (a
 * redis-server of this test's own, so it can be killed), one stream. While
 * Redis is down, webhooks are stored but not published; the stream stays open,
 * and once Redis is back and the events are retried, both the open stream and
 * a client that disconnected meanwhile and resumed get each of them once.
 */
import test from 'ava';
import { startOwnRedis, type OwnRedis } from '../helpers/redis-server.js';
import { openSse, type SseMessage } from '../helpers/sse.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const TOKEN = 'stream-redis-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let redis: OwnRedis;
let a: TestRuntime;
let b: TestRuntime;

test.before(async () => {
  redis = await startOwnRedis();
  const env = { ADMIN_TOKEN: TOKEN, REDIS_URL: redis.url, EVENTS_STREAM_POLL_MS: '100' };
  a = await testRuntime(env);
  b = await testRuntime(env, a.db);
  await a.db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ('shop', 'none')");
});
test.after.always(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

async function ingest(eventId: string): Promise<string> {
  const res = await a.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/shop',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ event_id: eventId, type: 'order.paid' }),
  });
  if (res.statusCode !== 202) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
  return res.json<{ event_id: string }>().event_id;
}

const uuidOf = (m: SseMessage) => (JSON.parse(m.data) as { data: { id: string } }).data.id;
const eventIds = (messages: SseMessage[]) => messages.filter((m) => m.event === 'message').map(uuidOf);

test('Redis restarting under an open stream: retried events arrive once, on the open stream and after a resume', async (t) => {
  const urlB = await b.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const steady = await openSse(`${urlB}/api/v1/events/stream`, auth);
  const leaving = await openSse(`${urlB}/api/v1/events/stream`, auth);
  const before = [await ingest('rr-1'), await ingest('rr-2')];
  await steady.waitFor(2);
  await leaving.waitFor(2);
  const cursor = leaving.lastEventId();
  leaving.close();

  await redis.kill();
  // Stored (202), not published: each ends up retrying.
  const during = [await ingest('rr-3'), await ingest('rr-4'), await ingest('rr-5')];
  await eventually(async () => {
    const r = await a.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM webhook_events WHERE id = ANY($1::uuid[]) AND status = 'retrying'",
      [during],
    );
    return r.rows[0]?.n === during.length ? true : undefined;
  }, 'the events to wait for a retry');
  await redis.start();
  // Both daemons' publishers are connected again before the retry (else it would back off once more).
  await eventually(
    async () => ((await a.runtime.bus.ping()) && (await b.runtime.bus.ping()) ? true : undefined),
    'the buses back',
  );
  // The operator does not wait for the backoff: retry them now (the daemons' loops publish them).
  for (const id of during) {
    const res = await a.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/events/${id}/retry`,
      headers: auth,
    });
    t.is(res.statusCode, 202, res.body);
  }
  await steady.waitFor(5, 'the retried events on the stream that stayed open');
  const resumed = await openSse(`${urlB}/api/v1/events/stream`, { ...auth, 'last-event-id': cursor ?? '' });
  await resumed.waitFor(3, 'the retried events after the resume');
  await new Promise((r) => setTimeout(r, 400));
  t.deepEqual([...eventIds(steady.messages)].sort(), [...before, ...during].sort());
  t.deepEqual([...eventIds(resumed.messages)].sort(), [...during].sort());
  t.false(
    steady.messages.some((m) => m.event === 'end'),
    'the open stream never ended',
  );
  steady.close();
  resumed.close();
});
