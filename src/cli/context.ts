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
import { PgEventQueries } from '../store/event-queries.js';
import { createOrm, type OrmHandle } from '../store/sequelize.js';
import type { EventQueries } from '../services/ports.js';
import type { CliIO } from './io.js';

export interface GlobalOptions {
  config?: string;
  verbose?: boolean;
}

export interface CommandContext {
  config: Config;
  log: Logger;
  database(): Promise<{ pool: pg.Pool; target: DatabaseTarget }>;
  /** Sequelize over the same database, for the ORM-side reads and writes. */
  orm(): Promise<OrmHandle>;
  /** The stored events, for the events commands. */
  events(): Promise<EventQueries>;
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
  let orm: OrmHandle | undefined;
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
    async orm() {
      if (orm) return orm;
      const { target } = await this.database();
      orm = createOrm(target.url, 2);
      return orm;
    },
    async events() {
      const { pool } = await this.database();
      return new PgEventQueries(pool, (await this.orm()).models);
    },
    async close() {
      await orm?.close();
      orm = undefined;
      if (!opened) return;
      await opened.pool.end();
      await opened.target.release();
      opened = undefined;
    },
  };
}
