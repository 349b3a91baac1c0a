/**
 * Webhook ingest end to end through the real wiring: HTTP (inject and a real
 * socket), verification, group commit into Postgres, publishing to Redis.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import test from 'ava';
import { Redis } from 'ioredis';
import Stripe from 'stripe';
import { SourceService } from '../../src/services/sources.js';
import { createOrm } from '../../src/store/sequelize.js';
import { SourceRepository } from '../../src/store/source-repository.js';
import { testRedisUrl } from '../helpers/redis.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const STRIPE_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const MAX_BODY = 4096;
const redisUrl = testRedisUrl();
let ctx: TestRuntime;
let sources: SourceService;
let closeOrm: () => Promise<void>;
let subscriber: Redis | undefined;
const published: Array<{ channel: string; message: Record<string, unknown> }> = [];

test.before(async () => {
  ctx = await testRuntime({
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
    ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
  });
  const orm = createOrm(ctx.db.url, 2);
  closeOrm = () => orm.close();
  sources = new SourceService(new SourceRepository(orm.models));
  const record = (channel: string, payload: string) => {
    const message = JSON.parse(payload) as Record<string, unknown>;
    // Only this file's events: they carry this file's database-generated ids.
    published.push({ channel, message });
  };
  if (redisUrl) {
    subscriber = new Redis(redisUrl);
    subscriber.on('pmessage', (_p: string, channel: string, payload: string) => record(channel, payload));
    await subscriber.psubscribe('integration.webhook.*');
  } else {
    await ctx.runtime.bus.subscribe('integration.webhook.*', record);
  }
});

test.after.always(async () => {
  subscriber?.disconnect();
  await closeOrm?.();
  await ctx?.close();
});

function stripeDelivery(id = `evt_${randomBytes(8).toString('hex')}`, extra: Record<string, unknown> = {}) {
  const body = JSON.stringify({
    id,
    object: 'event',
    type: 'payment_intent.succeeded',
    data: { object: { amount: 2000 } },
    ...extra,
  });
  return {
    id,
    body,
    signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }),
  };
}

function postStripe(body: string | Buffer, signature: string, headers: Record<string, string> = {}) {
  return ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/stripe',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature, ...headers },
    payload: body,
  });
}

async function row(id: string) {
  const r = await ctx.db.pool.query<{
    status: string;
    raw_body: Buffer;
    headers: Record<string, string>;
    event_id: string;
    event_type: string;
    tenant_id: string | null;
    published_at: Date | null;
    payload: unknown;
  }>('SELECT * FROM webhook_events WHERE id = $1', [id]);
  return r.rows[0];
}

const publishedFor = (eventUuid: string) =>
  published.filter((p) => (p.message.data as { id?: string } | undefined)?.id === eventUuid);

test('a Stripe webhook is stored byte for byte before 202, then published and completed', async (t) => {
  const d = stripeDelivery();
  const res = await postStripe(d.body, d.signature, { 'x-management-company-id': 'uk_company_1' });
  t.is(res.statusCode, 202, res.body);
  const answer = res.json<{ status: string; event_id: string }>();
  t.is(answer.status, 'accepted');
  const stored = await row(answer.event_id);
  t.truthy(stored, 'the row exists as soon as the answer does');
  t.true(stored?.raw_body.equals(Buffer.from(d.body)));
  t.is(stored?.event_id, d.id);
  t.is(stored?.event_type, 'payment_intent.succeeded');
  t.is(stored?.tenant_id, 'uk_company_1');
  t.is(stored?.headers['stripe-signature'], undefined, 'signature headers are not stored');
  t.is(stored?.headers['content-type'], 'application/json');
  const done = await eventually(async () => {
    const r = await row(answer.event_id);
    return r?.status === 'completed' ? r : undefined;
  }, 'completed');
  t.truthy(done.published_at);
  const messages = await eventually(
    async () => (publishedFor(answer.event_id).length > 0 ? publishedFor(answer.event_id) : undefined),
    'publish',
  );
  t.is(messages.length, 1);
  t.is(messages[0]?.channel, 'integration.webhook.stripe.payment_intent.succeeded');
  t.like(messages[0]?.message, {
    event_type: 'webhook.stripe.payment_intent.succeeded',
    source: 'integration_service',
    tenant_id: 'uk_company_1',
    data: { event_id: d.id, id: answer.event_id, source: 'stripe', event_type: 'payment_intent.succeeded' },
  });
  t.deepEqual((messages[0]?.message.data as { payload: unknown }).payload, JSON.parse(d.body));
});

test('a redelivery is 200 duplicate with the first event id', async (t) => {
  const d = stripeDelivery();
  const first = await postStripe(d.body, d.signature);
  const again = await postStripe(
    d.body,
    Stripe.webhooks.generateTestHeaderString({ payload: d.body, secret: STRIPE_SECRET }),
  );
  t.is(first.statusCode, 202);
  t.is(again.statusCode, 200);
  t.deepEqual(again.json(), { status: 'duplicate', event_id: first.json<{ event_id: string }>().event_id });
});

test('100 concurrent deliveries of one event store one row, publish once, and all get 2xx', async (t) => {
  const d = stripeDelivery();
  const answers = await Promise.all(Array.from({ length: 100 }, () => postStripe(d.body, d.signature)));
  t.true(answers.every((a) => a.statusCode === 202 || a.statusCode === 200));
  t.is(answers.filter((a) => a.statusCode === 202).length, 1);
  t.is(answers.filter((a) => a.json<{ status: string }>().status === 'duplicate').length, 99);
  const ids = new Set(answers.map((a) => a.json<{ event_id: string }>().event_id));
  t.is(ids.size, 1);
  const count = await ctx.db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM webhook_events WHERE source = 'stripe' AND event_id = $1",
    [d.id],
  );
  t.is(count.rows[0]?.n, 1);
  const [id] = [...ids];
  await eventually(
    async () => ((await row(id ?? ''))?.status === 'completed' ? true : undefined),
    'completed',
  );
  await eventually(async () => (publishedFor(id ?? '').length > 0 ? true : undefined), 'publish');
  t.is(publishedFor(id ?? '').length, 1);
});

test('bad signatures are 401 and store nothing', async (t) => {
  const d = stripeDelivery();
  for (const [signature, body] of [
    ['', d.body],
    ['t=abc,v1=zz', d.body],
    [d.signature.slice(0, -8), d.body],
    [d.signature, d.body.replace('2000', '2001')],
    [Stripe.webhooks.generateTestHeaderString({ payload: d.body, secret: 'whsec_wrong' }), d.body],
  ] as const) {
    const res = await postStripe(body, signature);
    t.is(res.statusCode, 401);
    t.is(res.json<{ error: { code: string } }>().error.code, 'INVALID_SIGNATURE');
  }
  const stale = Stripe.webhooks.generateTestHeaderString({
    payload: d.body,
    secret: STRIPE_SECRET,
    timestamp: Math.floor(Date.now() / 1000) - 400,
  });
  const future = Stripe.webhooks.generateTestHeaderString({
    payload: d.body,
    secret: STRIPE_SECRET,
    timestamp: Math.floor(Date.now() / 1000) + 400,
  });
  t.is(
    (await postStripe(d.body, stale)).json<{ error: { code: string } }>().error.code,
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
  t.is((await postStripe(d.body, future)).statusCode, 401);
  const stored = await ctx.db.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM webhook_events WHERE event_id = $1',
    [d.id],
  );
  t.is(stored.rows[0]?.n, 0);
});

test('a delivery sent again under another Content-Type or tenant is the same event, not a new one', async (t) => {
  const body = JSON.stringify({ id: `evt_${randomBytes(6).toString('hex')}`, type: 'charge.succeeded' });
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
  const first = await postStripe(body, signature);
  t.is(first.statusCode, 202);
  const id = first.json<{ event_id: string }>().event_id;
  // Neither header is signed: a replay that changes them must still be a duplicate.
  for (const headers of <Array<Record<string, string>>>[
    { 'content-type': 'text/plain' },
    { 'content-type': 'application/x-www-form-urlencoded' },
    { 'content-type': 'application/octet-stream', 'x-tenant-id': 'someone-else' },
  ]) {
    const again = await postStripe(body, signature, headers);
    t.is(again.statusCode, 200, JSON.stringify(headers));
    t.deepEqual(again.json(), { status: 'duplicate', event_id: id });
  }
});

test('a Content-Type fastify cannot parse is no reason to refuse a delivery: stored as sent', async (t) => {
  await sources.add({ name: 'odd-labels', scheme: 'none' });
  for (const [i, label] of ['foo', '/', ';', 'application/', 'application/json, text/plain'].entries()) {
    const res = await ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/odd-labels',
      headers: { 'content-type': label },
      payload: JSON.stringify({ event_id: `odd-${i}` }),
    });
    t.is(res.statusCode, 202, `${label}: ${res.body}`);
    const stored = await ctx.db.pool.query<{ content_type: string; event_id: string }>(
      'SELECT content_type, event_id FROM webhook_events WHERE id = $1',
      [res.json<{ event_id: string }>().event_id],
    );
    t.deepEqual(stored.rows[0], { content_type: label, event_id: `odd-${i}` });
  }
  // An empty label is no label: a JSON body is then read as JSON.
  const unlabelled = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/odd-labels',
    headers: { 'content-type': '' },
    payload: JSON.stringify({ event_id: 'odd-empty' }),
  });
  t.is(unlabelled.statusCode, 202, unlabelled.body);
  t.like(await row(unlabelled.json<{ event_id: string }>().event_id), {
    event_id: 'odd-empty',
    payload: { event_id: 'odd-empty' },
  });
});

test('form-like text not labelled as a form is not read for ids: two such bodies stay two events', async (t) => {
  await sources.add({ name: 'plain-text', scheme: 'none' });
  const send = (body: string, type: string) =>
    ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/plain-text',
      headers: { 'content-type': type },
      payload: body,
    });
  const open = await send('id=1&state=open', 'text/plain');
  const closed = await send('id=1&state=closed', 'text/plain');
  t.is(open.statusCode, 202);
  t.is(closed.statusCode, 202, 'not a duplicate of the first');
  // Labelled as a form, the id field is the provider's id: the same id is the same event.
  t.is((await send('id=7&state=open', 'application/x-www-form-urlencoded')).statusCode, 202);
  t.is((await send('id=7&state=closed', 'application/x-www-form-urlencoded')).statusCode, 200);
});

test('malformed JSON with a valid signature is 400 MALFORMED_BODY; an empty body too', async (t) => {
  const body = '{"id": "evt_bad", "type": ';
  const res = await postStripe(
    body,
    Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET }),
  );
  t.is(res.statusCode, 400);
  t.is(res.json<{ error: { code: string } }>().error.code, 'MALFORMED_BODY');
  const empty = await postStripe(
    '',
    Stripe.webhooks.generateTestHeaderString({ payload: '', secret: STRIPE_SECRET }),
  );
  t.is(empty.statusCode, 400);
  t.is(empty.json<{ error: { code: string } }>().error.code, 'MALFORMED_BODY');
  const stored = await ctx.db.pool.query(
    "SELECT 1 FROM webhook_events WHERE source = 'stripe' AND (dedup_key = 'evt_bad' OR raw_body = '')",
  );
  t.is(stored.rowCount, 0, 'neither is stored');
  t.is((await ctx.runtime.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});

test('a body at the limit is accepted; one byte over is 413', async (t) => {
  await sources.add({ name: 'limit-check', scheme: 'none' });
  const fill = (size: number) => {
    const head = `{"event_id":"e-${size}","pad":"`;
    return `${head}${'x'.repeat(size - head.length - 2)}"}`;
  };
  const exact = fill(MAX_BODY);
  t.is(Buffer.byteLength(exact), MAX_BODY);
  const ok = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/limit-check',
    headers: { 'content-type': 'application/json' },
    payload: exact,
  });
  t.is(ok.statusCode, 202, ok.body);
  const over = fill(MAX_BODY + 1);
  const big = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/limit-check',
    headers: { 'content-type': 'application/json' },
    payload: over,
  });
  t.is(big.statusCode, 413);
  t.is(big.json<{ error: { code: string } }>().error.code, 'PAYLOAD_TOO_LARGE');
});

test('unknown sources, path characters and 500-character names are 404 UNKNOWN_SOURCE', async (t) => {
  for (const url of [
    '/api/v1/webhooks/generic/nope',
    `/api/v1/webhooks/generic/${'a'.repeat(500)}`,
    '/api/v1/webhooks/generic/..%2F..%2Fetc',
    '/api/v1/webhooks/generic/UPPER',
    '/api/v1/webhooks/yandex/maps',
    // Past the router's 1,000-character limit for a path segment.
    `/api/v1/webhooks/generic/${'a'.repeat(1001)}`,
  ]) {
    const res = await ctx.runtime.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    t.is(res.statusCode, 404, url);
    t.is(res.json<{ error: { code: string } }>().error.code, 'UNKNOWN_SOURCE', url);
    t.truthy(res.headers['x-request-id']);
  }
  // A URL that cannot be decoded: 400 in the same shape, not fastify's own.
  const bad = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/%E0%A4%A',
    payload: '{}',
  });
  t.is(bad.statusCode, 400);
  t.is(bad.json<{ error: { code: string } }>().error.code, 'BAD_REQUEST');
  t.truthy(bad.headers['x-request-id']);
});

test('form-encoded bodies are verified on the raw bytes and stored raw', async (t) => {
  const { generatedSecret } = await sources.add({
    name: 'form-src',
    scheme: 'hmac',
    options: { dedupPath: 'delivery' },
  });
  const body = 'delivery=f-1&amount=10&note=caf%C3%A9';
  const { createHmac } = await import('node:crypto');
  const sig = createHmac('sha256', generatedSecret ?? '')
    .update(body)
    .digest('hex');
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/form-src',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-signature': sig },
    payload: body,
  });
  t.is(res.statusCode, 202, res.body);
  const stored = await row(res.json<{ event_id: string }>().event_id);
  t.is(stored?.raw_body.toString(), body);
  t.deepEqual(stored?.payload, { delivery: 'f-1', amount: '10', note: 'café' });
});

test('bodies that are not UTF-8 text, or hold NUL bytes, are stored byte for byte', async (t) => {
  await sources.add({ name: 'binary-src', scheme: 'none', options: { dedupHeader: 'x-delivery' } });
  for (const [i, body] of [
    Buffer.from([0xff, 0xfe, 0x41, 0x00, 0x42]),
    Buffer.from('caf\u00e9\u0000!', 'utf8'),
    Buffer.from([0xc3, 0x28]),
  ].entries()) {
    const res = await ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/binary-src',
      headers: { 'content-type': 'application/octet-stream', 'x-delivery': `bin-${i}` },
      payload: body,
    });
    t.is(res.statusCode, 202, res.body);
    const stored = await row(res.json<{ event_id: string }>().event_id);
    t.true(stored?.raw_body.equals(body), `body ${i}`);
    t.is(stored?.payload, null);
  }
});

test('a JSON body with bytes that are not UTF-8 keeps them raw; its payload has U+FFFD', async (t) => {
  await sources.add({ name: 'latin-json', scheme: 'none', options: { dedupHeader: 'x-delivery' } });
  // {"note":"caf<0xe9>","id":"l-1"}: Latin-1 é, which JSON.parse reads as U+FFFD.
  const body = Buffer.concat([
    Buffer.from('{"note":"caf'),
    Buffer.from([0xe9]),
    Buffer.from('","id":"l-1"}'),
  ]);
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/latin-json',
    headers: { 'content-type': 'application/json', 'x-delivery': 'l-1' },
    payload: body,
  });
  t.is(res.statusCode, 202, res.body);
  const stored = await row(res.json<{ event_id: string }>().event_id);
  t.true(stored?.raw_body.equals(body));
  t.deepEqual(stored?.payload, { note: 'caf\ufffd', id: 'l-1' });
});

test('a rotated-out secret is refused after its grace period; the new one verifies', async (t) => {
  const { generatedSecret: old } = await sources.add({ name: 'rotating', scheme: 'token' });
  const { secret: fresh } = await sources.rotateSecret('rotating', { graceMs: 0 });
  const send = (token: string) =>
    ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/rotating',
      headers: { 'content-type': 'application/json', 'x-webhook-token': token },
      payload: JSON.stringify({ event_id: randomBytes(4).toString('hex') }),
    });
  t.is((await send(old ?? '')).statusCode, 401);
  t.is((await send(fresh)).statusCode, 202);
});

test('a tenant header that is not a tenant id is 400 INVALID_TENANT, never cut short into another tenant', async (t) => {
  await sources.add({ name: 'tenanted', scheme: 'none' });
  const send = (tenant: string) =>
    ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/tenanted',
      headers: { 'content-type': 'application/json', 'x-tenant-id': tenant },
      payload: JSON.stringify({ event_id: randomBytes(6).toString('hex') }),
    });
  const longest = `t${'x'.repeat(127)}`;
  for (const bad of [`${longest}y`, 'a:b', 'tenant*', '-leading-dash', 'caf\u00e9']) {
    const res = await send(bad);
    t.is(res.statusCode, 400, bad);
    t.is(res.json<{ error: { code: string } }>().error.code, 'INVALID_TENANT');
  }
  const ok = await send(longest);
  t.is(ok.statusCode, 202);
  t.is((await row(ok.json<{ event_id: string }>().event_id))?.tenant_id, longest);
  t.is(
    (await ctx.db.pool.query("SELECT 1 FROM webhook_events WHERE source = 'tenanted'")).rowCount,
    1,
    'nothing stored for the refused ones',
  );
});

test('a source saved with a tenant id from before the tenant rule still takes deliveries under a rate limit', async (t) => {
  await sources.add({ name: 'legacy-tenant', scheme: 'none', rateLimitPerMinute: 600 });
  await ctx.db.pool.query("UPDATE webhook_configs SET tenant_id = 'Acme Corp' WHERE name = 'legacy-tenant'");
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/legacy-tenant',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ event_id: randomBytes(6).toString('hex') }),
  });
  t.is(res.statusCode, 202, res.body);
  t.is((await row(res.json<{ event_id: string }>().event_id))?.tenant_id, 'Acme Corp');
});

test("events of the source's own tenant share one budget, with or without the tenant header", async (t) => {
  const tenant = `own-${randomBytes(4).toString('hex')}`;
  await sources.add({ name: 'limited-own', scheme: 'none', rateLimitPerMinute: 2, tenantId: tenant });
  const send = (headers: Record<string, string>) =>
    ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/limited-own',
      headers: { 'content-type': 'application/json', ...headers },
      payload: JSON.stringify({ event_id: randomBytes(6).toString('hex') }),
    });
  t.is((await send({})).statusCode, 202);
  t.is((await send({})).statusCode, 202);
  t.is((await send({ 'x-tenant-id': tenant })).statusCode, 429, 'the same tenant, named: no second budget');
});

test('a source over its rate_limit_per_minute gets 429 with Retry-After, per tenant; /health is never limited', async (t) => {
  await sources.add({ name: 'limited', scheme: 'none', rateLimitPerMinute: 2 });
  const send = (tenant: string) =>
    ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/limited',
      headers: { 'content-type': 'application/json', 'x-management-company-id': tenant },
      payload: JSON.stringify({ event_id: randomBytes(6).toString('hex') }),
    });
  // Budgets live in Redis across runs: tenants of this run's own.
  const [t1, t2] = [`t1-${randomBytes(4).toString('hex')}`, `t2-${randomBytes(4).toString('hex')}`];
  t.is((await send(t1)).statusCode, 202);
  t.is((await send(t1)).statusCode, 202);
  const limited = await send(t1);
  t.is(limited.statusCode, 429);
  t.is(limited.json<{ error: { code: string } }>().error.code, 'RATE_LIMITED');
  t.true(Number(limited.headers['retry-after']) >= 1);
  t.is((await send(t2)).statusCode, 202, 'another tenant has its own budget');
  for (let i = 0; i < 10; i++)
    t.is((await ctx.runtime.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});

test('Drive push notifications: sync is stored and acknowledged but not published', async (t) => {
  await sources.add({
    name: 'google_sheets',
    scheme: 'google-drive',
    secret: 'drive-channel-token-1',
    tenantId: 'uk_company_2',
  });
  const headers = {
    'x-goog-channel-id': 'chan-9',
    'x-goog-channel-token': 'drive-channel-token-1',
    'x-goog-message-number': '1',
    'x-goog-resource-state': 'sync',
  };
  const sync = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/google/sheets',
    headers,
  });
  t.is(sync.statusCode, 202, sync.body);
  const syncId = sync.json<{ event_id: string }>().event_id;
  // A push as Google documents it: labelled JSON, with an empty body.
  const update = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/google/sheets',
    headers: {
      ...headers,
      'content-type': 'application/json; utf-8',
      'content-length': '0',
      'x-goog-channel-expiration': 'Tue, 19 Nov 2030 01:13:52 GMT',
      'x-goog-resource-id': 'ret08u3rv24htgh289g',
      'x-goog-resource-uri': 'https://www.googleapis.com/drive/v3/files/ret08u3rv24htgh289g',
      'x-goog-changed': 'content,properties',
      'x-goog-message-number': '2',
      'x-goog-resource-state': 'update',
    },
  });
  t.is(update.statusCode, 202, update.body);
  const updateId = update.json<{ event_id: string }>().event_id;
  await eventually(async () => (publishedFor(updateId).length > 0 ? true : undefined), 'update published');
  t.is(publishedFor(updateId)[0]?.channel, 'integration.webhook.google_sheets.sheets.update');
  t.is((publishedFor(updateId)[0]?.message as { tenant_id: string }).tenant_id, 'uk_company_2');
  const syncRow = await row(syncId);
  t.is(syncRow?.status, 'completed');
  t.is(syncRow?.published_at, null);
  t.is(publishedFor(syncId).length, 0);
  // Without a message number there is no dedup key: refused, nothing stored.
  const { 'x-goog-message-number': _number, ...unnumbered } = headers;
  // Counted for this source only: the file's other tests store events at the same time.
  const before = await ctx.db.pool.query("SELECT 1 FROM webhook_events WHERE source = 'google_sheets'");
  const refused = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/google/sheets',
    headers: { ...unnumbered, 'x-goog-resource-state': 'update' },
  });
  t.is(refused.statusCode, 401);
  t.is(refused.json<{ error: { code: string } }>().error.code, 'INVALID_SIGNATURE');
  t.is(
    (await ctx.db.pool.query("SELECT 1 FROM webhook_events WHERE source = 'google_sheets'")).rowCount,
    before.rowCount,
  );
});

test('over a real socket: chunked bodies without a length and non-ASCII header bytes are handled', async (t) => {
  await sources.add({ name: 'socket-src', scheme: 'none' });
  const address = await ctx.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const url = new URL('/api/v1/webhooks/generic/socket-src', address);
  const send = (headers: Record<string, string>, chunks: string[]) =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const r = http.request(url, { method: 'POST', headers }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      r.on('error', reject);
      for (const c of chunks) r.write(c);
      r.end();
    });
  const chunked = await send({ 'content-type': 'application/json', 'transfer-encoding': 'chunked' }, [
    '{"event_id":',
    '"chunked-1",',
    '"n":1}',
  ]);
  t.is(chunked.status, 202, chunked.body);
  const stored = await row((JSON.parse(chunked.body) as { event_id: string }).event_id);
  t.is(stored?.raw_body.toString(), '{"event_id":"chunked-1","n":1}');
  const tooBig = await send(
    { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
    Array.from({ length: 10 }, () => 'x'.repeat(1000)),
  );
  t.is(tooBig.status, 413);
  const latin1 = await send(
    { 'content-type': 'application/json', 'x-note': Buffer.from('caf\u00e9', 'latin1').toString('binary') },
    ['{"event_id":"latin-1"}'],
  );
  t.is(latin1.status, 202, latin1.body);
  // What Node cannot parse as HTTP still gets the JSON error shape, then the connection closes.
  const raw = (request: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = net.connect(Number(url.port), '127.0.0.1', () => socket.end(request));
      let answer = '';
      socket.on('data', (c: Buffer) => (answer += c.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  const huge = await raw(`POST ${url.pathname} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  t.regex(huge, /^HTTP\/1\.1 431 /);
  t.true(
    huge.endsWith('{"error":{"code":"BAD_REQUEST","message":"the request headers are too large"}}'),
    huge,
  );
  const garbage = await raw('NOT HTTP AT ALL\r\n\r\n');
  t.regex(garbage, /^HTTP\/1\.1 400 [\s\S]*"code":"BAD_REQUEST"/);
});
