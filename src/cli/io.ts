import type { Readable, Writable } from 'node:stream';

/** The streams and environment a command runs with; tests pass captured ones. */
export interface CliIO {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  /** What `--secret-stdin` reads and prompts answer on; absent, there is no input (as from /dev/null). */
  stdin?: Readable;
  stdinIsTTY: boolean;
  env: NodeJS.ProcessEnv;
  /** Stops a command that runs until interrupted (events tail) as Ctrl-C would; tests use it. */
  signal?: AbortSignal;
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called: exit code 2, message says the accepted forms. */
export class UsageError extends Error {
  readonly exitCode = EXIT_USAGE;
}

/** A failure the operator should read (no stack trace): exit code 1. */
export class CommandFailed extends Error {
  readonly exitCode = EXIT_FAILURE;
}

export function writeLine(stream: Writable, text = ''): void {
  stream.write(`${text}\n`);
}

export function writeJson(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** All of standard input, as UTF-8 text: '' when there is none. */
export async function readStdin(io: CliIO): Promise<string> {
  if (io.stdin === undefined) return '';
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
