/**
 * A redis-server of the test's own, on a free port, for tests that stop, freeze
 * and kill Redis. Uses the machine's redis-server binary. With `persistent`, it
 * keeps an append-only file synced on every write, so a SIGKILL loses nothing
 * Redis acknowledged (as a production Redis holding a stream should).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from '../../src/store/embedded.js';

export interface OwnRedis {
  url: string;
  port: number;
  /** Starts it again (same port, same data when persistent). */
  start(): Promise<void>;
  /** SIGKILL: no shutdown, no save. */
  kill(): Promise<void>;
  /** Kills it and removes its data. */
  stop(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open, nothing answers. */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

async function answers(port: number): Promise<boolean> {
  const client = new Redis({
    port,
    host: '127.0.0.1',
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

export async function startOwnRedis(options: { persistent?: boolean } = {}): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'integ-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  args.push(
    ...(options.persistent ? ['--appendonly', 'yes', '--appendfsync', 'always'] : ['--appendonly', 'no']),
  );
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', args, { stdio: 'ignore' });
    for (let i = 0; i < 400 && !(await answers(port)); i++) await new Promise((r) => setTimeout(r, 25));
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGCONT');
      c.kill('SIGKILL');
    });
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill,
    async stop() {
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
    async pause() {
      child?.kill('SIGSTOP');
    },
    async resume() {
      child?.kill('SIGCONT');
    },
  };
}
