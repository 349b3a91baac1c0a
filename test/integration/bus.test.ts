/** The same expectations of both bus implementations, plus the Redis bus's once-per-event stream. */
import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { Redis } from 'ioredis';
import type { EventBus } from '../../src/bus/event-bus.js';
import { MemoryBus } from '../../src/bus/memory-bus.js';
import { chunksOf, RedisBus } from '../../src/bus/redis-bus.js';
import { redisSkipReason, testKeyPrefix, testRedisUrl } from '../helpers/redis.js';
import { eventually } from '../helpers/wait.js';

const redisUrl = testRedisUrl();
const backends: Array<[string, () => EventBus]> = [['in-process', () => new MemoryBus()]];
if (redisUrl)
  backends.push([
    'redis',
    () => new RedisBus({ url: redisUrl, streamMaxLen: 1000, keyPrefix: testKeyPrefix() }),
  ]);
else test.skip(`redis bus (${redisSkipReason()})`, (t) => t.pass());

for (const [name, make] of backends) {
  test(`${name}: subscribers receive what matches their pattern, and nothing else`, async (t) => {
    const bus = make();
    t.teardown(() => bus.close());
    const tag = randomUUID().slice(0, 8);
    const got: string[] = [];
    const unsubscribe = await bus.subscribe(`integration.webhook.${tag}.*`, (channel) => got.push(channel));
    const accepted = await bus.publish([
      { id: randomUUID(), channel: `integration.webhook.${tag}.a`, payload: '{}' },
      { id: randomUUID(), channel: `integration.webhook.other-${tag}.a`, payload: '{}' },
      { id: randomUUID(), channel: `integration.webhook.${tag}.b.c`, payload: '{}' },
    ]);
    t.deepEqual(accepted, [true, true, true]);
    await eventually(async () => (got.length >= 2 ? true : undefined), 'messages');
    t.deepEqual(got.sort(), [`integration.webhook.${tag}.a`, `integration.webhook.${tag}.b.c`]);
    await unsubscribe();
    t.true(await bus.ping());
  });

  test(`${name}: ? and [...] in a pattern match as Redis PSUBSCRIBE matches them`, async (t) => {
    const bus = make();
    t.teardown(() => bus.close());
    const tag = randomUUID().slice(0, 8);
    const got: string[] = [];
    const stop = [
      await bus.subscribe(`integration.webhook.${tag}.?x`, (channel) => got.push(`?:${channel}`)),
      await bus.subscribe(`integration.webhook.${tag}.[ab].y`, (channel) => got.push(`[]:${channel}`)),
      await bus.subscribe(`integration.webhook.${tag}.[^ab].y`, (channel) => got.push(`^:${channel}`)),
    ];
    const channels = ['ax', 'abx', 'x', 'a.y', 'b.y', 'c.y', '[ab].y'].map(
      (c) => `integration.webhook.${tag}.${c}`,
    );
    await bus.publish(channels.map((channel) => ({ id: randomUUID(), channel, payload: '{}' })));
    const expected = [
      `?:integration.webhook.${tag}.ax`,
      `[]:integration.webhook.${tag}.a.y`,
      `[]:integration.webhook.${tag}.b.y`,
      `^:integration.webhook.${tag}.c.y`,
    ].sort();
    await eventually(async () => (got.length >= expected.length ? true : undefined), 'messages');
    // Publish a marker last, so a late, unexpected match would have arrived before it.
    const marker = `integration.webhook.${tag}.zx`;
    await bus.publish([{ id: randomUUID(), channel: marker, payload: '{}' }]);
    await eventually(async () => (got.includes(`?:${marker}`) ? true : undefined), 'marker');
    t.deepEqual(got.filter((g) => !g.endsWith(marker)).sort(), expected);
    for (const unsubscribe of stop) await unsubscribe();
  });
}

test('script chunks hold at most 200 events and about 1 MB of payloads; a bigger event goes alone', (t) => {
  const small = (n: number) => Array.from({ length: n }, (_, i) => ({ payload: `{"n":${i}}` }));
  t.deepEqual(
    chunksOf(small(450)).map((c) => c.length),
    [200, 200, 50],
  );
  const big = Array.from({ length: 5 }, () => ({ payload: 'x'.repeat(400_000) }));
  t.deepEqual(
    chunksOf(big).map((c) => c.length),
    [2, 2, 1],
  );
  const huge = [{ payload: 'x'.repeat(3_000_000) }, ...small(3)];
  t.deepEqual(
    chunksOf(huge).map((c) => c.length),
    [1, 3],
  );
  t.deepEqual(chunksOf([]), []);
});

/** A Redis bus on its own stream key, connected, and a plain client; both closed and the stream deleted after the test. */
async function connectedBus(
  t: ExecutionContext,
  streamMaxLen = 1000,
): Promise<{ bus: RedisBus; client: Redis }> {
  const url = redisUrl ?? '';
  const bus = new RedisBus({ url, streamMaxLen, keyPrefix: testKeyPrefix() });
  const client = new Redis(url);
  t.teardown(async () => {
    await client.del(bus.streamKey);
    client.disconnect();
    await bus.close();
  });
  await eventually(async () => ((await bus.ping()) ? true : undefined), 'connected');
  return { bus, client };
}

if (redisUrl) {
  test('redis: an event published twice is appended once; a replay appends again', async (t) => {
    const { bus, client } = await connectedBus(t);
    const id = randomUUID();
    const message = { id, channel: 'integration.webhook.t.once', payload: `{"id":"${id}"}` };
    t.deepEqual(await bus.publish([message]), [true]);
    t.deepEqual(await bus.publish([message]), [true], 'a lost answer retried counts as published');
    t.is(await client.xlen(bus.streamKey), 1);
    t.deepEqual(await bus.publish([{ ...message, replay: true }]), [true]);
    t.is(await client.xlen(bus.streamKey), 2);
    const [entry] = await client.xrange(bus.streamKey, '-', '+', 'COUNT', 1);
    t.deepEqual(entry?.[1], ['channel', 'integration.webhook.t.once', 'event', `{"id":"${id}"}`]);
  });

  test('redis: a batch larger than one script call is appended in order, each event once', async (t) => {
    const { bus, client } = await connectedBus(t, 100_000);
    const messages = Array.from({ length: 450 }, (_, i) => ({
      id: randomUUID(),
      channel: `integration.webhook.t.n${i % 3}`,
      payload: JSON.stringify({ n: i }),
    }));
    t.deepEqual(
      await bus.publish(messages),
      messages.map(() => true),
    );
    // Half of them again (an answer lost mid-batch), plus new ones: only the new ones are appended.
    const fresh = Array.from({ length: 5 }, (_, i) => ({
      id: randomUUID(),
      channel: 'integration.webhook.t.late',
      payload: JSON.stringify({ late: i }),
    }));
    const again = [...messages.slice(200, 425), ...fresh];
    t.deepEqual(
      await bus.publish(again),
      again.map(() => true),
    );
    const entries = await client.xrange(bus.streamKey, '-', '+');
    t.deepEqual(
      entries.map(([, fields]) => fields[3]),
      [...messages, ...fresh].map((m) => m.payload),
    );
    t.deepEqual(entries[7]?.[1], ['channel', 'integration.webhook.t.n1', 'event', '{"n":7}']);
  });

  test('redis: a pattern subscriber receives every event of a batch of forty 1 MB payloads', async (t) => {
    const { bus } = await connectedBus(t);
    const tag = randomUUID().slice(0, 8);
    let received = 0;
    const unsubscribe = await bus.subscribe(`integration.webhook.${tag}.*`, () => received++);
    t.teardown(unsubscribe);
    const payload = JSON.stringify({ blob: 'x'.repeat(1_000_000) });
    const messages = Array.from({ length: 40 }, () => ({
      id: randomUUID(),
      channel: `integration.webhook.${tag}.big`,
      payload,
    }));
    t.deepEqual(
      await bus.publish(messages),
      messages.map(() => true),
    );
    // One script carrying all forty would queue 40 MB for the subscriber at once,
    // past Redis's 32 MB pub/sub output limit, and Redis would disconnect it.
    await eventually(async () => (received === 40 ? true : undefined), 'all forty delivered');
    t.is(received, 40);
  });

  test('redis: an append that failed leaves no marker, so the retry appends the event', async (t) => {
    const { bus, client } = await connectedBus(t);
    const message = { id: randomUUID(), channel: 'integration.webhook.t.wrongtype', payload: '{}' };
    // A key of the wrong type where the stream should be: XADD fails inside the script.
    await client.set(bus.streamKey, 'not a stream');
    t.deepEqual(await bus.publish([message]), [false]);
    t.is(await client.exists(bus.markerKey(message.id)), 0);
    await client.del(bus.streamKey);
    t.deepEqual(await bus.publish([message]), [true]);
    t.is(await client.xlen(bus.streamKey), 1);
  });

  test('redis: a marker lasts until the event could be attempted again, at least the dedup window', async (t) => {
    const { bus, client } = await connectedBus(t);
    const soon = { id: randomUUID(), channel: 'integration.webhook.t.hold', payload: '{}', holdSeconds: 60 };
    // A late retry backs off for ~17 minutes: its marker must outlive the 600 s window.
    const late = {
      id: randomUUID(),
      channel: 'integration.webhook.t.hold',
      payload: '{}',
      holdSeconds: 1056,
    };
    t.deepEqual(await bus.publish([soon, late]), [true, true]);
    const ttlSoon = await client.ttl(bus.markerKey(soon.id));
    const ttlLate = await client.ttl(bus.markerKey(late.id));
    t.true(ttlSoon > 590 && ttlSoon <= 600, `soon: ${ttlSoon}`);
    t.true(ttlLate > 1046 && ttlLate <= 1056, `late: ${ttlLate}`);
    await client.del(bus.markerKey(soon.id), bus.markerKey(late.id));
    // With the check off (PUBLISH_DEDUP_SECONDS=0) no marker is written at all.
    const off = new RedisBus({
      url: redisUrl ?? '',
      streamMaxLen: 1000,
      keyPrefix: testKeyPrefix(),
      dedupSeconds: 0,
    });
    t.teardown(async () => {
      await client.del(off.streamKey);
      await off.close();
    });
    await eventually(async () => ((await off.ping()) ? true : undefined), 'connected');
    const unmarked = { ...late, id: randomUUID() };
    t.deepEqual(await off.publish([unmarked]), [true]);
    t.is(await client.exists(off.markerKey(unmarked.id)), 0);
  });

  test('redis: publishing while Redis is unreachable fails fast, per message', async (t) => {
    const bus = new RedisBus({ url: 'redis://127.0.0.1:1', streamMaxLen: 10 });
    t.teardown(() => bus.close());
    t.deepEqual(await bus.publish([{ id: 'x', channel: 'c', payload: '{}' }]), [false]);
    t.false(await bus.ping());
  });
}
