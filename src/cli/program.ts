/**
 * The integctl command tree. Each command group lives in commands/<name>.ts
 * and only parses arguments and prints; the work is in services/, reached
 * through the context main/ctl-services.ts builds (context.ts). runCli() maps
 * failures to SPEC.md exit codes (run.ts): 0 success, 1 failure, 2 usage
 * error, 78 configuration error. Everything commander writes to stderr goes
 * through redactSecrets: an argument may hold a key.
 */
import { Command } from 'commander';
import { redactSecrets } from '../lib/redact.js';
import { VERSION } from '../lib/version.js';
import type { CliServices, GlobalOptions } from './context.js';
import { EXIT_OK, EXIT_USAGE, type CliIO } from './io.js';
import { commandDeps, exitCodeOf } from './run.js';
import { registerCache } from './commands/cache.js';
import { registerConfig } from './commands/config.js';
import { registerEvents } from './commands/events.js';
import { registerGeocode } from './commands/geocode.js';
import { registerHealth } from './commands/health.js';
import { registerLoadtest } from './commands/loadtest.js';
import { registerMigrate } from './commands/migrate.js';
import { registerServices } from './commands/services.js';
import { registerSources } from './commands/sources.js';
import { registerWebhooks } from './commands/webhooks.js';

/** For a tree built only to be read (its commands and help): running a command fails. */
const UNWIRED: CliServices = {
  open() {
    throw new Error('this command tree has no services; integctl runs through main/ctl.ts');
  },
};

export function buildProgram(io: CliIO, services: CliServices = UNWIRED): Command {
  const program = new Command('integctl');
  program
    .description(
      'Operate integration-service: events, sources, external services, cache, migrations, load tests.',
    )
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

  const deps = commandDeps(io, services, () => program.opts<GlobalOptions>());
  registerMigrate(program, deps);
  registerEvents(program, deps);
  registerSources(program, deps);
  registerWebhooks(program, deps);
  registerConfig(program, deps);
  registerCache(program, deps);
  registerHealth(program, deps);
  registerLoadtest(program, deps);
  registerServices(program, deps);
  registerGeocode(program, deps);
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
export async function runCli(argv: string[], io: CliIO, services: CliServices): Promise<number> {
  const program = buildProgram(io, services);
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    return exitCodeOf(err, io);
  }
}
