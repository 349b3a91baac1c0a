/**
 * integctl cache stats | invalidate against a real Redis, seeded through the same
 * cache service the daemon uses (its own CACHE_KEY_PREFIX, so parallel files
 * never meet).
 */
import test from 'ava';
import { integctl } from '../helpers/cli.js';
import { backendVariants, type CacheFixture } from '../helpers/cache.js';
import { redisSkipReason, testRedisUrl } from '../helpers/redis.js';

const url = testRedisUrl();
const it = url === undefined ? test.skip : test;
const redisVariant = backendVariants().find((v) => v.name === 'redis');

async function seeded(): Promise<{ f: CacheFixture; env: NodeJS.ProcessEnv }> {
  if (redisVariant === undefined) throw new Error('no redis variant');
  const f = await redisVariant.open();
  for (const k of ['s1:A1', 's1:B2', 's2:A1'])
    await f.service.set('google_sheets', k, k, 300, 'uk_company_1');
  await f.service.set('google_sheets', 's1:A1', 'other tenant', 300, 'uk_company_2');
  await f.service.get('google_sheets', 's1:A1', 'uk_company_1');
  await f.service.get('google_sheets', 'nope', 'uk_company_1');
  await f.service.flush();
  return { f, env: { REDIS_URL: url, CACHE_KEY_PREFIX: f.keys.root } };
}

it(`cache stats prints a table per tenant and namespace${url === undefined ? ` (${redisSkipReason()})` : ''}`, async (t) => {
  const { f, env } = await seeded();
  t.teardown(() => f.close());
  const r = await integctl(['cache', 'stats'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /tenant\s*│\s*namespace\s*│\s*hits\s*│\s*misses/);
  t.regex(r.stdout, /uk_company_1\s*│\s*google_sheets\s*│\s*1\s*│\s*1\s*│\s*2\s*│\s*50\.00%\s*│\s*3\s*│\s*0/);
  t.regex(r.stdout, /uk_company_2\s*│\s*google_sheets/);
  const one = await integctl(['cache', 'stats', '--tenant', 'uk_company_2', '--json'], env);
  t.is(one.code, 0, one.stderr);
  const json = JSON.parse(one.stdout) as { tenant_id: string; namespaces: Record<string, { sets: number }> };
  t.is(json.tenant_id, 'uk_company_2');
  t.is(json.namespaces.google_sheets?.sets, 1);
});

it('cache invalidate counts first, honours --dry-run, and deletes within one tenant only', async (t) => {
  const { f, env } = await seeded();
  t.teardown(() => f.close());
  const dry = await integctl(
    [
      'cache',
      'invalidate',
      '--namespace',
      'google_sheets',
      '--tenant',
      'uk_company_1',
      '--pattern',
      's1:*',
      '--dry-run',
    ],
    env,
  );
  t.is(dry.code, 0, dry.stderr);
  t.regex(dry.stdout, /^2 key\(s\) match .*:google_sheets:uk_company_1:s1:\* \(dry run: nothing deleted\)$/m);
  t.is(await f.service.get('google_sheets', 's1:A1', 'uk_company_1'), 's1:A1');

  const all = await integctl(
    [
      'cache',
      'invalidate',
      '--namespace',
      'google_sheets',
      '--tenant',
      'uk_company_1',
      '--pattern',
      '*',
      '--yes',
      '--json',
    ],
    env,
  );
  t.is(all.code, 0, all.stderr);
  t.like(JSON.parse(all.stdout), { matched: 3, deleted: 3, dry_run: false });
  t.is(await f.service.get('google_sheets', 's2:A1', 'uk_company_1'), undefined);
  t.is(await f.service.get('google_sheets', 's1:A1', 'uk_company_2'), 'other tenant');
  const stats = await f.service.stats('uk_company_1');
  t.is(stats.namespaces.google_sheets?.invalidations, 3);
});

it('cache invalidate without --yes on a non-terminal refuses (exit 2) and deletes nothing', async (t) => {
  const { f, env } = await seeded();
  t.teardown(() => f.close());
  const r = await integctl(
    ['cache', 'invalidate', '--namespace', 'google_sheets', '--tenant', 'uk_company_1', '--pattern', '*'],
    env,
  );
  t.is(r.code, 2);
  t.regex(r.stderr, /refusing to delete 3 key\(s\).*pass --yes/);
  t.is(await f.service.get('google_sheets', 's2:A1', 'uk_company_1'), 's2:A1');
});

it('glob characters or ":" in --tenant or --namespace are usage errors (exit 2)', async (t) => {
  const { f, env } = await seeded();
  t.teardown(() => f.close());
  for (const args of [
    ['--tenant', '*', '--namespace', 'google_sheets'],
    ['--tenant', 'uk_company_1:x', '--namespace', 'google_sheets'],
    ['--tenant', 'uk_company_1', '--namespace', 'google_*'],
  ]) {
    const r = await integctl(['cache', 'invalidate', ...args, '--pattern', '*', '--yes'], env);
    t.is(r.code, 2, args.join(' '));
    t.regex(r.stderr, /contains/);
  }
  t.is(await f.service.get('google_sheets', 's1:A1', 'uk_company_2'), 'other tenant');
  const missing = await integctl(['cache', 'invalidate', '--namespace', 'google_sheets'], env);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /required option '--pattern <pattern>'/);
});

test('without REDIS_URL, invalidate explains where the cache is; stats asks the daemon (exit 1 when none answers)', async (t) => {
  const r = await integctl(
    ['cache', 'invalidate', '--namespace', 'google_sheets', '--pattern', '*', '--yes'],
    {},
  );
  t.is(r.code, 1);
  t.regex(r.stderr, /no REDIS_URL is set/);
  const stats = await integctl(['cache', 'stats'], { PORT: '1' });
  t.is(stats.code, 1);
  t.regex(stats.stderr, /cannot reach the daemon at http:\/\/127\.0\.0\.1:1 /);
});

test('bad tenants, namespaces and patterns are usage errors found before Redis is opened (exit 2)', async (t) => {
  const down = { REDIS_URL: 'redis://127.0.0.1:1/0' };
  for (const args of [
    ['cache', 'stats', '--tenant', 'a*'],
    ['cache', 'stats', '--namespace', 'google_*'],
    ['cache', 'invalidate', '--namespace', 'google_sheets', '--tenant', 'a:b', '--pattern', '*', '--yes'],
    ['cache', 'invalidate', '--namespace', '_stats', '--pattern', '*', '--yes'],
    ['cache', 'invalidate', '--namespace', 'google_sheets', '--pattern', '', '--yes'],
  ]) {
    const r = await integctl(args, down);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.notRegex(r.stderr, /cannot connect to Redis/, args.join(' '));
  }
});

test('a Redis that does not answer is a clear failure (exit 1)', async (t) => {
  const r = await integctl(['cache', 'stats'], { REDIS_URL: 'redis://:secretpw@127.0.0.1:1/0' });
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1\/0: .*ECONNREFUSED/);
  t.false(r.stderr.includes('secretpw'));
});
