/**
 * Yandex Geocoder 1.x through our fetch client against the fake API:
 * positions read as "longitude latitude" and reverse lookups sent as
 * lon,lat (coordinates never swapped), Cyrillic both ways, precision and
 * confidence, 403 and 429 (quota, or throttle with Retry-After), 5xx, HTML,
 * broken JSON, JSON of the wrong shape and no answer.
 */
import test from 'ava';
import { ProviderFailure, type ForwardResult } from '../../src/geocoding/types.js';
import { yandexLang } from '../../src/geocoding/yandex-maps.js';
import { ARBAT, found, mapsFixtures, YANDEX_KEY } from '../fake-maps/fixture.js';
import { YANDEX_PATH } from '../fake-maps/yandex.js';

const fixture = mapsFixtures(test);

test('a Moscow address in Cyrillic: "lon lat" read as longitude then latitude', async (t) => {
  const f = await fixture(t);
  const r = found(await f.yandexMaps.forward({ address: ARBAT }, f.call));
  t.deepEqual(r, {
    latitude: 55.752149,
    longitude: 37.584716,
    formatted_address: 'Россия, Москва, улица Новый Арбат, 24',
    components: {
      country: 'Россия',
      country_code: 'RU',
      region: 'Москва',
      city: 'Москва',
      street: 'улица Новый Арбат',
      house_number: '24',
      postal_code: '119019',
    },
    place_id:
      'ymapsbm1://geo?data=Cgg1NjY5NzE5MBJB0KDQvtGB0YHQuNGPLCDQnNC-0YHQutCy0LAsINGD0LvQuNGG0LAg0J3QvtCy0YvQuSDQkNGA0LHQsNGCLCAyNCIKDUxXFkIVMApfQg,,',
    precision: 'exact',
    confidence: 1,
  } satisfies ForwardResult);
  const [sent] = f.yandex.geocodeRequests();
  t.like(sent?.query, { apikey: YANDEX_KEY, geocode: ARBAT, format: 'json', lang: 'ru_RU', results: '1' });
  t.deepEqual(
    f.calls.map((c) => [c.service, c.outcome]),
    [['yandex_maps', 'found']],
  );
  const [row] = await f.rows();
  t.like(row, {
    service_name: 'yandex_maps',
    operation: 'geocode.forward',
    endpoint: `${f.yandex.url}${YANDEX_PATH}`,
    method: 'GET',
    status: 'success',
    http_status: 200,
    tenant_id: 'uk_company_1',
  });
  t.true((row?.response_bytes ?? 0) > 500);
});

test('London in English: lang=en_US, a negative longitude', async (t) => {
  const f = await fixture(t);
  const r = found(await f.yandexMaps.forward({ address: '10 Downing Street, London', language: 'en' }));
  t.is(r.latitude, 51.503364);
  t.is(r.longitude, -0.127636);
  t.like(r.components, {
    country: 'United Kingdom',
    country_code: 'GB',
    region: 'England',
    city: 'London',
    street: 'Downing Street',
    house_number: '10',
    postal_code: 'SW1A 2AA',
  });
  t.is(f.yandex.geocodeRequests()[0]?.query.lang, 'en_US');
});

test('reverse sends geocode=lon,lat (no sco) and finds the house at the point', async (t) => {
  const f = await fixture(t);
  const moscow = found(await f.yandexMaps.reverse({ latitude: 55.7521486, longitude: 37.5847163 }, f.call));
  t.deepEqual(moscow, {
    formatted_address: 'Россия, Москва, улица Новый Арбат, 24',
    street: 'улица Новый Арбат',
    house_number: '24',
    city: 'Москва',
    postal_code: '119019',
    country: 'Россия',
    latitude: 55.752149,
    longitude: 37.584716,
  });
  const london = found(await f.yandexMaps.reverse({ latitude: 51.50336, longitude: -0.12762 }));
  t.is(london.house_number, '10');
  const sent = f.yandex.geocodeRequests();
  t.deepEqual(
    sent.map((r) => r.query.geocode),
    ['37.5847163,55.7521486', '-0.12762,51.50336'],
  );
  t.true(sent.every((r) => r.query.sco === undefined));
});

test('found "0" is not-found, an answer and not a failure', async (t) => {
  const f = await fixture(t);
  t.deepEqual(await f.yandexMaps.forward({ address: 'Нигдеград, улица Несуществующая, 1' }), {
    status: 'not_found',
  });
  t.deepEqual(await f.yandexMaps.reverse({ latitude: -48.876667, longitude: -123.393333 }), {
    status: 'not_found',
  });
  t.deepEqual(
    f.calls.map((c) => c.outcome),
    ['not_found', 'not_found'],
  );
  t.is(f.yandexMaps.health().status, 'healthy');
});

test('precision: street 0.6, a neighbouring house (near) 0.8', async (t) => {
  const f = await fixture(t);
  t.like(found(await f.yandexMaps.forward({ address: 'Москва, Тверская улица' })), {
    precision: 'street',
    confidence: 0.6,
    components: { street: 'Тверская улица', house_number: null, postal_code: null },
  });
  t.like(found(await f.yandexMaps.forward({ address: 'Москва, улица Новый Арбат, 240' })), {
    precision: 'near',
    confidence: 0.8,
  });
});

test('403 (a key Yandex does not know) is auth, tried once, and the provider is unhealthy', async (t) => {
  const f = await fixture(t, { yandexKey: '11111111-2222-4333-8444-555555555555' });
  const err = await t.throwsAsync(f.yandexMaps.forward({ address: ARBAT }, f.call), {
    instanceOf: ProviderFailure,
  });
  t.like(err, { provider: 'yandex_maps', kind: 'auth', providerStatus: 'HTTP 403', httpStatus: 403 });
  t.regex(
    err?.message ?? '',
    /^yandex_maps HTTP 403: .*YANDEX_MAPS_API_KEY.*\(Yandex said: Invalid api key\)/,
  );
  t.is(f.yandex.geocodeRequests().length, 1);
  t.like(f.yandexMaps.health(), { status: 'unhealthy', last_failure_kind: 'auth' });
  t.like((await f.rows())[0], { status: 'error', http_status: 403 });
});

test('429 without Retry-After is the spent quota: not retried', async (t) => {
  const f = await fixture(t);
  f.yandex.failNext(5, {
    kind: 'http',
    status: 429,
    body: { statusCode: 429, error: 'Too Many Requests', message: 'Limit is exceeded' },
  });
  const err = await t.throwsAsync(f.yandexMaps.forward({ address: ARBAT }), { instanceOf: ProviderFailure });
  t.like(err, { kind: 'quota', retryable: false, retryAfterSeconds: undefined });
  t.is(f.yandex.geocodeRequests().length, 1);
});

test('429 with Retry-After is a throttle: waited for, then answered', async (t) => {
  const f = await fixture(t);
  f.yandex.failNext(1, { kind: 'http', status: 429, body: { statusCode: 429 }, retryAfter: '2' });
  t.is(found(await f.yandexMaps.forward({ address: ARBAT }, f.call)).precision, 'exact');
  t.deepEqual(f.waits, [2000]);
  t.deepEqual(
    f.calls.map((c) => c.outcome),
    ['rate_limited', 'found'],
  );
  t.deepEqual(
    (await f.rows()).map((r) => r.http_status),
    [429, 200],
  );
});

test('500 is retried; a 500 that lasts past the deadline is unavailable with a retry hint', async (t) => {
  const f = await fixture(t);
  f.yandex.failNext(2, { kind: 'http', status: 500, body: 'Internal Server Error' });
  t.is(found(await f.yandexMaps.reverse({ latitude: 55.7521486, longitude: 37.5847163 })).city, 'Москва');
  t.is(f.yandex.geocodeRequests().length, 3);

  const short = await fixture(t, { deadlineMs: 500 });
  short.yandex.failNext(20, { kind: 'http', status: 502, body: 'Bad Gateway' });
  const err = await t.throwsAsync(short.yandexMaps.forward({ address: ARBAT }), {
    instanceOf: ProviderFailure,
  });
  t.like(err, { kind: 'unavailable', providerStatus: 'HTTP 502', retryable: true });
  t.true((err?.retryAfterSeconds ?? 0) >= 1);
});

test("400 is bad_request with Yandex's reason", async (t) => {
  const f = await fixture(t);
  f.yandex.failNext(1, {
    kind: 'http',
    status: 400,
    body: { statusCode: 400, error: 'Bad Request', message: 'Invalid parameter: lang' },
  });
  const err = await t.throwsAsync(f.yandexMaps.forward({ address: ARBAT, language: 'xx' }));
  t.like(err, { kind: 'bad_request' });
  t.regex(err?.message ?? '', /Invalid parameter: lang/);
  t.like(f.yandexMaps.health(), { status: 'healthy', consecutive_failures: 0 }, "the caller's fault");
});

const member = (pos: unknown, meta: Record<string, unknown> = {}) => ({
  response: {
    GeoObjectCollection: {
      featureMember: [
        {
          GeoObject: {
            metaDataProperty: {
              GeocoderMetaData: { precision: 'exact', text: 'x', Address: { formatted: 'x' }, ...meta },
            },
            Point: { pos },
          },
        },
      ],
    },
  },
});

for (const [what, fault, pattern] of [
  ['an HTML page with 200', { kind: 'html' }, /not JSON \(text\/html/],
  ['JSON cut short', { kind: 'malformed-json' }, /not JSON/],
  ['JSON without response', { kind: 'json', body: { error: 'nope' } }, /response is not an object/],
  [
    'a pos that is not two numbers',
    { kind: 'json', body: member('37.58') },
    /Point\.pos is not "longitude latitude"/,
  ],
  [
    'a pos off the globe',
    { kind: 'json', body: member('55.75 137.58') },
    /Point\.pos \(latitude\) is not a latitude/,
  ],
  [
    'Components that are not a list',
    { kind: 'json', body: member('37.58 55.75', { Address: { formatted: 'x', Components: 'Москва' } }) },
    /Components is not an array/,
  ],
] as const) {
  test(`${what} is malformed, not retried`, async (t) => {
    const f = await fixture(t);
    f.yandex.failNext(1, fault);
    const err = await t.throwsAsync(f.yandexMaps.forward({ address: ARBAT }, f.call), {
      instanceOf: ProviderFailure,
    });
    t.like(err, { provider: 'yandex_maps', kind: 'malformed', retryable: false });
    t.regex(err?.message ?? '', pattern);
    t.is(f.yandex.geocodeRequests().length, 1);
    t.like((await f.rows())[0], { status: 'error', http_status: 200 });
  });
}

test('no answer before the attempt timeout is timeout, retried while the deadline allows', async (t) => {
  const f = await fixture(t, { attemptTimeoutMs: 200, deadlineMs: 700 });
  f.yandex.failNext(10, { kind: 'hang' });
  const err = await t.throwsAsync(f.yandexMaps.reverse({ latitude: 55.75, longitude: 37.58 }, f.call), {
    instanceOf: ProviderFailure,
  });
  t.like(err, { kind: 'timeout', providerStatus: 'no answer' });
  t.regex(err?.message ?? '', /did not answer within 200 ms/);
  // Retried within the 700 ms deadline only: at most three 200 ms attempts, however fast the machine.
  const attempts = f.yandex.geocodeRequests().length;
  t.true(attempts >= 1 && attempts <= 3, `${attempts} attempts`);
  t.deepEqual(
    (await f.rows()).map((r) => [r.status, r.http_status]),
    Array.from({ length: attempts }, () => ['error', null]),
  );
});

test('lang: bare languages get their usual region; language-REGION is written the Yandex way', (t) => {
  t.is(yandexLang('ru'), 'ru_RU');
  t.is(yandexLang('en'), 'en_US');
  t.is(yandexLang('uk'), 'uk_UA');
  t.is(yandexLang('en-GB'), 'en_GB');
  t.is(yandexLang('tr_tr'), 'tr_TR');
});
