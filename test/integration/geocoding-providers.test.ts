/**
 * What holds for both geocoding providers: the API key (sent in the query
 * string, as both APIs want) is in no error, no inspect() of one and no
 * integration_logs row, whatever the fault and even when the provider echoes
 * it; every attempt, retries included, spends the outbound budget of its
 * service and tenant; the limiter's refusals pass through as its AppError;
 * and a shared deadline that has passed sends nothing.
 */
import { inspect } from 'node:util';
import test from 'ava';
import { AppError } from '../../src/domain/errors.js';
import { ProviderFailure, type GeocodingProvider } from '../../src/geocoding/types.js';
import { MemoryLimiterFactory } from '../../src/ratelimit/limiter-factory.js';
import { OutboundRateLimiter } from '../../src/ratelimit/outbound-limiter.js';
import { StaticServiceLimits, type ServiceLimitsSource } from '../../src/ratelimit/service-limits.js';
import type { HttpFault } from '../fake-maps/http.js';
import { ARBAT, GOOGLE_KEY, type MapsFixture, mapsFixtures, YANDEX_KEY } from '../fake-maps/fixture.js';
import type { GoogleFault } from '../fake-maps/google.js';
import { testKeySpace } from '../helpers/cache.js';

const fixture = mapsFixtures(test);

const sharedFaults: HttpFault[] = [
  { kind: 'http', status: 500, body: 'Internal Server Error' },
  { kind: 'http', status: 403, body: { statusCode: 403, error: 'Forbidden', message: 'Invalid api key' } },
  { kind: 'http', status: 429, body: { statusCode: 429 }, retryAfter: '600' },
  { kind: 'html' },
  { kind: 'malformed-json' },
  { kind: 'json', body: { status: 'OK', response: [] } },
  { kind: 'hang' },
];

const googleFaults: GoogleFault[] = [
  { kind: 'status', status: 'REQUEST_DENIED' },
  { kind: 'status', status: 'OVER_DAILY_LIMIT' },
  { kind: 'status', status: 'OVER_QUERY_LIMIT' },
  { kind: 'status', status: 'UNKNOWN_ERROR' },
  // A provider (or a proxy) that echoes the request, key and all.
  {
    kind: 'status',
    status: 'INVALID_REQUEST',
    message: `Invalid request: https://maps.googleapis.com/maps/api/geocode/json?address=x&key=${GOOGLE_KEY}`,
  },
  { kind: 'status', status: 'REQUEST_DENIED', message: `API key ${GOOGLE_KEY} is not authorized` },
];

const yandexEchoes: HttpFault[] = [
  {
    kind: 'http',
    status: 403,
    body: { statusCode: 403, error: 'Forbidden', message: `Invalid api key ${YANDEX_KEY}` },
  },
  {
    kind: 'http',
    status: 400,
    body: { statusCode: 400, message: `bad request /1.x/?apikey=${YANDEX_KEY}&geocode=x` },
  },
  {
    kind: 'http',
    status: 500,
    body: { statusCode: 500, message: `upstream failed for apikey ${encodeURIComponent(YANDEX_KEY)}` },
  },
];

async function failuresOf(
  provider: GeocodingProvider,
  f: MapsFixture,
  fake: { clearFaults(): void },
  queue: (fault: GoogleFault | HttpFault) => void,
  faults: Array<GoogleFault | HttpFault>,
): Promise<unknown[]> {
  const errors: unknown[] = [];
  for (const fault of faults) {
    // Enough of each fault that retries within the deadline meet it too.
    fake.clearFaults();
    for (let i = 0; i < 6; i++) queue(fault);
    errors.push(
      await provider.forward({ address: ARBAT }, f.call).then(
        () => new Error(`no failure for ${JSON.stringify(fault)}`),
        (err: unknown) => err,
      ),
    );
    errors.push(
      await provider.reverse({ latitude: 55.7521486, longitude: 37.5847163 }, f.call).then(
        () => new Error(`no failure for ${JSON.stringify(fault)}`),
        (err: unknown) => err,
      ),
    );
  }
  return errors;
}

function assertKeyless(
  t: { false(v: boolean, m?: string): void; true(v: boolean, m?: string): void },
  key: string,
  texts: string[],
) {
  for (const text of texts) {
    t.false(text.includes(key), `the key leaked: ${text.slice(0, 200)}`);
    t.false(text.includes(encodeURIComponent(key)), 'nor URL-encoded');
  }
}

test('the Google key is sent, and is in no error, no inspected error and no audit row', async (t) => {
  const f = await fixture(t, { attemptTimeoutMs: 150, deadlineMs: 400 });
  const errors = await failuresOf(f.googleMaps, f, f.google, (x) => f.google.failNext(1, x), [
    ...googleFaults,
    ...sharedFaults,
  ]);
  t.true(
    errors.every((e) => e instanceof ProviderFailure),
    inspect(errors.filter((e) => !(e instanceof ProviderFailure))),
  );
  assertKeyless(
    t,
    GOOGLE_KEY,
    errors.flatMap((e) => [String(e), inspect(e, { depth: 10 }), JSON.stringify(e)]),
  );
  t.true(
    f.google.geocodeRequests().every((r) => r.query.key === GOOGLE_KEY),
    'every attempt carried the key',
  );
  const rows = await f.rows();
  t.true(rows.length >= errors.length);
  t.true(rows.every((r) => r.endpoint === `${f.google.url}/maps/api/geocode/json`));
  assertKeyless(
    t,
    GOOGLE_KEY,
    rows.map((r) => JSON.stringify(r)),
  );
  t.true(rows.some((r) => (r.error_message ?? '').includes('Invalid request: https://maps.googleapis.com')));
});

test('the Yandex key is sent, and is in no error, no inspected error and no audit row', async (t) => {
  const f = await fixture(t, { attemptTimeoutMs: 150, deadlineMs: 400 });
  const errors = await failuresOf(f.yandexMaps, f, f.yandex, (x) => f.yandex.failNext(1, x as HttpFault), [
    ...yandexEchoes,
    ...sharedFaults,
  ]);
  t.true(errors.every((e) => e instanceof ProviderFailure));
  assertKeyless(
    t,
    YANDEX_KEY,
    errors.flatMap((e) => [String(e), inspect(e, { depth: 10 }), JSON.stringify(e)]),
  );
  t.true(f.yandex.geocodeRequests().every((r) => r.query.apikey === YANDEX_KEY));
  const rows = await f.rows();
  t.true(rows.every((r) => r.endpoint === `${f.yandex.url}/1.x/`));
  assertKeyless(
    t,
    YANDEX_KEY,
    rows.map((r) => JSON.stringify(r)),
  );
  t.true(rows.some((r) => (r.error_message ?? '').includes('(Yandex said: Invalid api key ***)')));
});

test('the outbound budget is per service and tenant, and every retry spends it', async (t) => {
  const limiter = new OutboundRateLimiter({
    factory: new MemoryLimiterFactory(),
    keys: testKeySpace(),
    limits: new StaticServiceLimits({ minute: 100 }, { google_maps: { minute: 1 } }),
    maxWaitMs: 0,
  });
  const f = await fixture(t, { limiter });
  const t1 = { ...f.call, tenantId: 'company_1' };
  t.is((await f.googleMaps.forward({ address: ARBAT }, t1)).status, 'found');
  const refused = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }, t1), { instanceOf: AppError });
  t.is(refused?.code, 'OUTBOUND_RATE_LIMITED');
  t.true((refused?.retryAfterSeconds ?? 0) > 0);
  t.is(
    (await f.yandexMaps.forward({ address: ARBAT }, t1)).status,
    'found',
    'another service, another budget',
  );

  f.google.failNext(1, { kind: 'status', status: 'OVER_QUERY_LIMIT' });
  const t2 = { ...f.call, tenantId: 'company_2' };
  const retry = await t.throwsAsync(f.googleMaps.forward({ address: ARBAT }, t2), { instanceOf: AppError });
  t.is(retry?.code, 'OUTBOUND_RATE_LIMITED', 'the retry after OVER_QUERY_LIMIT needs budget too');
  t.is(f.google.geocodeRequests().length, 2, 'the refused calls sent nothing');
});

test('a disabled service is refused by the limiter before anything is sent', async (t) => {
  const limits: ServiceLimitsSource = {
    limitsFor: () => ({}),
    isActive: (service) => service !== 'yandex_maps',
  };
  const limiter = new OutboundRateLimiter({
    factory: new MemoryLimiterFactory(),
    keys: testKeySpace(),
    limits,
    maxWaitMs: 0,
  });
  const f = await fixture(t, { limiter });
  const err = await t.throwsAsync(f.yandexMaps.forward({ address: ARBAT }), { instanceOf: AppError });
  t.is(err?.code, 'EXTERNAL_SERVICE_DISABLED');
  t.is(f.yandex.requests.length, 0);
  t.is((await f.googleMaps.forward({ address: ARBAT })).status, 'found');
});

test('a deadline that has passed (a fallback spent it on the first provider) sends nothing', async (t) => {
  const f = await fixture(t);
  const late = { ...f.call, deadlineAt: Date.now() - 1 };
  for (const provider of [f.googleMaps, f.yandexMaps]) {
    const err = await t.throwsAsync(provider.forward({ address: ARBAT }, late), {
      instanceOf: ProviderFailure,
    });
    t.like(err, { provider: provider.name, kind: 'timeout', providerStatus: 'deadline' });
  }
  t.is(f.google.requests.length + f.yandex.requests.length, 0);
  t.deepEqual(await f.rows(), []);
});
