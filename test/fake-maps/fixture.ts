/**
 * Both geocoding providers for a test: the fake Google and Yandex servers, the
 * real providers pointed at them, the real BatchedAuditWriter on the test's
 * database, and recorders for onCall and for the backoff waits (sleep is
 * replaced, so a Retry-After of seconds costs no time; the deadline still
 * counts the waits asked for). Each fixture's calls carry their own request
 * id, so a test reads only its own integration_logs rows.
 */
import { randomUUID } from 'node:crypto';
import type { TestFn } from 'ava';
import type pg from 'pg';
import { BatchedAuditWriter } from '../../src/audit/audit-log.js';
import type { CallOutcome } from '../../src/geocoding/call-provider.js';
import { GoogleMapsProvider } from '../../src/geocoding/google-maps.js';
import type { ProviderAnswer, ProviderCall, ProviderName } from '../../src/geocoding/types.js';
import { YandexMapsProvider } from '../../src/geocoding/yandex-maps.js';
import { createLogger } from '../../src/lib/logger.js';
import type { OutboundRateLimiter } from '../../src/ratelimit/outbound-limiter.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { startFakeGoogleMaps, type FakeGoogleMaps } from './google.js';
import { startFakeYandexMaps, type FakeYandexMaps } from './yandex.js';

/** Shaped like real keys: Google's AIza… (39 characters), Yandex's a UUID. */
export const GOOGLE_KEY = 'AIzaSyFAKE-k3y_for-geocoding-tests-0123';
export const YANDEX_KEY = '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9';

export interface LogRow {
  service_name: string;
  operation: string;
  endpoint: string | null;
  method: string | null;
  status: string;
  http_status: number | null;
  duration_ms: number;
  response_bytes: number | null;
  error_message: string | null;
  request_id: string | null;
  tenant_id: string | null;
}

export interface MapsFixture {
  google: FakeGoogleMaps;
  yandex: FakeYandexMaps;
  googleMaps: GoogleMapsProvider;
  yandexMaps: YandexMapsProvider;
  calls: Array<{ service: ProviderName; outcome: CallOutcome; seconds: number }>;
  waits: number[];
  call: ProviderCall;
  rows(): Promise<LogRow[]>;
  close(): Promise<void>;
}

export interface MapsFixtureOptions {
  deadlineMs?: number;
  attemptTimeoutMs?: number;
  limiter?: OutboundRateLimiter;
  googleKey?: string;
  yandexKey?: string;
}

export async function mapsFixture(pool: pg.Pool, options: MapsFixtureOptions = {}): Promise<MapsFixture> {
  const google = await startFakeGoogleMaps(GOOGLE_KEY);
  const yandex = await startFakeYandexMaps(YANDEX_KEY);
  const audit = new BatchedAuditWriter(pool, createLogger('silent'));
  const calls: MapsFixture['calls'] = [];
  const waits: number[] = [];
  const deps = {
    audit,
    limiter: options.limiter,
    deadlineMs: options.deadlineMs ?? 10_000,
    attemptTimeoutMs: options.attemptTimeoutMs ?? 2_000,
    onCall: (service: ProviderName, outcome: CallOutcome, seconds: number) =>
      calls.push({ service, outcome, seconds }),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    random: () => 0.5,
  };
  const requestId = randomUUID();
  return {
    google,
    yandex,
    googleMaps: new GoogleMapsProvider({
      ...deps,
      apiKey: options.googleKey ?? GOOGLE_KEY,
      rootUrl: google.url,
    }),
    yandexMaps: new YandexMapsProvider({
      ...deps,
      apiKey: options.yandexKey ?? YANDEX_KEY,
      rootUrl: yandex.url,
    }),
    calls,
    waits,
    call: { requestId, tenantId: 'uk_company_1' },
    async rows() {
      await audit.flush();
      const r = await pool.query<LogRow>('SELECT * FROM integration_logs WHERE request_id = $1 ORDER BY id', [
        requestId,
      ]);
      return r.rows;
    },
    async close() {
      await audit.flush();
      await google.close();
      await yandex.close();
    },
  };
}

/**
 * For a test file: its own database (made before its tests, dropped after)
 * and `fixture(t)`, a MapsFixture per test, closed with the test.
 */
export function mapsFixtures(
  test: TestFn,
): (t: { teardown(fn: () => Promise<void>): void }, options?: MapsFixtureOptions) => Promise<MapsFixture> {
  let db: TestDatabase | undefined;
  test.before(async () => {
    db = await createTestDatabase();
  });
  test.after.always(async () => {
    await db?.drop();
  });
  return async (t, options = {}) => {
    if (db === undefined) throw new Error('mapsFixtures: the test database is not made yet');
    const f = await mapsFixture(db.pool, options);
    t.teardown(() => f.close());
    return f;
  };
}

/** The result of a found answer; anything else fails the test. */
export function found<T>(answer: ProviderAnswer<T>): T {
  if (answer.status !== 'found') throw new Error(`expected found, got ${answer.status}`);
  return answer.result;
}

export const ARBAT = 'Москва, улица Новый Арбат, 24';
