/**
 * Redis for tests: TEST_REDIS_URL (set by test/run.ts). When the harness found no
 * Redis it leaves the URL empty and a reason, and Redis tests are skipped with it.
 */
import { randomBytes } from 'node:crypto';

export function testRedisUrl(): string | undefined {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  return url === '' ? undefined : url;
}

export function redisSkipReason(): string {
  return process.env.TEST_REDIS_SKIP_REASON ?? 'no Redis configured';
}

/** A key prefix of this test file's own, so files share one Redis without collisions. */
export function testKeyPrefix(): string {
  return `test-${randomBytes(4).toString('hex')}:`;
}
