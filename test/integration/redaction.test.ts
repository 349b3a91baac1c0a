/**
 * Issue #14, defect 3: pg and ioredis take a password in the URL's query string
 * (?password=), and it must not reach a log line, an integctl error or
 * `integctl config show` any more than a user:pass@ password does.
 */
import { PassThrough } from 'node:stream';
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/lib/logger.js';
import { startRuntime } from '../../src/main/runtime.js';
import { freePort } from '../../src/store/embedded.js';
import { integctl } from '../helpers/cli.js';
import { createTestDatabase } from '../helpers/db.js';

const SECRET = 'Qx7-query-password-Qx7';

function capture(): { stream: PassThrough; lines: () => string[] } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  return { stream, lines: () => text.split('\n').filter((l) => l !== '') };
}

test("the daemon's Redis warn and error lines mask REDIS_URL's ?password=", async (t) => {
  const db = await createTestDatabase();
  const port = await freePort();
  const config = loadConfig({
    env: {
      DATABASE_URL: db.url,
      REDIS_URL: `redis://127.0.0.1:${port}/0?password=${SECRET}`,
      LOG_LEVEL: 'debug',
      RETRY_CRON: '0 0 1 1 *',
    },
  });
  const out = capture();
  // The daemon's own wiring (main/runtime.ts), logging into a stream this test reads.
  const runtime = await startRuntime(config, createLogger(config.logLevel, out.stream), { migrate: false });
  t.teardown(async () => {
    await runtime.stop();
    await db.drop();
  });
  const lines = out.lines();
  const warn = lines.find((l) => l.includes('Redis connection failing'));
  const error = lines.find((l) => l.includes('Redis does not answer'));
  t.truthy(warn, lines.join('\n'));
  t.truthy(error, lines.join('\n'));
  for (const line of lines) t.false(line.includes(SECRET), line);
  t.is((JSON.parse(warn ?? '{}') as { redis?: string }).redis, `redis://127.0.0.1:${port}/0?password=***`);
});

test('integctl cache stats: a Redis that does not answer is reported without ?password= or user:pass@', async (t) => {
  const port = await freePort();
  for (const url of [
    `redis://127.0.0.1:${port}/0?password=${SECRET}`,
    `redis://default:${SECRET}@127.0.0.1:${port}/0?password=${SECRET}`,
  ]) {
    for (const args of [
      ['cache', 'stats'],
      ['-v', 'cache', 'stats'],
      ['events', 'tail'],
    ]) {
      const r = await integctl(args, { REDIS_URL: url });
      t.is(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
      t.regex(r.stderr, /cannot connect to Redis at redis:\/\/.*password=\*\*\*/);
      t.false(r.stderr.includes(SECRET), r.stderr);
      t.false(r.stdout.includes(SECRET), r.stdout);
    }
  }
});

test('integctl config show masks DATABASE_URL and REDIS_URL passwords given as ?password=', async (t) => {
  const env = {
    DATABASE_URL: `postgres://u@127.0.0.1/db?password=${SECRET}`,
    REDIS_URL: `redis://127.0.0.1:6399/0?password=${SECRET}`,
    GOOGLE_SHEETS_ROOT_URL: `https://sheets.example.test/?key=${SECRET}`,
  };
  const r = await integctl(['config', 'show'], env);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^DATABASE_URL\s+postgres:\/\/u@127\.0\.0\.1\/db\?password=\*\*\*$/m);
  t.regex(r.stdout, /^REDIS_URL\s+redis:\/\/127\.0\.0\.1:6399\/0\?password=\*\*\*$/m);
  t.false(r.stdout.includes(SECRET), r.stdout);
  const json = await integctl(['config', 'show', '--json'], env);
  t.is(json.code, 0, json.stderr);
  t.false(json.stdout.includes(SECRET), json.stdout);
  t.is(
    (JSON.parse(json.stdout) as Record<string, string>).DATABASE_URL,
    'postgres://u@127.0.0.1/db?password=***',
  );
});

test('a Postgres that does not answer is reported without the ?password= of DATABASE_URL', async (t) => {
  const port = await freePort();
  const r = await integctl(['-v', 'migrate', 'status'], {
    DATABASE_URL: `postgres://u@127.0.0.1:${port}/db?password=${SECRET}&sslpassword=${SECRET}`,
  });
  t.is(r.code, 1);
  t.regex(r.stderr, /cannot connect to Postgres at 127\.0\.0\.1:\d+\/db/);
  t.false(r.stderr.includes(SECRET), r.stderr);
});
