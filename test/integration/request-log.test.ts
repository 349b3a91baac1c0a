/**
 * The request log as an operator reads it: one JSON line per request with the
 * request id, route template, status, duration and tenant; and nothing a
 * caller could replay or sign with (Authorization, Stripe-Signature, secrets in
 * the body), whatever the outcome. The daemon's real wiring, with pino writing
 * into a stream this test reads.
 */
import { PassThrough } from 'node:stream';
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/lib/logger.js';
import { startRuntime } from '../../src/main/runtime.js';
import { createTestDatabase } from '../helpers/db.js';

const BEARER = 'admin-bearer-9f8e7d6c5b4a';
const SIGNATURE = 't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd';
const BODY_SECRET = 'body-secret-3c2b1a0f';

test('one structured line per request, with no token, signature or body secret in any line', async (t) => {
  const db = await createTestDatabase();
  const lines: string[] = [];
  const stream = new PassThrough();
  let pending = '';
  stream.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    lines.push(...parts.filter((l) => l !== ''));
  });
  const config = loadConfig({
    env: {
      DATABASE_URL: db.url,
      LOG_LEVEL: 'debug',
      RETRY_CRON: '0 0 1 1 *',
      ADMIN_TOKEN: 'the-real-admin-token-000',
      STRIPE_WEBHOOK_SECRET: 'whsec_request_log_test',
    },
  });
  const runtime = await startRuntime(config, createLogger(config.logLevel, stream), { migrate: false });
  t.teardown(async () => {
    await runtime.stop();
    await db.drop();
  });
  const body = JSON.stringify({
    id: 'evt_log_1',
    type: 'charge.succeeded',
    secret: BODY_SECRET,
    password: BODY_SECRET,
  });
  const webhook = await runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/stripe?token=query-token-77',
    headers: {
      authorization: `Bearer ${BEARER}`,
      'stripe-signature': SIGNATURE,
      'content-type': 'application/json',
      'x-request-id': 'req-log-test-1',
      'x-management-company-id': 'uk_company_1',
    },
    payload: body,
  });
  t.is(webhook.statusCode, 401);
  const admin = await runtime.app.inject({
    url: '/api/v1/webhooks/events/00000000-0000-0000-0000-000000000000',
    headers: {
      authorization: `Bearer ${BEARER}`,
      'x-service-token': BEARER,
      'x-request-id': 'req-log-test-2',
    },
  });
  t.is(admin.statusCode, 401);
  await runtime.app.inject({ url: '/health', headers: { 'x-request-id': 'req-log-test-3' } });

  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const requestLines = parsed.filter((l) => l.msg === 'request');
  t.deepEqual(
    requestLines.map((l) => l.reqId),
    ['req-log-test-1', 'req-log-test-2', 'req-log-test-3'],
    'exactly one line per request',
  );
  const first = requestLines[0];
  t.like(first, {
    reqId: 'req-log-test-1',
    method: 'POST',
    route: '/api/v1/webhooks/stripe',
    status: 401,
    tenant: 'uk_company_1',
  });
  t.is(typeof first?.ms, 'number');
  t.like(requestLines[1], { route: '/api/v1/webhooks/events/:event_id', status: 401 });
  const all = lines.join('\n');
  for (const secret of [
    BEARER,
    SIGNATURE,
    'v1=5257a869',
    BODY_SECRET,
    'query-token-77',
    'the-real-admin-token-000',
    'whsec_request_log_test',
  ]) {
    t.false(all.includes(secret), `a log line carries ${secret}`);
  }
});
