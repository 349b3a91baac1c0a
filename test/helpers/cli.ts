import { PassThrough, Readable } from 'node:stream';
import { runCtl } from '../../src/main/ctl-services.js';
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

export interface CliInput {
  /** Whether standard input is a terminal (prompts are allowed). */
  stdinIsTTY?: boolean;
  /** What standard input holds; none (as from /dev/null) when left out. */
  stdin?: string;
}

/**
 * Starts integctl in-process, with its real wiring (main/ctl-services.ts) and
 * live captured streams, for commands that run until stopped.
 */
export function startIntegctl(args: string[], env: NodeJS.ProcessEnv, input: CliInput = {}): RunningCli {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const controller = new AbortController();
  const exited = runCtl(args, {
    stdout,
    stderr,
    stdin: Readable.from(input.stdin === undefined ? [] : [Buffer.from(input.stdin)]),
    env,
    stdinIsTTY: input.stdinIsTTY === true,
    signal: controller.signal,
  });
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
  input: CliInput = {},
): Promise<CliResult> {
  const run = startIntegctl(args, env, input);
  const code = await run.exited;
  return { code, stdout: run.stdout(), stderr: run.stderr() };
}
