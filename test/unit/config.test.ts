import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, describeConfig, loadConfig } from '../../src/config/load.js';

function configDir(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'integ-config-'));
  for (const [name, value] of Object.entries(files))
    writeFileSync(path.join(dir, name), JSON.stringify(value));
  return dir;
}

const empty = configDir({});

test('defaults follow SPEC.md', (t) => {
  const c = loadConfig({ env: {}, configDir: empty });
  t.is(c.port, 8009);
  t.is(c.host, '0.0.0.0');
  t.is(c.environment, 'development');
  t.is(c.databaseUrl, undefined);
  t.is(c.databasePoolSize + c.databaseMaxOverflow, 30);
  t.is(c.cacheDefaultTtl, 300);
  t.is(c.webhookMaxBodyBytes, 1_048_576);
  t.is(c.retryCron, '*/10 * * * * *');
  t.is(c.retryMaxAttempts, 3);
  t.is(c.role, 'all');
});

test('precedence: flag > env > --config file > config/<ENVIRONMENT>.json > config/default.json', (t) => {
  const dir = configDir({
    'default.json': { PORT: 1001, HOST: '127.0.0.5', LOG_LEVEL: 'debug', CACHE_DEFAULT_TTL: 11 },
    'test.json': { PORT: 1002, HOST: '127.0.0.6', CACHE_DEFAULT_TTL: 12 },
  });
  const explicit = path.join(configDir({ 'x.json': { PORT: 1003, CACHE_DEFAULT_TTL: 13 } }), 'x.json');
  const c = loadConfig({
    env: { ENVIRONMENT: 'test', PORT: '1004' },
    configDir: dir,
    configFile: explicit,
    flags: { port: '1005' },
  });
  t.is(c.port, 1005);
  t.is(c.cacheDefaultTtl, 13);
  t.is(c.host, '127.0.0.6');
  t.is(c.logLevel, 'debug');
  t.is(loadConfig({ env: { ENVIRONMENT: 'test', PORT: '1004' }, configDir: dir }).port, 1004);
  t.is(loadConfig({ env: {}, configDir: dir }).port, 1001);
});

test('REDIS_CACHE_TTL is an alias of CACHE_DEFAULT_TTL, and the main name wins', (t) => {
  t.is(loadConfig({ env: { REDIS_CACHE_TTL: '60' }, configDir: empty }).cacheDefaultTtl, 60);
  t.is(
    loadConfig({ env: { REDIS_CACHE_TTL: '60', CACHE_DEFAULT_TTL: '70' }, configDir: empty }).cacheDefaultTtl,
    70,
  );
});

for (const [key, value, allowed] of [
  ['PORT', 'abc', 'integer from 1 to 65535'],
  ['PORT', '70000', 'integer from 1 to 65535'],
  ['DATABASE_POOL_SIZE', '-1', 'integer from 1 to 1000'],
  ['DATABASE_URL', 'not a url', 'postgres://'],
  ['DATABASE_URL', 'mysql://db/x', 'postgres://'],
  ['REDIS_URL', 'http://x', 'redis://'],
  ['ENVIRONMENT', 'staging', 'development, test, production'],
  ['CACHE_ENABLED', 'maybe', 'true or false'],
  ['RETRY_CRON', 'every minute', 'cron expression'],
  ['STRIPE_WEBHOOK_SECRET', 'sk_live_x', 'whsec_'],
  // The prefix alone (or a short key) would make an HMAC key anyone can sign with.
  ['STRIPE_WEBHOOK_SECRET', 'whsec_', 'at least 16'],
  ['STRIPE_WEBHOOK_SECRET', 'whsec_short', 'at least 16'],
] as const) {
  test(`bad ${key}=${value} is one line naming the key and what is allowed`, (t) => {
    const err = t.throws(() => loadConfig({ env: { [key]: value }, configDir: empty }), {
      instanceOf: ConfigError,
    });
    t.true(err.message.includes(key));
    t.true(err.message.includes(allowed), err.message);
    t.false(err.message.includes('\n'));
    t.is(err.exitCode, 78);
  });
}

test('a bad secret value is not echoed in the error', (t) => {
  const err = t.throws(() =>
    loadConfig({ env: { STRIPE_WEBHOOK_SECRET: 'sk_live_supersecret' }, configDir: empty }),
  );
  t.false(err.message.includes('supersecret'));
  t.true(err.message.includes('***'));
});

test("the old service's postgresql+asyncpg:// URLs are accepted", (t) => {
  const c = loadConfig({ env: { DATABASE_URL: 'postgresql+asyncpg://u:p@db:5433/app' }, configDir: empty });
  t.is(c.databaseUrl, 'postgres://u:p@db:5433/app');
});

test('unknown keys in a config file are refused with the key named', (t) => {
  const dir = configDir({ 'default.json': { PROT: 1 } });
  const err = t.throws(() => loadConfig({ env: {}, configDir: dir }), { instanceOf: ConfigError });
  t.true(err.message.includes('PROT'));
});

test('production refuses to start without ADMIN_TOKEN', (t) => {
  const err = t.throws(() => loadConfig({ env: { ENVIRONMENT: 'production' }, configDir: empty }), {
    instanceOf: ConfigError,
  });
  t.true(err.message.includes('ADMIN_TOKEN'));
  t.is(
    loadConfig({ env: { ENVIRONMENT: 'production', ADMIN_TOKEN: 'x'.repeat(32) }, configDir: empty })
      .environment,
    'production',
  );
});

test('describeConfig shows secrets as *** and URL passwords masked', (t) => {
  const c = loadConfig({
    env: {
      DATABASE_URL: 'postgres://app:hunter2@db/app',
      REDIS_URL: 'redis://:redispass@cache:6379',
      ADMIN_TOKEN: 'admintoken-0123456789',
      STRIPE_WEBHOOK_SECRET: 'whsec_abcabcabcabcabcabc,whsec_defdefdefdefdefdef',
    },
    configDir: empty,
  });
  const text = JSON.stringify(describeConfig(c));
  for (const secret of ['hunter2', 'redispass', 'admintoken-0123456789', 'whsec_abc', 'whsec_def'])
    t.false(text.includes(secret), secret);
  const byKey = Object.fromEntries(describeConfig(c).map((r) => [r.key, r.value]));
  t.is(byKey.DATABASE_URL, 'postgres://app:***@db/app');
  t.is(byKey.ADMIN_TOKEN, '***');
  t.is(byKey.STRIPE_WEBHOOK_SECRET, '***');
});
