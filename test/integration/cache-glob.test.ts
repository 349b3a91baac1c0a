/**
 * The in-process backend's glob matcher must agree with Redis, or the two
 * implementations would invalidate different keys for the same pattern. This
 * asks a real Redis (SCAN MATCH) and compares, pattern by pattern.
 */
import test from 'ava';
import { escapeGlob } from '../../src/redis/keys.js';
import { globMatcher } from '../../src/lib/glob.js';
import { createLogger } from '../../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../../src/redis/clients.js';
import { redisSkipReason, testKeyPrefix, testRedisUrl } from '../helpers/redis.js';

const KEYS = [
  'a',
  'ab',
  'abc',
  'a:b',
  'a:b:c',
  'b',
  'x[1]',
  'x1',
  'a*b',
  'a?b',
  'a\\b',
  'sheet1:FORMATTED_VALUE:Sheet1!A1:B2',
  "sheet1:FORMULA:'My Sheet'!A:A",
  '',
  'z-y',
  'ü',
  'üx',
];
const PATTERNS = [
  '*',
  'a*',
  '*b',
  'a?',
  'a??',
  '[ab]',
  '[^a]',
  '[a-b]*',
  '[b-a]*',
  'x\\[1\\]',
  'x[1]',
  'a\\*b',
  'a\\?b',
  'a\\\\b',
  'a:*',
  'sheet1:*',
  "*'My Sheet'*",
  '*!A1*',
  '[z]-y',
  '[',
  'a[',
  '[]',
  '?',
  '??',
  '??x',
];

const url = testRedisUrl();
const it = url === undefined ? test.skip : test;

it(`the in-process glob matcher agrees with Redis SCAN MATCH (${url === undefined ? redisSkipReason() : 'real Redis'})`, async (t) => {
  const redis = createRedisClient(url ?? '', 'request', { name: 'test-glob', log: createLogger('silent') });
  await connectRedis(redis, 15_000);
  const prefix = `${testKeyPrefix()}glob:`;
  t.teardown(async () => {
    await redis.unlink(...KEYS.map((k) => prefix + k));
    await closeRedis(redis);
  });
  for (const k of KEYS) await redis.set(prefix + k, '1', 'EX', 60);
  for (const pattern of PATTERNS) {
    const full = escapeGlob(prefix) + pattern;
    const fromRedis: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', full, 'COUNT', 1000);
      cursor = next;
      fromRedis.push(...keys);
    } while (cursor !== '0');
    const ours = KEYS.map((k) => prefix + k).filter(globMatcher(full));
    t.deepEqual(ours.sort(), [...new Set(fromRedis)].sort(), `pattern ${JSON.stringify(pattern)}`);
  }
});
