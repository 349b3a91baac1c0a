/**
 * Google geocoding through the real @googlemaps/google-maps-services-js
 * client against the fake Geocoding API: Cyrillic and London addresses both
 * ways, precision and confidence, every status Google answers, HTTP faults
 * and timeouts, the client's own retry kept off, and one audit row per
 * attempt.
 */
import test from 'ava';
import { ProviderFailure, type ForwardResult } from '../../src/geocoding/types.js';
import { ARBAT, found, GOOGLE_KEY, mapsFixtures } from '../fake-maps/fixture.js';
import { GEOCODE_PATH, GOOGLE_MESSAGES } from '../fake-maps/google.js';

const fixture = mapsFixtures(test);

test('a Moscow address in Cyrillic: its point, components, place and precision', async (t) => {
  const f = await fixture(t);
  const r = found(await f.googleMaps.forward({ address: ARBAT, language: 'ru' }, f.call));
  t.deepEqual(r, {
    latitude: 55.7521486,
    longitude: 37.5847163,
    formatted_address: 'ул. Новый Арбат, 24, Москва, Россия, 119019',
    components: {
      country: 'Россия',
      country_code: 'RU',
      region: 'Москва',
      city: 'Москва',
      street: 'улица Новый Арбат',
      house_number: '24',
      postal_code: '119019',
    },
    place_id: 'ChIJd1KjvU5KtUYRzXh2Hq0aL8Q',
    precision: 'exact',
    confidence: 1,
  } satisfies ForwardResult);
  const [sent] = f.google.geocodeRequests();
  t.is(sent?.query.address, ARBAT, 'the Cyrillic address arrives as typed');
  t.is(sent?.query.key, GOOGLE_KEY, 'the key is sent');
  t.is(sent?.query.language, 'ru');
  t.deepEqual(
    f.calls.map((c) => [c.service, c.outcome]),
    [['google_maps', 'found']],
  );
});

test('a fractional deadline (a share of what is left, in a fallback) still sends the request', async (t) => {
  // The deadline, not the 5 s attempt timeout, sets this attempt's timeout: a fractional one.
  const f = await fixture(t, { attemptTimeoutMs: 5000, deadlineMs: 10_000 });
  // AbortSignal.timeout() refuses non-integers: this was a RangeError, reported as an unreadable answer.
  const r = await f.googleMaps.forward({ address: ARBAT }, { ...f.call, deadlineAt: Date.now() + 3000.5 });
  t.is(r.status, 'found');
  t.is(f.google.geocodeRequests().length, 1);
});

test('a region is sent as Google region= (lower case); without one, none is sent', async (t) => {
  const f = await fixture(t);
  found(await f.googleMaps.forward({ address: ARBAT, region: 'RU' }, f.call));
  found(await f.googleMaps.forward({ address: ARBAT }, f.call));
  const [withRegion, without] = f.google.geocodeRequests();
  t.is(withRegion?.query.region, 'ru');
  t.is(without?.query.region, undefined);
});

test('London: a negative longitude stays negative, the town comes from postal_town', async (t) => {
  const f = await fixture(t);
  const r = found(await f.googleMaps.forward({ address: '10 Downing Street, London' }, f.call));
  t.is(r.latitude, 51.5033635);
  t.is(r.longitude, -0.1276248);
  t.like(r.components, { city: 'London', region: 'England', country: 'United Kingdom', country_code: 'GB' });
  t.is(r.components.postal_code, 'SW1A 2AA');
  t.is(f.google.geocodeRequests()[0]?.query.language, undefined, 'no language unless asked');
});

test('reverse: latlng is sent latitude first, and the nearest address comes back', async (t) => {
  const f = await fixture(t);
  const london = found(await f.googleMaps.reverse({ latitude: 51.50336, longitude: -0.12762 }, f.call));
  t.deepEqual(london, {
    formatted_address: '10 Downing St, London SW1A 2AA, UK',
    street: 'Downing Street',
    house_number: '10',
    city: 'London',
    postal_code: 'SW1A 2AA',
    country: 'United Kingdom',
    latitude: 51.5033635,
    longitude: -0.1276248,
  });
  const moscow = found(await f.googleMaps.reverse({ latitude: 55.7521486, longitude: 37.5847163 }, f.call));
  t.is(moscow.street, 'улица Новый Арбат');
  t.is(moscow.city, 'Москва');
  t.deepEqual(
    f.google.geocodeRequests().map((r) => r.query.latlng),
    ['51.50336,-0.12762', '55.7521486,37.5847163'],
  );
});

test('ZERO_RESULTS is not-found, an answer and not a failure', async (t) => {
  const f = await fixture(t);
  t.deepEqual(await f.googleMaps.forward({ address: 'Нигдеград, улица Несуществующая, 1' }, f.call), {
    status: 'not_found',
  });
  t.deepEqual(await f.googleMaps.reverse({ latitude: -48.876667, longitude: -123.393333 }, f.call), {
    status: 'not_found',
  });
  t.deepEqual(
    f.calls.map((c) => c.outcome),
    ['not_found', 'not_found'],
  );
  t.deepEqual(
    (await f.rows()).map((r) => r.status),
    ['success', 'success'],
  );
  t.is(f.googleMaps.health().status, 'healthy');
});

test('precision: a street is its geometric centre (0.6); a partial match lowers confidence (0.42)', async (t) => {
  const f = await fixture(t);
  t.like(found(await f.googleMaps.forward({ address: 'Москва, Тверская улица' })), {
    precision: 'street',
    confidence: 0.6,
  });
  t.like(found(await f.googleMaps.forward({ address: 'Москва, улица Новый Арбат, 240' })), {
    precision: 'street',
    confidence: 0.42,
  });
});

test('OVER_QUERY_LIMIT is retried with backoff, each attempt an audit row', async (t) => {
  const f = await fixture(t);
  f.google.failNext(2, { kind: 'status', status: 'OVER_QUERY_LIMIT' });
  const r = found(await f.googleMaps.forward({ address: ARBAT }, f.call));
  t.is(r.latitude, 55.7521486);
  t.is(f.google.geocodeRequests().length, 3);
  t.deepEqual(f.waits, [188, 375], 'exponential backoff with jitter (random fixed at 0.5)');
  t.deepEqual(
    f.calls.map((c) => c.outcome),
    ['rate_limited', 'rate_limited', 'found'],
  );
  const rows = await f.rows();
  t.deepEqual(
    rows.map((r) => [r.service_name, r.operation, r.status, r.http_status]),
    [
      ['google_maps', 'geocode.forward', 'error', 429],
      ['google_maps', 'geocode.forward', 'error', 429],
      ['google_maps', 'geocode.forward', 'success', 200],
    ],
  );
  t.is(rows[0]?.endpoint, `${f.google.url}${GEOCODE_PATH}`);
  t.is(rows[0]?.tenant_id, 'uk_company_1');
  t.regex(rows[0]?.error_message ?? '', /^google_maps OVER_QUERY_LIMIT: /);
});

test('UNKNOWN_ERROR is retried; when it lasts past the deadline the failure says when to retry', async (t) => {
  const f = await fixture(t);
  f.google.failNext(1, { kind: 'status', status: 'UNKNOWN_ERROR' });
  t.is(found(await f.googleMaps.forward({ address: ARBAT })).precision, 'exact');
  t.is(f.google.geocodeRequests().length, 2);

  const short = await fixture(t, { deadlineMs: 1_000 });
  short.google.failNext(20, { kind: 'status', status: 'UNKNOWN_ERROR' });
  const err = await t.throwsAsync(short.googleMaps.forward({ address: ARBAT }), {
    instanceOf: ProviderFailure,
  });
  t.like(err, {
    provider: 'google_maps',
    kind: 'unavailable',
    providerStatus: 'UNKNOWN_ERROR',
    retryable: true,
  });
  t.true((err?.retryAfterSeconds ?? 0) >= 1);
  t.true(short.google.geocodeRequests().length >= 2);
});

for (const [status, kind] of [
  ['REQUEST_DENIED', 'auth'],
  ['OVER_DAILY_LIMIT', 'quota'],
  ['INVALID_REQUEST', 'bad_request'],
] as const) {
  test(`${status} is ${kind}, tried once (the client's own retry would try OVER_DAILY_LIMIT 4 times)`, async (t) => {
    const f = await fixture(t);
    f.google.failNext(10, { kind: 'status', status });
    const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }, f.call), {
      instanceOf: ProviderFailure,
    });
    t.like(err, { provider: 'google_maps', kind, providerStatus: status, retryable: false });
    t.true(err?.message.startsWith(`google_maps ${status}: `));
    const said = GOOGLE_MESSAGES[status]?.trim().slice(0, 40) ?? '';
    t.true(err?.message.includes(said), "Google's own words are kept");
    t.is(f.google.geocodeRequests().length, 1);
    t.deepEqual(f.waits, []);
    t.is((await f.rows()).length, 1);
  });
}

test('a key Google does not know is REQUEST_DENIED from the API itself', async (t) => {
  const f = await fixture(t, { googleKey: 'AIzaSyWRONG-key-0000000000000000000000' });
  const err = await t.throwsAsync(f.googleMaps.reverse({ latitude: 55.75, longitude: 37.58 }), {
    instanceOf: ProviderFailure,
  });
  t.is(err?.kind, 'auth');
  t.regex(err?.message ?? '', /check GOOGLE_MAPS_API_KEY/);
  t.false(err?.message.includes('AIzaSyWRONG'));
  t.like(f.googleMaps.health(), { status: 'unhealthy', last_failure_kind: 'auth' });
});

test('HTTP 500 with an HTML page is unavailable and retried; HTTP 403 is auth and is not', async (t) => {
  const f = await fixture(t);
  f.google.failNext(1, { kind: 'html', status: 500 });
  t.is(found(await f.googleMaps.forward({ address: ARBAT })).components.city, 'Москва');
  t.is(f.google.geocodeRequests().length, 2);

  f.google.failNext(1, { kind: 'http', status: 403, body: { error: 'forbidden' } });
  const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }), { instanceOf: ProviderFailure });
  t.like(err, { kind: 'auth', providerStatus: 'HTTP 403', httpStatus: 403 });
  t.is(f.google.geocodeRequests().length, 3);
});

test('HTTP 429 with Retry-After waits that long; one beyond the deadline fails at once with the hint', async (t) => {
  const f = await fixture(t);
  f.google.failNext(1, { kind: 'http', status: 429, body: 'Too Many Requests', retryAfter: '3' });
  t.is(found(await f.googleMaps.forward({ address: ARBAT })).components.house_number, '24');
  t.deepEqual(f.waits, [3000]);

  f.google.failNext(1, { kind: 'http', status: 429, body: 'Too Many Requests', retryAfter: '120' });
  const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }), { instanceOf: ProviderFailure });
  t.like(err, { kind: 'rate_limited', retryAfterSeconds: 120, httpStatus: 429 });
  t.deepEqual(f.waits, [3000], 'no wait past the deadline');
  t.is(f.google.geocodeRequests().length, 3);
});

for (const [what, fault] of [
  ['an HTML page with 200', { kind: 'html' }],
  ['JSON cut short', { kind: 'malformed-json' }],
  ['JSON null', { kind: 'json', body: null }],
  ['OK with no geometry', { kind: 'json', body: { status: 'OK', results: [{ formatted_address: 'x' }] } }],
  [
    'a latitude as a string',
    {
      kind: 'json',
      body: {
        status: 'OK',
        results: [
          {
            formatted_address: 'x',
            address_components: [],
            geometry: { location: { lat: '55.75', lng: 37.58 } },
          },
        ],
      },
    },
  ],
  ['a status Google does not document', { kind: 'json', body: { status: 'MAYBE', results: [] } }],
] as const) {
  test(`${what} is malformed, not retried`, async (t) => {
    const f = await fixture(t);
    f.google.failNext(1, fault);
    const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }, f.call), {
      instanceOf: ProviderFailure,
    });
    t.like(err, { provider: 'google_maps', kind: 'malformed', retryable: false });
    t.is(f.google.geocodeRequests().length, 1);
    t.like((await f.rows())[0], { status: 'error', service_name: 'google_maps' });
  });
}

test('the malformed message names what is wrong', async (t) => {
  const f = await fixture(t);
  f.google.failNext(1, { kind: 'json', body: { status: 'OK', results: [{ formatted_address: 'x' }] } });
  const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }));
  t.regex(err?.message ?? '', /results\[0\]\.geometry is not an object/);
});

test('no answer before the attempt timeout is timeout, retried while the deadline allows', async (t) => {
  const f = await fixture(t, { attemptTimeoutMs: 200, deadlineMs: 700 });
  f.google.failNext(10, { kind: 'hang' });
  const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }, f.call), {
    instanceOf: ProviderFailure,
  });
  t.like(err, { kind: 'timeout', providerStatus: 'no answer' });
  // Retried, but never past the deadline: 700 ms hold at most three 200 ms attempts (two on a
  // machine fast enough to see the pause between them; how many exactly is the machine's speed).
  const attempts = f.google.geocodeRequests().length;
  t.true(attempts >= 1 && attempts <= 3, `${attempts} attempts`);
  t.deepEqual(
    f.calls.map((c) => c.outcome),
    Array.from({ length: attempts }, () => 'timeout'),
  );
});

test('a body that never finishes is a timeout too (the attempt signal, not axios, ends it)', async (t) => {
  const f = await fixture(t, { attemptTimeoutMs: 200, deadlineMs: 700 });
  f.google.failNext(10, { kind: 'trickle' });
  const err = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }, f.call), {
    instanceOf: ProviderFailure,
  });
  t.like(err, { kind: 'timeout', providerStatus: 'no answer' });
  t.true(f.calls.length >= 1 && f.calls.every((c) => c.outcome === 'timeout'), JSON.stringify(f.calls));
});

test('an empty address is refused before anything is sent', async (t) => {
  const f = await fixture(t);
  const err = await t.throwsAsync(f.googleMaps.forward({ address: '   ' }, f.call), {
    instanceOf: ProviderFailure,
  });
  t.like(err, { kind: 'bad_request', providerStatus: 'not sent' });
  await t.throwsAsync(f.googleMaps.reverse({ latitude: 91, longitude: 0 }), { message: /latitude/ });
  t.is(f.google.requests.length, 0);
  t.deepEqual(await f.rows(), []);
});
