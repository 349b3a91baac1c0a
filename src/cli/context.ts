/**
 * What a command needs to talk to Postgres and Redis, built from the same
 * configuration as the daemon. Commands ask for it lazily, so `--help` and
 * `config show` never touch a database.
 */
import { Writable } from 'node:stream';
import type pg from 'pg';
import { loadConfig } from '../config/load.js';
import type { Config, ConfigKey } from '../config/schema.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { assertReachable, createPool, resolveDatabase, type DatabaseTarget } from '../store/database.js';
import type { CliIO } from './io.js';

export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

export interface CommandContext {
  config: Config;
  log: Logger;
  database(): Promise<{ pool: pg.Pool; target: DatabaseTarget }>;
  close(): Promise<void>;
}

export function createContext(
  io: CliIO,
  global: GlobalOptions,
  flags: Partial<Record<ConfigKey, unknown>> = {},
): CommandContext {
  const config = loadConfig({ env: io.env, configFile: global.config, flags });
  const stderr = io.stderr;
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      stderr.write(chunk);
      done();
    },
  });
  const log = createLogger(global.verbose ? 'debug' : 'warn', destination);
  let opened: { pool: pg.Pool; target: DatabaseTarget } | undefined;
  return {
    config,
    log,
    async database() {
      if (opened) return opened;
      const target = await resolveDatabase(config, log);
      const pool = createPool(target.url, 4, 'integctl');
      try {
        await assertReachable(pool, target.url);
      } catch (err) {
        await pool.end();
        await target.release();
        throw err;
      }
      opened = { pool, target };
      return opened;
    },
    async close() {
      if (!opened) return;
      await opened.pool.end();
      await opened.target.release();
      opened = undefined;
    },
  };
}
