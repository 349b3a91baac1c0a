/**
 * `npm test`: finds the servers the suite needs, then runs ava.
 *
 * Postgres: TEST_DATABASE_URL, else the local server on 5432; when neither
 * answers (a fresh machine with only Node), an embedded Postgres is started in
 * the system temp dir for the run. Redis: TEST_REDIS_URL, else 6379; when it does
 * not answer, Redis tests are skipped with the reason printed, except with
 * CI=true, where a missing Redis fails the run.
 *
 * The last line is "tests: N passed, N failed", the counts ava reported.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Redis } from 'ioredis';
import { createLogger } from '../src/lib/logger.js';
import { openEmbeddedPostgres } from '../src/store/embedded.js';

const DEFAULT_PG = 'postgres://postgres@127.0.0.1:5432/postgres';
const DEFAULT_REDIS = 'redis://127.0.0.1:6379';
/** Longer than any run (ava's timeout is 2 min per test; a full run takes a few minutes). */
const LEFTOVER_AGE_SECONDS = 3 * 3600;

async function postgresAnswers(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  }
}

async function redisAnswers(url: string): Promise<string | undefined> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (err) {
    return (err as Error).message || String(err);
  } finally {
    redis.disconnect();
  }
}

/**
 * Drops test databases left by runs that died. Only old ones (the creation time
 * is in the name, see test/helpers/db.ts): another run may be going on against
 * the same Postgres right now, and its databases must survive this one starting.
 * Names without a time (older harness) go only when no one is connected.
 */
async function dropLeftoverDatabases(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const rows = await client.query<{ datname: string; in_use: boolean }>(
    `SELECT datname, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname) AS in_use
       FROM pg_database d WHERE datname LIKE 'integ_test_%' AND NOT datistemplate`,
  );
  const cutoff = Date.now() / 1000 - LEFTOVER_AGE_SECONDS;
  for (const { datname, in_use } of rows.rows) {
    const stamp = /^integ_test_([0-9a-z]+)_[0-9a-f]+$/.exec(datname)?.[1];
    const old = stamp === undefined ? !in_use : parseInt(stamp, 36) < cutoff;
    if (old) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  }
  await client.end();
}

async function main(): Promise<number> {
  const env = { ...process.env };
  const log = createLogger('warn');
  let stopEmbedded: (() => Promise<void>) | undefined;

  const pgUrl = env.TEST_DATABASE_URL ?? DEFAULT_PG;
  const pgProblem = await postgresAnswers(pgUrl);
  if (pgProblem === undefined) {
    env.TEST_DATABASE_URL = pgUrl;
  } else if (env.TEST_DATABASE_URL !== undefined) {
    process.stderr.write(`test: TEST_DATABASE_URL does not answer: ${pgProblem}\n`);
    return 1;
  } else {
    const dir = path.join(os.tmpdir(), `integration-service-test-${process.getuid?.() ?? 'user'}`);
    process.stderr.write(
      `test: no Postgres at 127.0.0.1:5432 (${pgProblem}); starting an embedded one in ${dir}\n`,
    );
    const embedded = await openEmbeddedPostgres(dir, log);
    stopEmbedded = embedded.owned ? () => embedded.stop() : undefined;
    const u = new URL(embedded.url);
    u.pathname = '/postgres';
    env.TEST_DATABASE_URL = u.toString();
  }
  await dropLeftoverDatabases(env.TEST_DATABASE_URL);

  const redisUrl = env.TEST_REDIS_URL ?? DEFAULT_REDIS;
  const redisProblem = await redisAnswers(redisUrl);
  if (redisProblem === undefined) {
    env.TEST_REDIS_URL = redisUrl;
  } else if (env.CI === 'true') {
    process.stderr.write(
      `test: CI=true and Redis at ${redisUrl} does not answer (${redisProblem}); failing\n`,
    );
    await stopEmbedded?.();
    return 1;
  } else {
    process.stderr.write(
      `test: Redis at ${redisUrl} does not answer (${redisProblem}); Redis tests will be skipped\n`,
    );
    env.TEST_REDIS_URL = '';
    env.TEST_REDIS_SKIP_REASON = `Redis at ${redisUrl} does not answer: ${redisProblem}`;
  }

  // ava's package exports no path to its CLI, so it is found by its place in node_modules.
  const avaCli = path.join(
    path.dirname(fileURLToPath(import.meta.url)),
    '..',
    'node_modules',
    'ava',
    'entrypoints',
    'cli.mjs',
  );
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [avaCli, ...process.argv.slice(2)], {
      env,
      stdio: ['inherit', 'pipe', 'pipe'],
    });
    let output = '';
    const relay = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString('utf8');
      to.write(chunk);
    };
    child.stdout.on('data', (c: Buffer) => relay(c, process.stdout));
    child.stderr.on('data', (c: Buffer) => relay(c, process.stderr));
    child.on('close', (exitCode) => {
      // ava's closing lines: "✔ 12 tests passed", "✘ 1 test failed", "2 tests skipped".
      // eslint-disable-next-line no-control-regex -- strips ANSI colour codes
      const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
      const count = (re: RegExp) => Number(re.exec(plain)?.[1] ?? 0);
      // With failures ava prints no "passed" line, so passed tests are counted by their ✔ marks.
      const marks = plain.split('\n').filter((l) => /^\s*✔ /.test(l)).length;
      const passed = Math.max(count(/(\d+) tests? passed/), marks);
      const failed =
        count(/(\d+) tests? failed/) +
        count(/(\d+) uncaught exceptions?/) +
        count(/(\d+) unhandled rejections?/);
      const skipped = count(/(\d+) tests? skipped/);
      const failedTotal = exitCode !== 0 && failed === 0 ? 1 : failed;
      process.stdout.write(
        `\ntests: ${passed} passed, ${failedTotal} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
      );
      resolve(exitCode ?? 1);
    });
  });
  await stopEmbedded?.();
  return code;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`test: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
