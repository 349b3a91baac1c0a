/**
 * The integctl command tree. Each command lives in commands/<name>.ts and only
 * parses arguments and prints; the work is in services/ and store/, shared
 * with the daemon. runCli() maps failures to SPEC.md exit codes: 0 success,
 * 1 failure, 2 usage error, 78 configuration error. Every error it prints, and
 * everything commander writes to stderr, goes through redactSecrets: a driver's
 * message may quote a connection string or an argument may hold a key.
 */
import { Command, CommanderError } from 'commander';
import { ConfigError, EXIT_CONFIG } from '../config/load.js';
import { redactSecrets } from '../lib/redact.js';
import { VERSION } from '../lib/version.js';
import { createContext, type CommandContext, type GlobalOptions } from './context.js';
import { CommandFailed, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, writeLine, type CliIO } from './io.js';
import { registerCache } from './commands/cache.js';
import { registerConfig } from './commands/config.js';
import { registerEvents } from './commands/events.js';
import { registerHealth } from './commands/health.js';
import { registerLoadtest } from './commands/loadtest.js';
import { registerMigrate } from './commands/migrate.js';
import { registerSources } from './commands/sources.js';
import { registerWebhooks } from './commands/webhooks.js';

export interface CommandDeps {
  /** Runs a command body with a context that is closed afterwards, whatever happens. */
  run(body: (ctx: CommandContext, io: CliIO) => Promise<void>): Promise<void>;
}

export function buildProgram(io: CliIO): Command {
  const program = new Command('integctl');
  program
    .description('Operate integration-service: events, sources, cache, migrations, load tests.')
    .version(VERSION, '-V, --version')
    .option('-c, --config <file>', 'JSON config file (keys are the environment variable names)')
    .option('-v, --verbose', 'log diagnostics to stderr')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput(output(io))
    .addHelpText(
      'after',
      '\nConfiguration comes from the same settings as integrationd (see integctl config show).\nExit codes: 0 success, 1 failure, 2 usage error, 78 configuration error.',
    );

  const deps: CommandDeps = {
    async run(body) {
      const ctx = createContext(io, program.opts<GlobalOptions>());
      try {
        await body(ctx, io);
      } finally {
        await ctx.close();
      }
    },
  };
  registerMigrate(program, deps);
  registerEvents(program, deps);
  registerSources(program, deps);
  registerWebhooks(program, deps);
  registerConfig(program, deps);
  registerCache(program, deps);
  registerHealth(program, deps);
  registerLoadtest(program, deps);
  // Every subcommand reports usage errors the same way as the root.
  for (const command of program.commands) inheritSettings(command, io);
  return program;
}

function output(io: CliIO) {
  return {
    writeOut: (s: string) => io.stdout.write(s),
    writeErr: (s: string) => io.stderr.write(redactSecrets(s)),
  };
}

function inheritSettings(command: Command, io: CliIO): void {
  command.exitOverride().configureOutput(output(io));
  command.showHelpAfterError('(run with --help for usage)');
  for (const sub of command.commands) inheritSettings(sub, io);
}

/** Parses argv (without node and script) and runs the command; returns the exit code. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const program = buildProgram(io);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return EXIT_OK;
      }
      return EXIT_USAGE; // commander already printed the message
    }
    const fail = (code: number, message: string) => {
      writeLine(io.stderr, `integctl: ${redactSecrets(message)}`);
      return code;
    };
    if (err instanceof ConfigError) return fail(EXIT_CONFIG, err.message);
    if (err instanceof UsageError) return fail(EXIT_USAGE, err.message);
    if (err instanceof CommandFailed) return fail(EXIT_FAILURE, err.message);
    return fail(EXIT_FAILURE, err instanceof Error ? err.message : String(err));
  }
}
