/**
 * GET /metrics against the daemon's real wiring: the old service's names with
 * route templates (never raw URLs), webhook outcomes by configured source only,
 * the operator's gauges read at scrape, and PROMETHEUS_ENABLED=false.
 */
import test from 'ava';
import { signedSample } from '../../src/services/sample-webhooks.js';
import type { WebhookSource } from '../../src/domain/source.js';
import { testRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const STRIPE_SECRET = 'whsec_metrics_test_secret';
const stripe: WebhookSource = {
  name: 'stripe',
  scheme: 'stripe',
  options: {},
  secrets: [],
  tenantId: null,
  maxRetries: null,
  rateLimitPerMinute: null,
  isActive: true,
  description: null,
};

/** The value of one sample line, e.g. sample(text, 'http_requests_total{method="GET",...}'). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

function seriesOf(text: string, name: string): string[] {
  return text.split('\n').filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
}

test('requests, webhooks, group commit, publish lag and the scrape-time gauges are exported', async (t) => {
  const ctx = await testRuntime({ STRIPE_WEBHOOK_SECRET: STRIPE_SECRET });
  t.teardown(() => ctx.close());
  const app = ctx.runtime.app;
  await ctx.db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ('shop', 'none')");

  t.is((await app.inject({ url: '/health' })).statusCode, 200);
  t.is((await app.inject({ url: '/no/such/path/123?x=secret' })).statusCode, 404);
  const body = '{"event_id":"metrics-1","event_type":"order.created"}';
  const post = () =>
    app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/generic/shop',
      headers: { 'content-type': 'application/json' },
      payload: body,
    });
  t.is((await post()).statusCode, 202);
  t.is((await post()).statusCode, 200);
  const signed = signedSample(stripe, STRIPE_SECRET);
  const bad = await app.inject({
    method: 'POST',
    url: signed.path,
    headers: { ...signed.headers, 'stripe-signature': 't=1,v1=00' },
    payload: signed.body,
  });
  t.is(bad.statusCode, 401);
  // A row left retrying and due: the backlog gauges must see it.
  await ctx.db.pool.query(
    `INSERT INTO webhook_events (id, source, dedup_key, raw_body, status, next_retry_at)
     VALUES (gen_random_uuid(), 'shop', 'old-one', '\\x7b7d', 'retrying', now() - interval '90 seconds')`,
  );

  const text = await eventually(async () => {
    const res = await app.inject({ url: '/metrics' });
    t.is(res.statusCode, 200);
    t.regex(String(res.headers['content-type']), /^text\/plain/);
    // The publish of the accepted event is asynchronous; wait for its lag sample.
    return (sample(res.body, 'webhook_publish_lag_seconds_count') ?? 0) >= 1 ? res.body : undefined;
  }, 'publish lag observed');

  t.is(sample(text, 'http_requests_total{method="GET",route="/health",status_code="200"}'), 1);
  t.is(sample(text, 'http_requests_total{method="GET",route="unmatched",status_code="404"}'), 1);
  t.false(text.includes('/no/such/path'), 'raw URLs never become labels');
  t.truthy(
    sample(
      text,
      'http_request_duration_seconds_count{method="POST",route="/api/v1/webhooks/generic/:source",status_code="202"}',
    ),
  );
  t.is(sample(text, 'webhook_events_total{source="shop",status="accepted"}'), 1);
  t.is(sample(text, 'webhook_events_total{source="shop",status="duplicate"}'), 1);
  t.is(sample(text, 'webhook_events_total{source="stripe",status="rejected"}'), 1);
  t.is(sample(text, 'webhook_signature_failures_total{source="stripe"}'), 1);
  t.true((sample(text, 'webhook_group_commit_batch_size_count') ?? 0) >= 1);
  t.is(sample(text, 'webhook_events_waiting{status="retrying"}'), 1);
  const backlog = sample(text, 'webhook_backlog_seconds') ?? 0;
  t.true(backlog >= 90 && backlog < 3600, `backlog ${backlog}`);
  t.not(sample(text, 'database_connections_active'), undefined);
  t.is(sample(text, 'postgres_up'), 1);
  t.deepEqual(seriesOf(text, 'redis_up'), [], 'no Redis configured: no redis_up sample');
  t.regex(text, /^# TYPE cache_operations_total counter$/m);
  t.regex(text, /^process_cpu_user_seconds_total /m);
});

test('10,000 made-up source names add one "unknown" series, and scrapes during that load all answer', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const app = ctx.runtime.app;
  const scrapes: Array<Promise<number>> = [];
  for (let chunk = 0; chunk < 100; chunk++) {
    await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        app.inject({
          method: 'POST',
          url: `/api/v1/webhooks/generic/made-up-${chunk}-${i}`,
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        }),
      ),
    );
    if (chunk % 10 === 0) scrapes.push(app.inject({ url: '/metrics' }).then((r) => r.statusCode));
  }
  t.deepEqual(await Promise.all(scrapes), Array<number>(10).fill(200));
  const text = (await app.inject({ url: '/metrics' })).body;
  t.deepEqual(seriesOf(text, 'webhook_events_total'), [
    'webhook_events_total{source="unknown",status="unknown_source"} 10000',
  ]);
  t.false(text.includes('made-up'));
});

test('PROMETHEUS_ENABLED=false: /metrics is a 404', async (t) => {
  const ctx = await testRuntime({ PROMETHEUS_ENABLED: 'false' });
  t.teardown(() => ctx.close());
  const res = await ctx.runtime.app.inject({ url: '/metrics' });
  t.is(res.statusCode, 404);
  t.is(res.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
});
