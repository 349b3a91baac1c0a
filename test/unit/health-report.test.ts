/**
 * The detailed health report's rules, with injected pings and clock: which
 * failure makes it degraded or unhealthy, the deadline, and the one-second
 * sharing that keeps a polling loop from becoming a query per request.
 */
import test from 'ava';
import { cachedFor, withTimeout, TimeoutError } from '../../src/lib/time-limit.js';
import { healthReporter } from '../../src/services/health-report.js';

const mode = { database: 'external', redis: 'external' } as const;
const fail = (message: string) => () => Promise.reject(new Error(message));
const ok = () => Promise.resolve();

test('database down is unhealthy; Redis down or Sheets unhealthy is degraded', async (t) => {
  const dbDown = await healthReporter({
    version: '1',
    mode,
    pingDatabase: fail('ECONNREFUSED'),
    pingRedis: ok,
  })();
  t.is(dbDown.status, 'unhealthy');
  t.is(dbDown.dependencies.database.error, 'ECONNREFUSED');
  const redisDown = await healthReporter({ version: '1', mode, pingDatabase: ok, pingRedis: fail('down') })();
  t.is(redisDown.status, 'degraded');
  const sheetsDown = await healthReporter({
    version: '1',
    mode,
    pingDatabase: ok,
    pingRedis: ok,
    sheets: () => ({
      service: 'google_sheets',
      status: 'unhealthy',
      configured: true,
      timestamp: '',
      last_success_at: null,
      last_failure_at: null,
      last_failure_code: 'SHEETS_AUTH_FAILED',
      consecutive_failures: 1,
    }),
  })();
  t.is(sheetsDown.status, 'degraded');
  const allUp = await healthReporter({ version: '1', mode, pingDatabase: ok, pingRedis: ok })();
  t.is(allUp.status, 'healthy');
});

test('a ping that never answers is reported unhealthy at the deadline', async (t) => {
  const report = await healthReporter({
    version: '1',
    mode,
    pingDatabase: () => new Promise(() => undefined),
    timeoutMs: 20,
  })();
  t.is(report.status, 'unhealthy');
  t.regex(report.dependencies.database.error ?? '', /no answer within 20 ms/);
});

test('callers within the cache period share one check; after it a new one runs', async (t) => {
  let clock = 0;
  let pings = 0;
  const report = healthReporter({
    version: '1',
    mode,
    pingDatabase: async () => void pings++,
    cacheMs: 1000,
    now: () => clock,
  });
  await Promise.all([report(), report(), report()]);
  clock = 999;
  await report();
  t.is(pings, 1);
  clock = 2000;
  await report();
  t.is(pings, 2);
});

test('cachedFor shares a rejection too, and withTimeout rejects with TimeoutError', async (t) => {
  let calls = 0;
  const read = cachedFor(1000, async () => {
    calls++;
    throw new Error('down');
  });
  await t.throwsAsync(read(), { message: 'down' });
  await t.throwsAsync(read(), { message: 'down' });
  t.is(calls, 1);
  await t.throwsAsync(withTimeout(new Promise(() => undefined), 10, 'x'), { instanceOf: TimeoutError });
});

test('a failed check never reports a credential its error carried', async (t) => {
  const report = await healthReporter({
    version: '1',
    mode,
    pingDatabase: ok,
    pingRedis: fail('cannot connect to redis://:s3cret-pw@10.0.0.9:6399/0?password=other-secret'),
  })();
  const error = report.dependencies.redis?.error ?? '';
  t.true(error.startsWith('cannot connect to redis://'), error);
  t.false(error.includes('s3cret-pw'), error);
  t.false(error.includes('other-secret'), error);
});
