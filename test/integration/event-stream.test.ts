/**
 * GET /api/v1/events/stream through real daemons' wiring and a real SSE
 * client (fetch): what any daemon publishes arrives once, as published on the
 * bus; a resume after a disconnect gets every later publish (retries and
 * replays included) exactly once; bad cursors, slow and silent clients,
 * many clients and shutdown.
 */
import net from 'node:net';
import test from 'ava';
import { openSse, type SseMessage } from '../helpers/sse.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const TOKEN = 'stream-admin-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };
let a: TestRuntime;
let b: TestRuntime;
let urlA: string;
let urlB: string;
/** Envelopes as daemon A's bus carried them, by event uuid (the in-process bus: no Redis). */
const onBus = new Map<string, string[]>();

test.before(async () => {
  a = await testRuntime({ ADMIN_TOKEN: TOKEN, EVENTS_STREAM_POLL_MS: '100' });
  // A second daemon on the same Postgres: what A publishes, B's stream carries.
  b = await testRuntime({ ADMIN_TOKEN: TOKEN, EVENTS_STREAM_POLL_MS: '100' }, a.db);
  await a.db.pool.query(
    "INSERT INTO webhook_configs (name, scheme, tenant_id) VALUES ('shop', 'none', 't1'), ('crm', 'none', 't2')",
  );
  await a.runtime.bus.subscribe('integration.webhook.*', (_channel, payload) => {
    const id = (JSON.parse(payload) as { data: { id: string } }).data.id;
    onBus.set(id, [...(onBus.get(id) ?? []), payload]);
  });
  urlA = await a.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  urlB = await b.runtime.app.listen({ port: 0, host: '127.0.0.1' });
});

test.after.always(async () => {
  await b?.close();
  await a?.close();
});

async function ingest(source: string, body: Record<string, unknown>, on = a): Promise<string> {
  const res = await on.runtime.app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/generic/${source}`,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify(body),
  });
  if (res.statusCode !== 202) throw new Error(`ingest: ${res.statusCode} ${res.body}`);
  return res.json<{ event_id: string }>().event_id;
}

const uuidOf = (m: SseMessage) => (JSON.parse(m.data) as { data: { id: string } }).data.id;
const events = (messages: SseMessage[]) => messages.filter((m) => m.event === 'message');

test.serial('events published by another daemon arrive once, with the envelope as on the bus', async (t) => {
  const stream = await openSse(`${urlB}/api/v1/events/stream?source=shop`, auth);
  t.is(stream.status, 200);
  t.regex(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
  const ids = [
    await ingest('shop', { event_id: 'x-1', type: 'order.paid' }),
    await ingest('crm', { event_id: 'x-2', type: 'lead.new' }),
    await ingest('shop', { event_id: 'x-3', type: 'order.refunded', note: 'caf\u00e9' }),
  ];
  const got = await stream.waitFor(2, 'two shop events on B');
  // Publish order, which need not be the order of the 2xx answers.
  t.deepEqual(got.map(uuidOf).sort(), [ids[0], ids[2]].sort());
  for (const m of got) {
    t.truthy(m.id, 'each message has a cursor');
    t.deepEqual([m.data], onBus.get(uuidOf(m)), 'the data is the envelope published on the bus');
  }
  stream.close();
});

test.serial(
  'a resume gets what was published while away, retries and replays included, each once',
  async (t) => {
    const first = await openSse(`${urlA}/api/v1/events/stream?source=shop`, auth);
    const before = [
      await ingest('shop', { event_id: 'r-1', type: 'order.paid' }),
      await ingest('shop', { event_id: 'r-2', type: 'order.paid' }),
    ];
    await first.waitFor(2);
    const cursor = first.lastEventId();
    first.close();

    // While away: new events on both daemons, and an operator's replay of r-1.
    const away = [
      await ingest('shop', { event_id: 'r-3', type: 'order.paid' }),
      await ingest('shop', { event_id: 'r-4', type: 'order.paid' }, b),
    ];
    await eventually(
      async () => ((onBus.get(away[0] ?? '') ?? []).length > 0 ? true : undefined),
      'r-3 published',
    );
    const replay = await a.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/events/${before[0]}/retry`,
      headers: auth,
    });
    t.is(replay.statusCode, 202);
    await eventually(
      async () => ((onBus.get(before[0] ?? '') ?? []).length === 2 ? true : undefined),
      'replayed',
    );

    const resumed = await openSse(`${urlB}/api/v1/events/stream?source=shop`, {
      ...auth,
      'last-event-id': cursor ?? '',
    });
    const live = await ingest('shop', { event_id: 'r-5', type: 'order.paid' });
    await resumed.waitFor(4, 'r-3, r-4, the replay of r-1 and r-5');
    // Nothing more arrives: wait past a few polls, then compare.
    await new Promise((r) => setTimeout(r, 400));
    const got = events(resumed.messages).map(uuidOf);
    t.deepEqual([...got].sort(), [...away, before[0], live].sort());
    t.is(new Set(got).size, got.length, 'each once');
    t.false(got.includes(before[1] ?? ''), 'r-2 was seen before the disconnect and not replayed');
    resumed.close();
  },
);

test.serial(
  '?since= replays what was published since a time; ?type= globs; a tenant header narrows',
  async (t) => {
    const start = new Date().toISOString();
    const paid = await ingest('shop', { event_id: 's-1', type: 'invoice.paid' });
    await ingest('shop', { event_id: 's-2', type: 'invoice.voided' });
    const other = await ingest('crm', { event_id: 's-3', type: 'invoice.paid' });
    await eventually(async () => (onBus.has(other) ? true : undefined), 'published');
    const since = await openSse(
      `${urlA}/api/v1/events/stream?since=${encodeURIComponent(start)}&type=invoice.p%3Fid`,
      auth,
    );
    await since.waitFor(2);
    await new Promise((r) => setTimeout(r, 300));
    t.deepEqual(events(since.messages).map(uuidOf).sort(), [paid, other].sort());
    since.close();
    const tenant = await openSse(`${urlA}/api/v1/events/stream?since=${encodeURIComponent(start)}`, {
      ...auth,
      'x-tenant-id': 't2',
    });
    await tenant.waitFor(1);
    await new Promise((r) => setTimeout(r, 300));
    t.deepEqual(events(tenant.messages).map(uuidOf), [other]);
    tenant.close();
    // A glob that matches nothing: a stream with keepalives and no events.
    const none = await openSse(`${urlA}/api/v1/events/stream?type=${encodeURIComponent('no.[x]*')}`, auth);
    t.is(none.status, 200);
    await ingest('shop', { event_id: 's-4', type: 'invoice.paid' });
    await new Promise((r) => setTimeout(r, 300));
    t.deepEqual(events(none.messages), []);
    none.close();
  },
);

test.serial('bad cursors and filters are 400 with a code; no token is 401', async (t) => {
  for (const cursor of [
    'abc',
    '12',
    '1.not-a-uuid',
    `${'9'.repeat(21)}.00000000-0000-0000-0000-000000000000`,
  ]) {
    const res = await fetch(`${urlA}/api/v1/events/stream`, {
      headers: { ...auth, 'last-event-id': cursor },
    });
    t.is(res.status, 400, cursor);
    t.is(((await res.json()) as { error: { code: string } }).error.code, 'INVALID_CURSOR');
  }
  const after = await fetch(`${urlA}/api/v1/events/stream?after=nope`, { headers: auth });
  t.is(after.status, 400);
  const since = await fetch(`${urlA}/api/v1/events/stream?since=yesterday`, { headers: auth });
  t.is(since.status, 400);
  // Not on the calendar: refused, not rolled over into March.
  const feb30 = await fetch(`${urlA}/api/v1/events/stream?since=2026-02-30T00:00:00Z`, { headers: auth });
  t.is(feb30.status, 400);
  t.regex(((await feb30.json()) as { error: { message: string } }).error.message, /2026-02 has 28 days/);
  const unknown = await fetch(`${urlA}/api/v1/events/stream?colour=red`, { headers: auth });
  t.is(unknown.status, 400);
  const clash = await fetch(`${urlA}/api/v1/events/stream?tenant=t1`, {
    headers: { ...auth, 'x-tenant-id': 't2' },
  });
  t.is(clash.status, 400);
  t.is((await fetch(`${urlA}/api/v1/events/stream`)).status, 401);
  // A well-formed cursor no event has is a place in the stream like any other.
  const unseen = await openSse(`${urlA}/api/v1/events/stream`, {
    ...auth,
    'last-event-id': '1.00000000-0000-0000-0000-000000000000',
  });
  t.is(unseen.status, 200);
  await unseen.waitFor(1, 'the backlog from the start');
  unseen.close();
});

test.serial('a purged cursor gets a notice first, then continues from the oldest event kept', async (t) => {
  const old = await openSse(`${urlA}/api/v1/events/stream?source=shop`, auth);
  await ingest('shop', { event_id: 'p-1', type: 'order.paid' });
  await old.waitFor(1);
  const cursor = old.lastEventId() ?? '';
  old.close();
  const kept = await ingest('shop', { event_id: 'p-2', type: 'order.paid' });
  await eventually(async () => (onBus.has(kept) ? true : undefined), 'p-2 published');
  // The retention purge removes p-1 (and the older events) but not p-2.
  await a.db.pool.query("UPDATE webhook_events SET received_at = now() - interval '40 days' WHERE id <> $1", [
    kept,
  ]);
  const { PgEventQueries } = await import('../../src/store/event-queries.js');
  const { createOrm } = await import('../../src/store/sequelize.js');
  const orm = createOrm(a.db.url, 1);
  t.teardown(() => orm.close());
  const queries = new PgEventQueries(a.db.pool, orm.models);
  const deleted = await queries.purge({
    statuses: ['completed'],
    receivedBefore: new Date(Date.now() - 30 * 86_400_000),
    now: new Date(),
    limit: 10_000,
  });
  t.true(deleted > 0);
  const resumed = await openSse(`${urlA}/api/v1/events/stream?source=shop`, {
    ...auth,
    'last-event-id': cursor,
  });
  const [notice, next] = await resumed.waitFor(2);
  t.is(notice?.event, 'purged');
  t.regex(notice?.data ?? '', /purged/);
  t.is(next !== undefined ? uuidOf(next) : undefined, kept);
  resumed.close();
});

test.serial('100 streams at once each get the event', async (t) => {
  const streams = await Promise.all(
    Array.from({ length: 100 }, () => openSse(`${urlA}/api/v1/events/stream?source=crm`, auth)),
  );
  t.true(streams.every((s) => s.status === 200));
  const id = await ingest('crm', { event_id: 'many-1', type: 'lead.new' });
  await Promise.all(streams.map((s) => s.waitFor(1)));
  t.true(streams.every((s) => s.messages.length === 1 && uuidOf(s.messages[0] as SseMessage) === id));
  for (const s of streams) s.close();
});

test.serial('a client that never reads is disconnected; the daemon does not buffer for it', async (t) => {
  const port = Number(new URL(urlA).port);
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(`GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`);
  socket.pause(); // reads nothing while events are published
  socket.on('error', () => undefined);
  await new Promise((r) => setTimeout(r, 200));
  // 15 MB of envelopes: far past EVENTS_STREAM_MAX_BUFFER_BYTES (1 MiB) and the kernel's socket buffers.
  const pad = 'x'.repeat(60_000);
  for (let round = 0; round < 10; round++) {
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => ingest('shop', { event_id: `slow-${round}-${i}`, pad })),
    );
  }
  await new Promise((r) => setTimeout(r, 1500));
  // Reading now, the client finds the stream ended: it got what was buffered, not all 15 MB.
  let received = 0;
  let tail = '';
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  socket.on('data', (chunk: Buffer) => {
    received += chunk.length;
    tail = (tail + chunk.toString('latin1')).slice(-200);
  });
  socket.resume();
  await closed;
  t.true(received < 10 * 25 * 60_000, `received ${received} bytes`);
  // The last message, then the end of the chunked body.
  t.regex(tail, /event: end\ndata: \{"reason":"slow_consumer"\}\n\n\r\n0\r\n\r\n$/);
});

test.serial('stopping the daemon ends its streams with a last message', async (t) => {
  const c = await testRuntime({ ADMIN_TOKEN: TOKEN }, a.db);
  const url = await c.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const stream = await openSse(`${url}/api/v1/events/stream`, auth);
  t.is(stream.status, 200);
  await new Promise((r) => setTimeout(r, 100));
  await c.runtime.stop();
  await stream.ended;
  const last = stream.messages[stream.messages.length - 1];
  t.is(last?.event, 'end');
  t.deepEqual(JSON.parse(last?.data ?? '{}'), { reason: 'shutdown' });
});
