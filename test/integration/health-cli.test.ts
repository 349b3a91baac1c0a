/**
 * integctl health against a daemon listening on a real socket: the table, the
 * JSON, exit 1 when unhealthy, and a clear message when nothing listens.
 */
import test from 'ava';
import type { DetailedHealth } from '../../src/services/health-report.js';
import { freePort } from '../../src/store/embedded.js';
import { integctl } from '../helpers/cli.js';
import { runtimeOnOwnPostgres, testRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

test('a healthy daemon: a table of dependencies, or the report as JSON; exit 0', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const url = await ctx.runtime.app.listen({ host: '127.0.0.1', port: 0 });
  const table = await integctl(['health', '--url', url], {});
  t.is(table.code, 0, table.stderr);
  t.regex(table.stdout, /integration-service \S+ at http:\/\/127\.0\.0\.1:\d+: HEALTHY/);
  t.regex(table.stdout, /│ database\s+│ healthy\s+│/);
  t.regex(table.stdout, /│ redis\s+│ healthy\s+│\s+│ in-process/);
  t.regex(table.stdout, /│ google_sheets\s+│ not_configured/);
  t.regex(table.stdout, /│ geocoding\s+│ not_configured\s+│\s+│ not configured/);
  const json = await integctl(['health', '--url', url, '--json'], {});
  t.is(json.code, 0);
  t.is((JSON.parse(json.stdout) as DetailedHealth).status, 'healthy');
});

test('an unhealthy daemon (Postgres stopped): the reason is printed and the exit code is 1', async (t) => {
  const own = await runtimeOnOwnPostgres();
  t.teardown(() => own.close());
  const runtime = own.runtime;
  const url = await runtime.app.listen({ host: '127.0.0.1', port: 0 });
  await own.stopPostgres();
  await eventually(async () => {
    const r = await fetch(`${url}/health/detailed`);
    return ((await r.json()) as DetailedHealth).status === 'unhealthy' ? true : undefined;
  }, 'unhealthy report');
  const r = await integctl(['health', '--url', url], {});
  t.is(r.code, 1);
  t.regex(r.stdout, /UNHEALTHY/);
  t.regex(r.stdout, /│ database\s+│ unhealthy/);
  t.regex(r.stderr, /the daemon is unhealthy: database /);
});

test('nothing listening, or not a URL: a clear message and exit 1 or 2', async (t) => {
  const port = await freePort();
  const r = await integctl(['health', '--url', `http://127.0.0.1:${port}`], {});
  t.is(r.code, 1);
  t.regex(
    r.stderr,
    /cannot reach the daemon at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\); is integrationd running there\?/,
  );
  const bad = await integctl(['health', '--url', 'not a url'], {});
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--url "not a url" is not a URL/);
});
