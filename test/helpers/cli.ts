import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs integctl in-process with captured streams and the given environment. */
export async function integctl(
  args: string[],
  env: NodeJS.ProcessEnv,
  stdinIsTTY = false,
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const code = await runCli(args, { stdout, stderr, env, stdinIsTTY });
  return { code, stdout: out, stderr: err };
}
