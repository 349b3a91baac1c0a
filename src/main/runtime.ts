/**
 * Wiring of the daemon: the one place that chooses concrete parts (Postgres
 * embedded or external, Redis or in-process) and connects them to the app.
 * start() returns a Runtime whose stop() undoes everything in reverse order.
 */
import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import type { Config } from '../config/schema.js';
import { buildApp } from '../http/app.js';
import type { Logger } from '../lib/logger.js';
import { VERSION } from '../lib/version.js';
import {
  assertReachable,
  createPool,
  describeDatabase,
  resolveDatabase,
  type DatabaseTarget,
} from '../store/database.js';
import { Migrator } from '../store/migrator.js';
import { startIntegrations } from './integrations.js';

export class SchemaBehind extends Error {}

export interface Runtime {
  app: FastifyInstance;
  pool: pg.Pool;
  database: DatabaseTarget;
  stop(): Promise<void>;
}

export interface StartOptions {
  migrate: boolean;
}

export async function startRuntime(config: Config, log: Logger, options: StartOptions): Promise<Runtime> {
  const database = await resolveDatabase(config, log);
  const cleanups: Array<() => Promise<void>> = [() => database.release()];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (err) {
        log.warn({ err }, 'error during shutdown');
      }
    }
  };
  try {
    const pool = createPool(
      database.url,
      config.databasePoolSize + config.databaseMaxOverflow,
      'integrationd',
    );
    cleanups.push(() => pool.end());
    await assertReachable(pool, database.url);
    await ensureSchema(new Migrator(pool), options.migrate, log);
    log.info(
      {
        database:
          database.mode === 'embedded'
            ? `embedded (${describeDatabase(database.url)})`
            : `external (${describeDatabase(database.url)})`,
        redis: config.redisUrl === undefined ? 'in-process (no REDIS_URL)' : 'external',
        role: config.role,
      },
      'storage mode',
    );
    const integrations = await startIntegrations(config, log, pool);
    cleanups.push(() => integrations.stop());
    const app = buildApp({ config, logger: log, version: VERSION, integrations: integrations.appDeps });
    cleanups.push(() => app.close());
    return { app, pool, database, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function ensureSchema(migrator: Migrator, migrate: boolean, log: Logger): Promise<void> {
  if (migrate) {
    const applied = await migrator.up();
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    return;
  }
  const pending = await migrator.pending();
  if (pending.length > 0) {
    throw new SchemaBehind(
      `database schema is behind: ${pending.length} pending migration(s) (${pending.join(', ')}); run \`integctl migrate\` or start with --migrate`,
    );
  }
}
