/**
 * The geocoding rules that need no server: precision and confidence for both
 * providers, the answer parsers' fallbacks (a house in Google's premise, a
 * city only in administrative_area_level_3, a Yandex region only in area),
 * coordinates sent without exponents, provider text with the key removed,
 * Retry-After, the failure type and passive health.
 */
import { inspect } from 'node:util';
import test from 'ava';
import { retryAfterSeconds } from '../../src/geocoding/backoff.js';
import { forwardAnswer as googleForward } from '../../src/geocoding/google-answer.js';
import { ProviderHealthTracker } from '../../src/geocoding/health.js';
import { confidenceOf, googlePrecision, yandexPrecision } from '../../src/geocoding/precision.js';
import { coordinate } from '../../src/geocoding/query.js';
import { safeText } from '../../src/geocoding/safe-text.js';
import { ProviderFailure } from '../../src/geocoding/types.js';
import { forwardAnswer as yandexForward, readPos } from '../../src/geocoding/yandex-answer.js';

test('Google location_type → precision → confidence', (t) => {
  const rows = [
    ['ROOFTOP', ['street_address'], 'exact', 1],
    ['RANGE_INTERPOLATED', ['street_address'], 'interpolated', 0.7],
    ['GEOMETRIC_CENTER', ['route'], 'street', 0.6],
    ['GEOMETRIC_CENTER', ['intersection'], 'street', 0.6],
    ['GEOMETRIC_CENTER', ['sublocality', 'political'], 'area', 0.4],
    ['APPROXIMATE', ['locality', 'political'], 'area', 0.4],
    [undefined, [], 'area', 0.4],
  ] as const;
  for (const [locationType, types, precision, confidence] of rows) {
    const p = googlePrecision(locationType, types);
    t.is(p, precision, String(locationType));
    t.is(confidenceOf(p), confidence);
  }
  t.is(confidenceOf('exact', true), 0.7, 'partial_match: ×0.7');
  t.is(confidenceOf('area', true), 0.28);
});

test('Yandex precision → precision → confidence, unknown values the lowest', (t) => {
  const rows = [
    ['exact', 'exact', 1],
    ['number', 'house', 0.9],
    ['near', 'near', 0.8],
    ['range', 'interpolated', 0.7],
    ['street', 'street', 0.6],
    ['other', 'area', 0.4],
    ['something-new', 'area', 0.4],
    [undefined, 'area', 0.4],
  ] as const;
  for (const [given, precision, confidence] of rows) {
    t.is(yandexPrecision(given), precision, String(given));
    t.is(confidenceOf(yandexPrecision(given)), confidence);
  }
});

const googleResult = (address_components: unknown[], extra: Record<string, unknown> = {}) => ({
  status: 'OK',
  results: [
    {
      address_components,
      formatted_address: 'x',
      geometry: { location: { lat: 1.5, lng: -2.5 }, location_type: 'ROOFTOP' },
      place_id: 'p',
      types: ['premise'],
      ...extra,
    },
  ],
});

test('Google components: premise for the house, administrative_area_level_3 for the city, codes upper case', (t) => {
  const answer = googleForward(
    googleResult([
      { long_name: '7с1', short_name: '7с1', types: ['premise'] },
      { long_name: 'Kazan', short_name: 'Kazan', types: ['administrative_area_level_3', 'political'] },
      { long_name: 'Tatarstan', short_name: 'TA', types: ['administrative_area_level_1', 'political'] },
      { long_name: 'Russia', short_name: 'ru', types: ['country', 'political'] },
    ]),
  );
  t.like(answer, {
    status: 'found',
    result: {
      latitude: 1.5,
      longitude: -2.5,
      components: {
        house_number: '7с1',
        city: 'Kazan',
        region: 'Tatarstan',
        country: 'Russia',
        country_code: 'RU',
        street: null,
        postal_code: null,
      },
    },
  });
  t.deepEqual(googleForward({ status: 'OK', results: [] }), { status: 'not_found' });
  t.deepEqual(googleForward({ status: 'ZERO_RESULTS' }), { status: 'not_found' });
  t.like(googleForward(googleResult([], { partial_match: true })), { result: { confidence: 0.7 } });
});

const yandexAnswer = (meta: Record<string, unknown>, pos = '49.106414 55.796127') => ({
  response: {
    GeoObjectCollection: {
      featureMember: [{ GeoObject: { metaDataProperty: { GeocoderMetaData: meta }, Point: { pos } } }],
    },
  },
});

test('Yandex components: region from area without a province, formatted from text, no uri a null place', (t) => {
  const answer = yandexForward(
    yandexAnswer({
      precision: 'number',
      text: 'Россия, Казань, улица Баумана, 7',
      Address: {
        country_code: 'ru',
        Components: [
          { kind: 'country', name: 'Россия' },
          { kind: 'area', name: 'городской округ Казань' },
          { kind: 'locality', name: 'Казань' },
          { kind: 'street', name: 'улица Баумана' },
          { kind: 'house', name: '7' },
        ],
      },
    }),
  );
  t.deepEqual(answer, {
    status: 'found',
    result: {
      latitude: 55.796127,
      longitude: 49.106414,
      formatted_address: 'Россия, Казань, улица Баумана, 7',
      components: {
        country: 'Россия',
        country_code: 'RU',
        region: 'городской округ Казань',
        city: 'Казань',
        street: 'улица Баумана',
        house_number: '7',
        postal_code: null,
      },
      place_id: null,
      precision: 'house',
      confidence: 0.9,
    },
  });
});

test('Yandex pos: "lon lat" with any spacing; anything else is refused', (t) => {
  t.deepEqual(readPos(' -0.127636   51.503364 ', 'pos'), { longitude: -0.127636, latitude: 51.503364 });
  t.throws(() => readPos('51.503364', 'pos'), { message: /pos is not "longitude latitude"/ });
  t.throws(() => readPos('10 95', 'pos'), { message: /latitude/ });
  t.throws(() => readPos(['37', '55'], 'pos'), { message: /pos is not a string/ });
});

test('coordinates are sent as plain decimals, at most 7 places', (t) => {
  t.is(coordinate(55.75214861), '55.7521486');
  t.is(coordinate(-0.1276248), '-0.1276248');
  t.is(coordinate(10), '10');
  t.is(coordinate(1e-7), '0.0000001', 'not 1e-7');
  t.is(coordinate(-1e-9), '0');
});

test('provider text loses the key in every form, other credentials, and its length', (t) => {
  const key = 'AIzaSyFAKE-k3y/for+tests=';
  const text = `bad key ${key}, encoded ${encodeURIComponent(key)}, url https://x.test/?token=abc123&q=1`;
  const out = safeText(text, [key]);
  t.false(out.includes(key));
  t.false(out.includes(encodeURIComponent(key)));
  t.false(out.includes('abc123'));
  t.true(out.startsWith('bad key ***, encoded ***'));
  t.is(safeText('a\n\n  b', []), 'a b');
  t.is(safeText('x'.repeat(2000), []).length, 500);
});

test('Retry-After: seconds or an HTTP date; anything else is no hint', (t) => {
  t.is(retryAfterSeconds('3'), 3);
  const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
  t.is(retryAfterSeconds('Wed, 21 Oct 2015 07:28:30 GMT', now), 30);
  t.is(retryAfterSeconds('Wed, 21 Oct 2015 07:27:00 GMT', now), 0, 'a date past is now');
  t.is(retryAfterSeconds('soon'), undefined);
  t.is(retryAfterSeconds(null), undefined);
});

test('ProviderFailure: the message names provider and status; a retry hint keeps the rest', (t) => {
  const f = new ProviderFailure({
    provider: 'google_maps',
    kind: 'unavailable',
    providerStatus: 'UNKNOWN_ERROR',
    detail: 'Google had a server error; retry later',
    httpStatus: 500,
  });
  t.is(f.message, 'google_maps UNKNOWN_ERROR: Google had a server error; retry later');
  t.true(f.retryable);
  const hinted = f.withRetryAfter(4);
  t.like(hinted, { message: f.message, kind: 'unavailable', httpStatus: 500, retryAfterSeconds: 4 });
  t.false(inspect(hinted).includes('[cause]'), 'no HTTP client error hangs off it');
  t.false(new ProviderFailure({ ...f, kind: 'quota', detail: 'x' }).retryable);
});

test('health: degraded on a failure, unhealthy at once on auth or quota or after five, healthy on success', (t) => {
  const h = new ProviderHealthTracker('yandex_maps');
  t.like(h.report(), { status: 'healthy', last_success_at: null, consecutive_failures: 0 });
  h.failure('bad_request');
  t.like(h.report(), { status: 'healthy', last_failure_at: null }, "the caller's fault does not count");
  h.failure('timeout');
  t.like(h.report(), { status: 'degraded', last_failure_kind: 'timeout', consecutive_failures: 1 });
  for (let i = 0; i < 4; i++) h.failure('unavailable');
  t.like(h.report(), { status: 'unhealthy', consecutive_failures: 5 });
  h.success();
  t.like(h.report(), { status: 'healthy', consecutive_failures: 0, last_failure_kind: 'unavailable' });
  h.failure('quota');
  t.like(h.report(), { status: 'unhealthy', service: 'yandex_maps' });
});
