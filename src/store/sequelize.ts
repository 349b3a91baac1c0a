/**
 * Sequelize serves everything but the hot path: sources, event details, admin
 * reads. (Event listings and bulk retries are hand SQL in services/list-events.ts:
 * they page by keyset and feed the pool-based scheduleNow.) It shares the URL of
 * the pg pool, with a small pool of its own so admin traffic cannot starve
 * ingest of connections.
 */
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { defineModels, type Models } from './models/index.js';

export interface OrmHandle {
  sequelize: Sequelize;
  models: Models;
  close(): Promise<void>;
}

export function createOrm(url: string, poolMax = 5): OrmHandle {
  const sequelize = new Sequelize(url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: false,
    pool: { max: poolMax, min: 0, idle: 10_000, acquire: 10_000 },
    dialectOptions: { connectionTimeoutMillis: 5000 },
  });
  return { sequelize, models: defineModels(sequelize), close: () => sequelize.close() };
}
