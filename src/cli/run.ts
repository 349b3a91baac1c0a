/**
 * The plumbing every integctl command shares. run() gives a command's body
 * its context and closes it afterwards, whatever happens; exitCodeOf() turns
 * what a command threw into one line on stderr and the exit code of SPEC.md:
 * 1 failure, 2 usage error, 78 configuration error. Every message goes through
 * redactSecrets: a driver's message may quote a connection string, an
 * argument may hold a key.
 */
import { CommanderError } from 'commander';
import { ConfigError, EXIT_CONFIG } from '../config/load.js';
import { redactSecrets } from '../lib/redact.js';
import type { CliServices, CommandContext, GlobalOptions } from './context.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, writeLine, type CliIO } from './io.js';

export interface CommandDeps {
  /** Runs a command body with a context that is closed afterwards, whatever happens. */
  run(body: (ctx: CommandContext, io: CliIO) => Promise<void>): Promise<void>;
}

/** `global` is read when the command runs: commander has parsed the options by then. */
export function commandDeps(io: CliIO, services: CliServices, global: () => GlobalOptions): CommandDeps {
  return {
    async run(body) {
      const ctx = services.open(io, global());
      try {
        await body(ctx, io);
      } finally {
        await ctx.close();
      }
    },
  };
}

/** The exit code for what parsing or a command threw, its message printed on stderr. */
export function exitCodeOf(err: unknown, io: CliIO): number {
  if (err instanceof CommanderError) {
    const done = ['commander.helpDisplayed', 'commander.version', 'commander.help'];
    return done.includes(err.code) ? EXIT_OK : EXIT_USAGE; // commander printed the message
  }
  const message = err instanceof Error ? err.message : String(err);
  writeLine(io.stderr, `integctl: ${redactSecrets(message)}`);
  if (err instanceof ConfigError) return EXIT_CONFIG;
  if (err instanceof UsageError) return EXIT_USAGE;
  // CommandFailed, and whatever a part threw (Postgres unreachable, ...): its message says what failed.
  return EXIT_FAILURE;
}

/**
 * Runs a check whose failures of one kind (a service's rule, an adapter's
 * validation) are the caller's mistake: they become usage errors, exit 2.
 */
export function asUsage<T>(kind: abstract new (...args: never[]) => Error, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof kind) throw new UsageError(err.message);
    throw err;
  }
}
