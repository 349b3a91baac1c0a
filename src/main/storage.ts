/**
 * The daemon's first step: find Postgres (DATABASE_URL or the embedded
 * default), open its pools and the ORM, and make sure the schema is current.
 * Everything opened is registered on the cleanup stack.
 */
import type pg from 'pg';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import {
  assertReachable,
  createKeyedPool,
  createPool,
  keyedPoolShare,
  resolveDatabase,
  type DatabaseTarget,
} from '../store/database.js';
import { Migrator } from '../store/migrator.js';
import { ensureSchema } from '../store/schema-check.js';
import { createOrm, type OrmHandle } from '../store/sequelize.js';
import type { CleanupStack } from './cleanup.js';

export interface Storage {
  database: DatabaseTarget;
  /** The hot SQL's pool (ingest, claims, queries). */
  pool: pg.Pool;
  /** Where processing records outcomes: a keyed pool of its own when this daemon processes, else `pool`. */
  outcomePool: pg.Pool;
  orm: OrmHandle;
}

export async function openStorage(
  config: Config,
  log: Logger,
  cleanup: CleanupStack,
  options: { migrate: boolean; processes: boolean },
): Promise<Storage> {
  const database = await resolveDatabase(config, log);
  cleanup.push('database', () => database.release());
  // A daemon that processes events records their outcomes through a few
  // connections of its own (store/database.ts createKeyedPool), taken from the
  // configured total.
  const connections = config.databasePoolSize + config.databaseMaxOverflow;
  const keyedShare = options.processes ? keyedPoolShare(connections) : 0;
  const pool = createPool(database.url, Math.max(1, connections - keyedShare), 'integrationd');
  cleanup.push('pool', () => pool.end());
  const outcomePool =
    keyedShare > 0 ? createKeyedPool(database.url, keyedShare, 'integrationd-outcomes') : pool;
  if (outcomePool !== pool) cleanup.push('outcome pool', () => outcomePool.end());
  await assertReachable(pool, database.url);
  // The embedded default is this daemon's own database: it migrates itself, so
  // `npm start` on a fresh machine serves. An external one waits for the operator.
  await ensureSchema(new Migrator(pool), options.migrate || database.mode === 'embedded', log);
  const orm = createOrm(database.url);
  cleanup.push('orm', () => orm.close());
  return { database, pool, outcomePool, orm };
}
