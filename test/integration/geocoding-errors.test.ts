/**
 * Bad input and bad providers, through the daemon's wiring against the fake
 * servers: each bad field is a 400 before any provider is asked; a provider
 * that answers malformed JSON, HTML, a 500, a 403, a 429 with Retry-After or
 * nothing is named in a 502 without its text, and auto falls back past it;
 * both down is a 502 naming both; no keys is a 503; a spent tenant budget is a
 * 429 with Retry-After; the circuit opens after consecutive failures, skips
 * the provider without a request, and real traffic closes it. The keys reach
 * no answer, log or integration_logs row.
 */
import test from 'ava';
import type { ExecutionContext } from 'ava';
import { GOOGLE_KEY, YANDEX_KEY } from '../fake-maps/fixture.js';
import type { HttpFault } from '../fake-maps/http.js';
import { ARBAT, errorOf, geocodingApp, type GeocodingAppOptions } from '../helpers/geocoding.js';

async function open(t: ExecutionContext, options: GeocodingAppOptions = {}) {
  const g = await geocodingApp(options);
  t.teardown(() => g.close());
  return g;
}

test('bad input is a 400 naming what is wrong, and nothing is sent', async (t) => {
  const g = await open(t);
  const cases: Array<[string, unknown, RegExp]> = [
    ['/forward', { address: '' }, /address/],
    ['/forward', { address: '   \t ' }, /address/],
    ['/forward', { address: 'д'.repeat(501) }, /address/],
    ['/forward', {}, /address/],
    ['/forward', { address: 42 }, /address/],
    ['/forward', { address: ARBAT, provider: 'bing_maps' }, /provider/],
    ['/forward', { address: ARBAT, language: 'русский' }, /language/],
    ['/reverse', { latitude: 91, longitude: 37 }, /latitude/],
    ['/reverse', { latitude: -91, longitude: 37 }, /latitude/],
    ['/reverse', { latitude: 55, longitude: 181 }, /longitude/],
    ['/reverse', { latitude: '55.75', longitude: 37.58 }, /latitude/],
    ['/reverse', { latitude: 55.75, longitude: '37.58' }, /longitude/],
    ['/reverse', { latitude: 55.75 }, /longitude/],
    ['/reverse', { longitude: 37.58 }, /latitude/],
    ['/batch', { addresses: [] }, /addresses/],
    ['/batch', { addresses: Array.from({ length: 101 }, (_, i) => `Москва, дом ${i}`) }, /addresses/],
    ['/batch', { addresses: [ARBAT, ' '] }, /addresses/],
    ['/distance', { origin: { latitude: 55, longitude: 37 } }, /destination/],
    ['/distance', { origin: { latitude: 95, longitude: 37 }, destination: { address: ARBAT } }, /origin/],
    ['/distance', { origin: { latitude: 55 }, destination: { address: ARBAT } }, /origin/],
  ];
  for (const [path, body, field] of cases) {
    const r = await g.post(path, body);
    t.is(r.statusCode, 400, `${path} ${JSON.stringify(body).slice(0, 60)}: ${r.body}`);
    t.is(errorOf(r).code, 'VALIDATION_FAILED');
    t.regex(errorOf(r).message, field, JSON.stringify(body).slice(0, 60));
  }
  // NaN is not JSON: the body does not parse.
  const nan = await g.ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/geocoding/reverse',
    headers: { authorization: 'Bearer admin-token-0123456789abcdef', 'content-type': 'application/json' },
    payload: '{"latitude": NaN, "longitude": 37.5}',
  });
  t.is(nan.statusCode, 400);
  t.is(errorOf(nan).code, 'MALFORMED_BODY');
  const tenant = await g.post('/forward', { address: ARBAT }, { 'x-tenant-id': 'bad*tenant' });
  t.is(tenant.statusCode, 400);
  t.is(errorOf(tenant).code, 'INVALID_TENANT');
  const anonymous = await g.ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/geocoding/forward',
    payload: { address: ARBAT },
  });
  t.is(anonymous.statusCode, 401);
  t.is(g.sent(), 0, 'no provider was asked');
});

const faults: Array<[string, HttpFault, RegExp]> = [
  ['malformed JSON', { kind: 'malformed-json' }, /google_maps answered something that is not its API/],
  ['an HTML page', { kind: 'html' }, /google_maps answered something that is not its API/],
  ['a 500', { kind: 'http', status: 500, body: 'Internal Server Error' }, /google_maps is unavailable/],
  [
    'a 403',
    { kind: 'http', status: 403, body: { error_message: `bad key ${GOOGLE_KEY}` } },
    /google_maps refused our API key/,
  ],
  [
    'a 429 with Retry-After',
    { kind: 'http', status: 429, body: {}, retryAfter: '120' },
    /google_maps throttled our requests/,
  ],
  ['nothing before the timeout', { kind: 'hang' }, /google_maps did not answer in time/],
];

for (const [what, fault, said] of faults) {
  test(`Google answering ${what}: alone a 502 naming it; with auto, Yandex answers`, async (t) => {
    const g = await open(t, { env: { GEOCODING_DEADLINE_SECONDS: '4' } });
    g.google.failNext(20, fault);
    const alone = await g.post('/forward', { address: ARBAT, provider: 'google_maps' });
    t.is(alone.statusCode, 502, alone.body);
    t.is(errorOf(alone).code, 'GEOCODING_FAILED');
    t.regex(errorOf(alone).message, said);
    t.false(alone.body.includes(GOOGLE_KEY));
    t.notRegex(alone.body, /Internal Server Error|<html|127\.0\.0\.1/i, 'no provider text or address');
    if (what.startsWith('a 429')) t.is(alone.headers['retry-after'], '120');
    const auto = await g.post('/forward', { address: ARBAT });
    t.is(auto.statusCode, 200, auto.body);
    t.like(auto.json<Record<string, unknown>>(), {
      provider: 'yandex_maps',
      attempted_providers: ['google_maps', 'yandex_maps'],
    });
  });
}

test('Yandex alone: a 403 is a refused key, a 429 with Retry-After a throttle whose wait reaches the caller', async (t) => {
  const g = await open(t, { env: { GEOCODING_DEADLINE_SECONDS: '4' } });
  g.yandex.failNext(1, {
    kind: 'http',
    status: 403,
    body: { statusCode: 403, error: 'Forbidden', message: `Invalid api key ${YANDEX_KEY}` },
  });
  const refused = await g.post('/forward', { address: ARBAT, provider: 'yandex_maps' });
  t.is(refused.statusCode, 502);
  t.regex(
    errorOf(refused).message,
    /^no geocoding provider answered: yandex_maps refused our API key; retry later$/,
  );
  t.false(refused.body.includes(YANDEX_KEY));
  g.yandex.failNext(5, { kind: 'http', status: 429, body: { statusCode: 429 }, retryAfter: '300' });
  const throttled = await g.post('/reverse', {
    latitude: 55.7521486,
    longitude: 37.5847163,
    provider: 'yandex_maps',
  });
  t.is(throttled.statusCode, 502);
  t.regex(errorOf(throttled).message, /yandex_maps throttled our requests/);
  t.is(throttled.headers['retry-after'], '300');
  t.is(g.google.geocodeRequests().length, 0, 'an explicit provider is used alone');
});

test('both providers down: a 502 naming both; the keys are in no answer or audit row', async (t) => {
  const g = await open(t, { env: { GEOCODING_DEADLINE_SECONDS: '4' } });
  g.google.failNext(50, { kind: 'http', status: 503, body: `down, key=${GOOGLE_KEY}` });
  g.yandex.failNext(50, { kind: 'http', status: 500, body: { message: `apikey ${YANDEX_KEY} failed` } });
  const r = await g.post('/forward', { address: ARBAT }, { 'x-request-id': 'both-down-1' });
  t.is(r.statusCode, 502);
  // Each named with what went wrong. (Usually "is unavailable"; on a loaded machine the last retry
  // may be cut by the deadline instead, which the Google provider reports in other words.)
  t.regex(
    errorOf(r).message,
    /^no geocoding provider answered: google_maps [^;]+; yandex_maps [^;]+; retry later$/,
  );
  type Row = { service_name: string; endpoint: string; error_message: string | null };
  // Rows are written in batches off the request path: wait for both providers' rows.
  let rows: Row[] = [];
  for (let i = 0; i < 40 && !rows.some((row) => row.service_name === 'yandex_maps'); i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    rows = (
      await g.ctx.db.pool.query<Row>(
        "SELECT service_name, endpoint, error_message FROM integration_logs WHERE request_id = 'both-down-1'",
      )
    ).rows;
  }
  const logs = { rows };
  t.true(logs.rows.some((row) => row.service_name === 'google_maps'));
  t.true(logs.rows.some((row) => row.service_name === 'yandex_maps'));
  const text = JSON.stringify(logs.rows) + r.body;
  t.false(text.includes(GOOGLE_KEY));
  t.false(text.includes(YANDEX_KEY));
  t.false(text.includes(encodeURIComponent(YANDEX_KEY)));
});

test('no keys at all: 503 GEOCODING_NOT_CONFIGURED; one provider asked for by name without a key says which', async (t) => {
  const none = await open(t, { keys: {} });
  const r = await none.post('/forward', { address: ARBAT });
  t.is(r.statusCode, 503);
  t.is(errorOf(r).code, 'GEOCODING_NOT_CONFIGURED');
  t.is((await none.post('/batch', { addresses: [ARBAT] })).statusCode, 503);
  const health = await none.get('/api/v1/geocoding/health');
  t.like(health.json<Record<string, unknown>>(), { status: 'not_configured', configured: false });
  const googleOnly = await open(t, { keys: { google: true } });
  const yandex = await googleOnly.post('/forward', { address: ARBAT, provider: 'yandex_maps' });
  t.is(yandex.statusCode, 503);
  t.regex(errorOf(yandex).message, /yandex_maps has no API key: set YANDEX_MAPS_API_KEY/);
  t.is(googleOnly.sent(), 0);
});

test("a tenant's spent budget is a 429 with Retry-After; another tenant still gets answers", async (t) => {
  const g = await open(t, {
    env: { OUTBOUND_RATE_LIMIT_PER_MINUTE: '1', OUTBOUND_RATE_LIMIT_MAX_WAIT_MS: '0' },
  });
  const a = { 'x-tenant-id': 'budget_a' };
  t.is((await g.post('/forward', { address: ARBAT }, a)).statusCode, 200);
  t.is(
    (await g.post('/reverse', { latitude: 55.7521486, longitude: 37.5847163 }, a)).statusCode,
    200,
    'Yandex has its own budget',
  );
  const spent = await g.post('/forward', { address: '10 Downing Street, London' }, a);
  t.is(spent.statusCode, 429, spent.body);
  t.is(errorOf(spent).code, 'OUTBOUND_RATE_LIMITED');
  const wait = Number(spent.headers['retry-after']);
  t.true(wait >= 1 && wait <= 60, `Retry-After ${wait}`);
  t.is(
    (await g.post('/forward', { address: '10 Downing Street, London' }, { 'x-tenant-id': 'budget_b' }))
      .statusCode,
    200,
  );
});

test('the circuit opens after consecutive failures, skips Google without a request, and real traffic closes it', async (t) => {
  const g = await open(t, { env: { GEOCODING_BREAKER_FAILURES: '3', GEOCODING_BREAKER_OPEN_SECONDS: '1' } });
  g.google.failNext(3, { kind: 'http', status: 403, body: {} });
  for (let i = 0; i < 3; i++)
    t.is((await g.post('/forward', { address: `${ARBAT} ${i}`, provider: 'google_maps' })).statusCode, 502);
  const health = (await g.get('/api/v1/geocoding/health')).json<{
    status: string;
    providers: Array<Record<string, unknown>>;
  }>();
  t.like(
    health.providers.find((p) => p.service === 'google_maps'),
    { circuit: 'open', healthy: false, configured: true },
  );
  t.is(health.status, 'degraded');
  const before = g.google.geocodeRequests().length;
  const skipped = await g.post('/forward', { address: ARBAT });
  t.like(skipped.json<Record<string, unknown>>(), {
    provider: 'yandex_maps',
    attempted_providers: ['yandex_maps'],
  });
  t.is(g.google.geocodeRequests().length, before, 'nothing sent to an open circuit');
  const alone = await g.post('/forward', { address: '10 Downing Street, London', provider: 'google_maps' });
  t.is(alone.statusCode, 502);
  t.regex(errorOf(alone).message, /google_maps is paused after repeated failures/);
  t.is(alone.headers['retry-after'], '1');
  await new Promise((resolve) => setTimeout(resolve, 1100));
  const probe = await g.post('/forward', { address: '10 Downing Street, London', provider: 'google_maps' });
  t.is(probe.statusCode, 200, probe.body);
  const after = (await g.get('/api/v1/geocoding/health')).json<{
    providers: Array<Record<string, unknown>>;
  }>();
  t.like(
    after.providers.find((p) => p.service === 'google_maps'),
    { circuit: 'closed', healthy: true },
  );
  const detailed = (await g.get('/health/detailed')).json<{
    dependencies: { geocoding?: { status: string } };
  }>();
  t.is(detailed.dependencies.geocoding?.status, 'healthy');
});

test('distance between points and addresses, great-circle; an unknown address is a 404 naming the end', async (t) => {
  const g = await open(t);
  const r = await g.post('/distance', {
    origin: { address: ARBAT },
    destination: { latitude: 51.5033635, longitude: -0.1276248 },
  });
  t.is(r.statusCode, 200, r.body);
  const body = r.json<{
    distance_km: number;
    distance_miles: number;
    straight_line: boolean;
    origin: Record<string, unknown>;
  }>();
  // Moscow to London as the crow flies: about 2,500 km.
  t.true(body.distance_km > 2490 && body.distance_km < 2510, String(body.distance_km));
  t.is(Math.round(body.distance_miles), Math.round(body.distance_km / 1.609344));
  t.true(body.straight_line);
  t.like(body.origin, { latitude: 55.7521486, provider: 'google_maps', cached: false });
  const missing = await g.post('/distance', {
    origin: { latitude: 55, longitude: 37 },
    destination: { address: 'Нигдеград, 1' },
  });
  t.is(missing.statusCode, 404);
  t.regex(errorOf(missing).message, /the destination address was not found/);
});

test('/metrics: provider attempts by service and outcome, every series from the start', async (t) => {
  const g = await open(t);
  const start = (await g.ctx.runtime.app.inject({ url: '/metrics' })).body;
  t.regex(start, /^geocoding_provider_calls_total\{service="yandex_maps",outcome="auth"\} 0$/m);
  t.regex(start, /^cache_operations_total\{operation="hit",namespace="geocoding"\} 0$/m);
  t.regex(start, /^cache_operations_total\{operation="miss",namespace="google_sheets"\} 0$/m);
  t.is((await g.post('/forward', { address: ARBAT, provider: 'google_maps' })).statusCode, 200);
  const after = (await g.ctx.runtime.app.inject({ url: '/metrics' })).body;
  t.regex(after, /^geocoding_provider_calls_total\{service="google_maps",outcome="found"\} 1$/m);
  t.regex(after, /^geocoding_provider_call_duration_seconds_count\{service="google_maps"\} 1$/m);
  t.regex(after, /^cache_operations_total\{operation="miss",namespace="geocoding"\} 1$/m);
});
