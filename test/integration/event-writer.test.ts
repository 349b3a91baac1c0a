/**
 * The group-commit writer against a real Postgres: rows that arrive together
 * share one INSERT, within both the row and the byte limit of a batch, and
 * every caller learns its own row's fate.
 */
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { createLogger } from '../../src/lib/logger.js';
import { EventWriter } from '../../src/store/event-writer.js';
import type { NewEvent } from '../../src/services/ports.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';

let db: TestDatabase;
test.before(async () => {
  db = await createTestDatabase();
});
test.after.always(async () => {
  await db?.drop();
});

function row(source: string, dedupKey: string, body: Buffer, payloadJson: string | null): NewEvent {
  return {
    id: randomUUID(),
    source,
    eventId: dedupKey,
    dedupKey,
    eventType: 'test.event',
    tenantId: null,
    contentType: 'application/json',
    rawBody: body,
    payloadJson,
    payloadIsBody: payloadJson !== null && payloadJson === body.toString('utf8'),
    headersJson: JSON.stringify({ 'x-n': dedupKey }),
    status: 'completed',
    maxRetries: 3,
  };
}

/** A writer with this byte limit per batch, and the sizes of the batches it sends. */
function writerWithByteLimit(maxBatchBytes: number): { writer: EventWriter; batches: number[] } {
  const batches: number[] = [];
  const writer = new EventWriter(db.pool, {
    log: createLogger('silent'),
    lease: { owner: null, seconds: 60 },
    maxBatchBytes,
    onBatch: (n) => batches.push(n),
  });
  return { writer, batches };
}

test('a batch stops at its byte limit; every row is stored with its own slices', async (t) => {
  const { writer, batches } = writerWithByteLimit(2500);
  const source = `bytes-${randomUUID().slice(0, 6)}`;
  const rows = Array.from({ length: 6 }, (_, i) => {
    const text = JSON.stringify({ n: i, pad: 'é'.repeat(400) });
    // Row 3's payload is not its body (a form-like body with a derived payload).
    return i === 3
      ? row(source, `k${i}`, Buffer.from(`n=${i}`), JSON.stringify({ n: String(i) }))
      : row(source, `k${i}`, Buffer.from(text), text);
  });
  const results = await Promise.all(rows.map((r) => writer.write(r)));
  t.deepEqual(
    results.map((r) => r.duplicate),
    rows.map(() => false),
  );
  // Each row counts body + payload (when not the body) + headers: 820 + 12 = 832
  // for the JSON rows, 3 + 9 + 12 = 24 for row 3. A 2,500-byte limit takes rows
  // 0-2 (2,496), then 3-5.
  t.deepEqual(batches, [3, 3]);
  const stored = await db.pool.query<{
    dedup_key: string;
    raw_body: Buffer;
    payload: unknown;
    headers: unknown;
  }>(
    'SELECT dedup_key, raw_body, payload, headers FROM webhook_events WHERE source = $1 ORDER BY dedup_key',
    [source],
  );
  t.is(stored.rows.length, 6);
  for (const [i, r] of stored.rows.entries()) {
    t.true(r.raw_body.equals(rows[i]!.rawBody), `raw body of k${i}`);
    t.deepEqual(r.payload, JSON.parse(rows[i]!.payloadJson!), `payload of k${i}`);
    t.deepEqual(r.headers, { 'x-n': `k${i}` });
  }
});

test('a body larger than the byte limit still goes, in a batch of its own', async (t) => {
  const { writer, batches } = writerWithByteLimit(100);
  const source = `big-${randomUUID().slice(0, 6)}`;
  const big = JSON.stringify({ big: 'x'.repeat(1000) });
  const results = await Promise.all([
    writer.write(row(source, 'a', Buffer.from(big), big)),
    writer.write(row(source, 'b', Buffer.from(big), big)),
  ]);
  t.deepEqual(
    results.map((r) => r.duplicate),
    [false, false],
  );
  t.deepEqual(batches, [1, 1]);
});

test('a row to publish is stored processing when leased at insert, pending when left to the claim', async (t) => {
  const source = `lease-${randomUUID().slice(0, 6)}`;
  const toPublish = (key: string): NewEvent => ({
    ...row(source, key, Buffer.from('{}'), '{}'),
    status: 'pending',
  });
  const leased = new EventWriter(db.pool, {
    log: createLogger('silent'),
    lease: { owner: 'worker-a', seconds: 60 },
  });
  const unleased = new EventWriter(db.pool, {
    log: createLogger('silent'),
    lease: { owner: null, seconds: 60 },
  });
  await leased.write(toPublish('held'));
  await unleased.write(toPublish('waiting'));
  await leased.write({ ...row(source, 'stored-only', Buffer.from('{}'), '{}'), status: 'completed' });
  const stored = await db.pool.query<{
    dedup_key: string;
    status: string;
    locked_by: string | null;
    leased: boolean;
  }>(
    `SELECT dedup_key, status, locked_by, locked_until > now() AS leased
       FROM webhook_events WHERE source = $1 ORDER BY dedup_key`,
    [source],
  );
  t.deepEqual(stored.rows, [
    { dedup_key: 'held', status: 'processing', locked_by: 'worker-a', leased: true },
    { dedup_key: 'stored-only', status: 'completed', locked_by: null, leased: null },
    { dedup_key: 'waiting', status: 'pending', locked_by: null, leased: null },
  ]);
});

test('valid JSON that jsonb refuses is stored without its payload, raw bytes kept; its neighbours are untouched', async (t) => {
  const source = `jsonb-${randomUUID().slice(0, 6)}`;
  const writer = new EventWriter(db.pool, {
    log: createLogger('silent'),
    lease: { owner: null, seconds: 60 },
  });
  // A NUL escape in a key (values are cleaned at ingest; jsonb refuses it anywhere) and nesting deeper than Postgres's stack.
  const nulKey = '{"a\\u0000b":1}';
  const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const rows = [
    row(source, 'ok-1', Buffer.from('{"n":1}'), '{"n":1}'),
    row(source, 'nul-key', Buffer.from(nulKey), nulKey),
    row(source, 'deep', Buffer.from(deep), deep),
    row(source, 'ok-2', Buffer.from('{"n":2}'), '{"n":2}'),
  ];
  const results = await Promise.all(rows.map((r) => writer.write(r)));
  t.deepEqual(
    results.map((r) => r.duplicate),
    [false, false, false, false],
  );
  const stored = await db.pool.query<{ dedup_key: string; raw_body: Buffer; payload: unknown }>(
    'SELECT dedup_key, raw_body, payload FROM webhook_events WHERE source = $1',
    [source],
  );
  const byKey = new Map(stored.rows.map((r) => [r.dedup_key, r]));
  t.deepEqual(byKey.get('ok-1')?.payload, { n: 1 });
  t.deepEqual(byKey.get('ok-2')?.payload, { n: 2 });
  for (const [key, text] of [
    ['nul-key', nulKey],
    ['deep', deep],
  ] as const) {
    t.is(byKey.get(key)?.payload, null, key);
    t.true(byKey.get(key)?.raw_body.equals(Buffer.from(text)), key);
  }
  // What the processor will publish is what was stored; the caller's rows are left as they were.
  const storedOf = (i: number) => {
    const result = results[i];
    return result !== undefined && !result.duplicate ? result.stored : undefined;
  };
  t.is(storedOf(0)?.payloadJson, '{"n":1}');
  t.is(storedOf(1)?.payloadJson, null);
  t.true(storedOf(1)?.rawBody?.equals(Buffer.from(nulKey)));
  t.is(storedOf(2)?.payloadJson, null);
  t.is(rows[1]?.payloadJson, nulKey);
});
