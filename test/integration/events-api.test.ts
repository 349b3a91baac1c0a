import test from 'ava';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const TOKEN = 'admin-token-0123456789abcdef';
let ctx: TestRuntime;

test.before(async () => {
  ctx = await testRuntime({ ADMIN_TOKEN: TOKEN });
  await ctx.db.pool.query(
    "INSERT INTO webhook_configs (name, scheme, tenant_id) VALUES ('shop', 'none', 'uk_company_1')",
  );
});
test.after.always(() => ctx?.close());

const auth = { authorization: `Bearer ${TOKEN}` };

async function ingest(eventId: string): Promise<string> {
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/shop',
    headers: { 'content-type': 'application/json', authorization: 'Bearer provider-token-not-stored' },
    payload: JSON.stringify({ event_id: eventId, type: 'order.paid', total: 10 }),
  });
  return res.json<{ event_id: string }>().event_id;
}

test('GET event shows status, payload, redacted headers and every attempt', async (t) => {
  const id = await ingest('e-details');
  await eventually(async () => {
    const r = await ctx.runtime.app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/events/${id}`,
      headers: auth,
    });
    return r.json<{ status: string }>().status === 'completed' ? r : undefined;
  }, 'completed');
  const res = await ctx.runtime.app.inject({
    method: 'GET',
    url: `/api/v1/webhooks/events/${id}`,
    headers: auth,
  });
  t.is(res.statusCode, 200);
  const body = res.json<
    Record<string, unknown> & { attempts: Array<Record<string, unknown>>; headers: Record<string, string> }
  >();
  t.like(body, {
    id,
    source: 'shop',
    event_id: 'e-details',
    event_type: 'order.paid',
    tenant_id: 'uk_company_1',
    status: 'completed',
    retry_count: 0,
  });
  t.deepEqual(body.payload, { event_id: 'e-details', type: 'order.paid', total: 10 });
  t.is(body.headers.authorization, undefined);
  t.is(body.attempts.length, 1);
  t.like(body.attempts[0], { attempt: 1, outcome: 'completed', error: null });
});

test('admin endpoints refuse missing, wrong, empty, overlong and last-byte-different tokens', async (t) => {
  const id = await ingest('e-auth');
  const url = `/api/v1/webhooks/events/${id}`;
  for (const headers of [
    {},
    { authorization: 'Bearer wrong' },
    { authorization: 'Bearer ' },
    { authorization: `Bearer ${'x'.repeat(10_000)}` },
    { authorization: `Bearer ${TOKEN.slice(0, -1)}g` },
    { 'x-service-token': `${TOKEN}x` },
  ]) {
    const res = await ctx.runtime.app.inject({ method: 'GET', url, headers });
    t.is(res.statusCode, 401);
    t.is(res.json<{ error: { code: string } }>().error.code, 'UNAUTHORIZED');
  }
  t.is(
    (await ctx.runtime.app.inject({ method: 'GET', url, headers: { 'x-service-token': TOKEN } })).statusCode,
    200,
  );
});

test("a caller naming a tenant cannot read or retry another tenant's events", async (t) => {
  const id = await ingest('e-tenant');
  const url = `/api/v1/webhooks/events/${id}`;
  const own = await ctx.runtime.app.inject({
    method: 'GET',
    url,
    headers: { ...auth, 'x-management-company-id': 'uk_company_1' },
  });
  t.is(own.statusCode, 200);
  for (const headers of [
    { 'x-management-company-id': 'uk_company_2' },
    { 'x-tenant-id': 'uk_company_2' },
    // An empty first header is absent: the alias still scopes the call.
    { 'x-management-company-id': '', 'x-tenant-id': 'uk_company_2' },
  ]) {
    const other = await ctx.runtime.app.inject({ method: 'GET', url, headers: { ...auth, ...headers } });
    t.is(other.statusCode, 404);
    t.is(other.json<{ error: { code: string } }>().error.code, 'EVENT_NOT_FOUND');
    const retry = await ctx.runtime.app.inject({
      method: 'POST',
      url: `${url}/retry`,
      headers: { ...auth, ...headers },
    });
    t.is(retry.statusCode, 404);
  }
});

test('unknown and malformed event ids are 404 EVENT_NOT_FOUND', async (t) => {
  for (const id of ['00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
    const res = await ctx.runtime.app.inject({
      method: 'GET',
      url: `/api/v1/webhooks/events/${id}`,
      headers: auth,
    });
    t.is(res.statusCode, 404);
    t.is(res.json<{ error: { code: string } }>().error.code, 'EVENT_NOT_FOUND');
    const retry = await ctx.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/events/${id}/retry`,
      headers: auth,
    });
    t.is(retry.statusCode, 404);
  }
});

test('POST retry ignores whatever body a client sends with it', async (t) => {
  const id = await ingest('e-retry-body');
  const completed = () =>
    eventually(async () => {
      const r = await ctx.db.pool.query<{ status: string }>(
        'SELECT status FROM webhook_events WHERE id = $1',
        [id],
      );
      return r.rows[0]?.status === 'completed' ? true : undefined;
    }, 'completed');
  for (const [type, payload] of [
    ['application/x-www-form-urlencoded', ''], // curl -X POST -d ''
    ['application/json', ''],
    ['application/json', '{"reason":"manual"}'],
    ['text/plain', 'please'],
    ['foo', 'a label fastify cannot parse'],
  ] as const) {
    await completed();
    const res = await ctx.runtime.app.inject({
      method: 'POST',
      url: `/api/v1/webhooks/events/${id}/retry`,
      headers: { ...auth, 'content-type': type },
      payload,
    });
    t.is(res.statusCode, 202, `${type} ${JSON.stringify(payload)}: ${res.body}`);
  }
});

test('POST retry publishes the event again and records a second attempt', async (t) => {
  const id = await ingest('e-retry');
  await eventually(async () => {
    const r = await ctx.db.pool.query<{ status: string }>('SELECT status FROM webhook_events WHERE id = $1', [
      id,
    ]);
    return r.rows[0]?.status === 'completed' ? true : undefined;
  }, 'completed');
  const published: string[] = [];
  const unsubscribe = await ctx.runtime.bus.subscribe('integration.webhook.shop.*', (_c, payload) =>
    published.push(payload),
  );
  t.teardown(unsubscribe);
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/events/${id}/retry`,
    headers: auth,
  });
  t.is(res.statusCode, 202);
  t.deepEqual(res.json(), { status: 'scheduled', event_id: id });
  const attempts = await eventually(async () => {
    const r = await ctx.db.pool.query<{ attempt: number; outcome: string }>(
      'SELECT attempt, outcome FROM webhook_event_attempts WHERE event_id = $1 ORDER BY id',
      [id],
    );
    return r.rows.length === 2 ? r.rows : undefined;
  }, 'second attempt');
  t.deepEqual(
    attempts.map((a) => a.outcome),
    ['completed', 'completed'],
  );
  t.true(published.some((p) => p.includes(id)));
});

test('GET /api/v1/webhooks/health reports queue depth without a token', async (t) => {
  const res = await ctx.runtime.app.inject({ method: 'GET', url: '/api/v1/webhooks/health' });
  t.is(res.statusCode, 200);
  const body = res.json<{ status: string; queue: Record<string, number>; handler: Record<string, number> }>();
  t.is(body.status, 'healthy');
  t.deepEqual(Object.keys(body.queue).sort(), ['failed', 'pending', 'processing', 'retrying']);
  t.is(typeof body.handler.group_commit_queued, 'number');
});
