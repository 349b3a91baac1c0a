import test from 'ava';
import { integctl } from '../helpers/cli.js';

test('--help on the root and on commands exits 0 and lists the commands', async (t) => {
  const root = await integctl(['--help'], {});
  t.is(root.code, 0);
  for (const word of ['migrate', 'config', 'Exit codes']) t.true(root.stdout.includes(word), word);
  const sub = await integctl(['migrate', '--help'], {});
  t.is(sub.code, 0);
  t.regex(sub.stdout, /--to <name>/);
});

test('--version prints the package version', async (t) => {
  const r = await integctl(['--version'], {});
  t.is(r.code, 0);
  t.is(r.stdout.trim(), '0.1.0');
});

test('unknown commands and flags are usage errors (exit 2)', async (t) => {
  const cmd = await integctl(['frobnicate'], {});
  t.is(cmd.code, 2);
  t.regex(cmd.stderr, /unknown command 'frobnicate'/);
  const flag = await integctl(['config', 'show', '--nope'], {});
  t.is(flag.code, 2);
  t.regex(flag.stderr, /unknown option '--nope'/);
});

test('config show prints every setting with secrets as ***', async (t) => {
  const env = {
    DATABASE_URL: 'postgres://app:hunter2@db:5432/app',
    ADMIN_TOKEN: 'admin-token-0123456789',
    STRIPE_WEBHOOK_SECRET: 'whsec_topsecret_0123456789',
    PORT: '9001',
  };
  const r = await integctl(['config', 'show'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^PORT\s+9001$/m);
  t.regex(r.stdout, /^DATABASE_URL\s+postgres:\/\/app:\*\*\*@db:5432\/app$/m);
  t.regex(r.stdout, /^ADMIN_TOKEN\s+\*\*\*$/m);
  for (const secret of ['hunter2', 'admin-token-0123456789', 'whsec_topsecret_0123456789'])
    t.false(r.stdout.includes(secret));
  const json = await integctl(['config', 'show', '--json'], env);
  t.is((JSON.parse(json.stdout) as Record<string, string>).STRIPE_WEBHOOK_SECRET, '***');
});

test('a bad configuration value exits 78 naming the key', async (t) => {
  const r = await integctl(['config', 'show'], { DATABASE_POOL_SIZE: '-1' });
  t.is(r.code, 78);
  t.regex(r.stderr, /DATABASE_POOL_SIZE="-1".*integer from 1 to 1000/);
});

test('a database that does not answer is a clear failure (exit 1), not a hang or a stack trace', async (t) => {
  const r = await integctl(['migrate', 'status'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' });
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot connect to Postgres at 127\.0\.0\.1:1\/x/);
  t.notRegex(r.stderr, /\.ts:\d+/);
});

test('loadtest values no run can take are usage errors before the daemon is contacted', async (t) => {
  for (const args of [
    ['--tenant', 'a*'],
    ['--duration', '30d'],
    ['--duration', '999999999w'],
    ['--mix', 'constructor'],
    ['--generic-source', 'Not A Source'],
  ]) {
    const r = await integctl(['loadtest', 'http://127.0.0.1:1', ...args], {});
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.notRegex(r.stderr, /cannot reach the daemon/, args.join(' '));
  }
});
