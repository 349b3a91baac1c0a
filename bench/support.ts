/**
 * Shared pieces of the benchmarks: a scratch database, a daemon started from
 * dist/ (the code users run), and printing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import pg from 'pg';
import { EVENTS_STREAM } from '../src/bus/redis-bus.js';
import { freePort } from '../src/store/embedded.js';
import { createPool } from '../src/store/database.js';
import { Migrator } from '../src/store/migrator.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function adminUrl(): string {
  return (
    process.env.BENCH_DATABASE_URL ??
    process.env.TEST_DATABASE_URL ??
    'postgres://postgres@127.0.0.1:5432/postgres'
  );
}

export function redisUrl(): string {
  return process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

export async function scratchDatabase(): Promise<{ url: string; pool: pg.Pool; drop(): Promise<void> }> {
  const name = `integ_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl());
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = createPool(url, 4, 'bench');
  await new Migrator(pool).up();
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: adminUrl() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface BenchDaemon {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node bin/integrationd.js` (dist/ must be built: npm run build). */
export async function startBuiltDaemon(env: NodeJS.ProcessEnv): Promise<BenchDaemon> {
  const port = await freePort();
  // BENCH_DAEMON_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the daemon during a run.
  const nodeArgs = (process.env.BENCH_DAEMON_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');
  const child = spawn(process.execPath, [...nodeArgs, path.join(ROOT, 'bin/integrationd.js')], {
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`integrationd exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('integrationd did not start within 60 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** CPU seconds (user + system) a process has used, from /proc (Linux). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** CPU seconds used by every process whose command name is `name` (postgres backends, say). */
export function cpuSecondsOf(name: string): number {
  let total = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) total += cpuSeconds(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** The id of the stream's newest entry: entries after it are what a run publishes from now on. */
export async function streamEnd(redis: Redis): Promise<string> {
  return (await redis.xrevrange(EVENTS_STREAM, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
}

/**
 * The stream entries published for `source` after the entry `after`, in
 * order, a page of 10,000 at a time: [entry id, payload (the event envelope)].
 */
export async function* streamEntriesOf(
  redis: Redis,
  after: string,
  source: string,
): AsyncGenerator<[id: string, payload: string]> {
  let cursor = after;
  for (;;) {
    const entries = await redis.xrange(EVENTS_STREAM, `(${cursor}`, '+', 'COUNT', 10_000);
    if (entries.length === 0) return;
    for (const [id, fields] of entries) {
      if (fields[1]?.startsWith(`integration.webhook.${source}.`)) yield [id, fields[3] ?? ''];
    }
    cursor = entries[entries.length - 1]?.[0] ?? cursor;
  }
}

/**
 * Removes the stream entries a run added for its source (after `start`), so
 * repeated runs do not grow the machine's Redis: the benches lift the stream's
 * cap to count every event they published.
 */
export async function removeStreamEntries(redis: Redis, start: string, source: string): Promise<void> {
  const ids: string[] = [];
  for await (const [id] of streamEntriesOf(redis, start, source)) ids.push(id);
  for (let i = 0; i < ids.length; i += 10_000) await redis.xdel(EVENTS_STREAM, ...ids.slice(i, i + 10_000));
}

export function row(label: string, value: string | number): void {
  process.stdout.write(`${label.padEnd(34)} ${value}\n`);
}
