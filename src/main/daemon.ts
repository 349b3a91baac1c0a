/**
 * Entry point of integrationd: flags, configuration, start, and signals.
 * SIGTERM or SIGINT stops accepting requests, closes connections that have not
 * sent a whole request (whatever the clients do, they cannot hold it up), drains,
 * stops the parts in reverse order (embedded Postgres last) and exits 0; a second
 * SIGINT or the shutdown timeout exits 1 at once.
 */
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, EXIT_CONFIG, loadConfig } from '../config/load.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../lib/logger.js';
import { redactSecrets } from '../lib/redact.js';
import { VERSION } from '../lib/version.js';
import { DatabaseUnreachable } from '../store/database.js';
import { SchemaBehind } from '../store/schema-check.js';
import { startRuntime } from './runtime.js';

interface DaemonFlags {
  port?: string;
  host?: string;
  config?: string;
  migrate?: boolean;
  role?: string;
}

function parseFlags(argv: string[]): DaemonFlags {
  const program = new Command('integrationd')
    .description('integration-service daemon: webhook ingest, processing, retries, Google Sheets API')
    .version(VERSION, '-V, --version')
    .option('-p, --port <port>', 'listen port (PORT)')
    .option('--host <host>', 'listen address (HOST)')
    .option('-c, --config <file>', 'JSON config file; keys are the environment variable names')
    .option('--migrate', 'apply pending migrations before serving')
    .addOption(new Option('--role <role>', 'all, api (HTTP and ingest) or worker (processing and retries)'))
    .addHelpText(
      'after',
      '\nSettings come from flags, then the environment, then config files; see man integrationd.\nExit codes: 0 clean stop, 1 failure, 2 usage error, 78 configuration error.',
    )
    .exitOverride();
  program.parse(argv, { from: 'user' });
  return program.opts<DaemonFlags>();
}

async function main(): Promise<number> {
  let flags: DaemonFlags;
  try {
    flags = parseFlags(process.argv.slice(2));
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    throw err;
  }
  let config: Config;
  try {
    config = loadConfig({
      configFile: flags.config,
      flags: { port: flags.port, host: flags.host, role: flags.role },
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`integrationd: ${redactSecrets(err.message)}\n`);
      return EXIT_CONFIG;
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  let runtime;
  try {
    runtime = await startRuntime(config, log, { migrate: flags.migrate === true });
    await runtime.app.listen({ port: config.port, host: config.host, backlog: config.httpListenBacklog });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // Errors we explain need no stack trace; anything else keeps it for the bug report.
    const explained =
      err instanceof ConfigError || err instanceof DatabaseUnreachable || err instanceof SchemaBehind;
    log.fatal(explained ? {} : { err }, `cannot start: ${message}`);
    process.stderr.write(`integrationd: cannot start: ${redactSecrets(message)}\n`);
    await runtime?.stop();
    return err instanceof ConfigError ? EXIT_CONFIG : 1;
  }
  const started = runtime;
  return new Promise<number>((resolve) => {
    let stopping = false;
    const shutdown = (signal: NodeJS.Signals) => {
      if (stopping) {
        // A repeated SIGTERM (a supervisor's and a process group's) changes nothing;
        // a second Ctrl-C means the operator will not wait.
        if (signal === 'SIGINT') {
          log.warn({ signal }, 'second interrupt: exiting now');
          resolve(1);
        }
        return;
      }
      stopping = true;
      log.info({ signal }, 'shutting down');
      const timer = setTimeout(() => {
        log.error({ seconds: config.shutdownTimeoutSeconds }, 'shutdown timed out; exiting');
        resolve(1);
      }, config.shutdownTimeoutSeconds * 1000);
      timer.unref();
      started.stop().then(
        () => {
          log.info('stopped');
          resolve(0);
        },
        (err: unknown) => {
          log.error({ err }, 'error while stopping');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', shutdown);
    process.on('SIGINT', shutdown);
  });
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `integrationd: ${redactSecrets(err instanceof Error ? (err.stack ?? err.message) : String(err))}\n`,
    );
    process.exit(1);
  },
);
