/**
 * Runs integrationd as a real child process (through tsx, from src/) on a free
 * port, for tests of start-up, signals and crashes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/store/embedded.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface DaemonProcess {
  url: string;
  port: number;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export function runDaemon(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output(): string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/main/daemon.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

/** Starts the daemon and waits until it listens (or fails to). */
export async function startDaemon(
  env: NodeJS.ProcessEnv,
  args: string[] = [],
  timeoutMs = 60_000,
): Promise<DaemonProcess> {
  const port = await freePort();
  const run = runDaemon(args, { HOST: '127.0.0.1', PORT: String(port), ...env });
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void run.exited.then((c) => (exitCode = c));
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (exitCode !== undefined) throw new Error(`integrationd exited with ${exitCode}:\n${run.output()}`);
    try {
      if ((await fetch(`${url}/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      run.child.kill('SIGKILL');
      throw new Error(`integrationd did not listen within ${timeoutMs} ms:\n${run.output()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { ...run, port, url };
}
