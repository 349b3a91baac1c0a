/**
 * GET /health/detailed with dependencies this file owns: a Redis it kills or
 * freezes and an embedded Postgres it stops. The answer names the reason and
 * comes within the checks' 1 s deadline, never a hang.
 */
import test from 'ava';
import type { DetailedHealth } from '../../src/services/health-report.js';
import { startOwnRedis } from '../helpers/redis-server.js';
import { runtimeOnOwnPostgres, testRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

test('all up: healthy, with latency and the storage mode of each dependency', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const res = await ctx.runtime.app.inject({ url: '/health/detailed' });
  t.is(res.statusCode, 200);
  const body = res.json<DetailedHealth>();
  t.is(body.status, 'healthy');
  t.is(body.service, 'integration-service');
  t.deepEqual(body.mode, { database: 'external', redis: 'in-process' });
  t.is(body.dependencies.database.status, 'healthy');
  t.is(typeof body.dependencies.database.latency_ms, 'number');
  t.is(body.dependencies.redis.mode, 'in-process');
  t.is(body.dependencies.google_sheets.status, 'not_configured');
});

test('Redis killed: degraded (200) with the reason, and redis_up 0 in /metrics', async (t) => {
  const redis = await startOwnRedis();
  const ctx = await testRuntime({ REDIS_URL: redis.url });
  t.teardown(async () => {
    await ctx.close();
    await redis.stop();
  });
  await redis.kill();
  const res = await ctx.runtime.app.inject({ url: '/health/detailed' });
  t.is(res.statusCode, 200);
  const body = res.json<DetailedHealth>();
  t.is(body.status, 'degraded');
  t.is(body.mode.redis, 'external');
  t.is(body.dependencies.database.status, 'healthy');
  t.is(body.dependencies.redis.status, 'unhealthy');
  t.truthy(body.dependencies.redis.error);
  const metrics = (await ctx.runtime.app.inject({ url: '/metrics' })).body;
  t.regex(metrics, /^redis_up 0$/m);
  t.regex(metrics, /^postgres_up 1$/m);
});

test('Redis frozen (SIGSTOP): degraded within the deadline, not a hang', async (t) => {
  const redis = await startOwnRedis();
  const ctx = await testRuntime({ REDIS_URL: redis.url });
  t.teardown(async () => {
    await redis.resume();
    await ctx.close();
    await redis.stop();
  });
  await redis.pause();
  const res = await ctx.runtime.app.inject({ url: '/health/detailed' });
  const body = res.json<DetailedHealth>();
  t.is(body.status, 'degraded');
  t.is(body.dependencies.redis.status, 'unhealthy');
  t.regex(body.dependencies.redis.error ?? '', /timed out|no answer|timeout/i);
  // The check's own deadline is 1 s; a generous bound only proves it did not wait for Redis.
  t.true(body.dependencies.redis.latency_ms < 5000, `${body.dependencies.redis.latency_ms} ms`);
});

test('Postgres stopped: unhealthy, 503, with the reason', async (t) => {
  const own = await runtimeOnOwnPostgres();
  t.teardown(() => own.close());
  const runtime = own.runtime;
  const first = await runtime.app.inject({ url: '/health/detailed' });
  t.is(first.statusCode, 200);
  await own.stopPostgres();
  // The report is shared for a second (unit-tested with a clock); poll past that.
  const res = await eventually(async () => {
    const r = await runtime.app.inject({ url: '/health/detailed' });
    return r.statusCode === 200 ? undefined : r;
  }, 'the report after Postgres stopped');
  t.is(res.statusCode, 503);
  const body = res.json<DetailedHealth>();
  t.is(body.status, 'unhealthy');
  t.is(body.dependencies.database.status, 'unhealthy');
  t.truthy(body.dependencies.database.error);
  t.regex((await runtime.app.inject({ url: '/metrics' })).body, /^postgres_up 0$/m);
});
