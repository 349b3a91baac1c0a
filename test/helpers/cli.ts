import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';
import { eventually } from './wait.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  /** The exit code, once the command has finished. */
  exited: Promise<number>;
  stdout(): string;
  stderr(): string;
  /** Stops a command that runs until interrupted, as Ctrl-C would (io.signal). */
  stop(): void;
  /** Waits until stderr contains `text` (a command saying it is ready, for instance). */
  waitForStderr(text: string): Promise<void>;
}

/** Starts integctl in-process with live captured streams, for commands that run until stopped. */
export function startIntegctl(args: string[], env: NodeJS.ProcessEnv, stdinIsTTY = false): RunningCli {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const controller = new AbortController();
  const exited = runCli(args, { stdout, stderr, env, stdinIsTTY, signal: controller.signal });
  return {
    exited,
    stdout: () => out,
    stderr: () => err,
    stop: () => controller.abort(),
    waitForStderr: async (text) => {
      await eventually(async () => (err.includes(text) ? true : undefined), `stderr to say ${text}`);
    },
  };
}

/** Runs integctl in-process with captured streams and the given environment. */
export async function integctl(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdinIsTTY = false,
): Promise<CliResult> {
  const run = startIntegctl(args, env, stdinIsTTY);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
