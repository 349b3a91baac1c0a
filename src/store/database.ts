/**
 * Finding and connecting to Postgres: the configured DATABASE_URL, or the
 * embedded default. One pg.Pool serves the hand-written hot SQL; Sequelize (see
 * models/index.ts and sequelize.ts) is built on the same URL for the rest.
 */
import pg from 'pg';
import type { Config } from '../config/schema.js';
import type { Logger } from '../lib/logger.js';
import { openEmbeddedPostgres } from './embedded.js';

// Postgres bigint (int8) counts come back as JS numbers; the counts we read never
// approach 2^53.
pg.types.setTypeParser(20, (value: string) => Number(value));

export type DatabaseMode = 'embedded' | 'external';

export interface DatabaseTarget {
  url: string;
  mode: DatabaseMode;
  /** Stops the embedded server when this process started it; otherwise nothing. */
  release(): Promise<void>;
}

/** host:port/database of a URL, never its credentials. */
export function describeDatabase(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}

export class DatabaseUnreachable extends Error {}

export async function resolveDatabase(config: Config, log: Logger): Promise<DatabaseTarget> {
  if (config.databaseUrl !== undefined) {
    return { url: config.databaseUrl, mode: 'external', release: async () => undefined };
  }
  const embedded = await openEmbeddedPostgres(config.dataDir, log);
  return { url: embedded.url, mode: 'embedded', release: () => embedded.stop() };
}

export function createPool(
  url: string,
  max: number,
  applicationName: string,
  extra: Pick<pg.PoolConfig, 'onConnect'> = {},
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    application_name: applicationName,
    ...extra,
  });
  // An idle client losing its connection (Postgres restarted) must not crash the
  // process; the next query gets a fresh connection or a clear error.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A pool whose sessions never plan a sequential scan, for statements that
 * always find their rows by primary key and run so often, in small batches,
 * that they are prepared once and run on a generic plan (recording processing
 * outcomes, sql/finish-events.ts). A generic plan made while webhook_events
 * was small (a fresh install, right after a purge) would otherwise keep
 * scanning the whole table as it grew; planning every batch instead cost
 * ~8 µs of Postgres CPU per webhook in bench:ingest.
 */
export function createKeyedPool(url: string, max: number, applicationName: string): pg.Pool {
  // pg-pool hands the client out only once this has run, and drops it if it fails.
  return createPool(url, max, applicationName, {
    // eslint-disable-next-line @typescript-eslint/no-misused-promises -- pg-pool awaits it; @types/pg says void
    onConnect: async (client) => {
      await client.query('SET enable_seqscan = off');
    },
  });
}

/**
 * How many of the configured connections go to the keyed pool: up to 4, at
 * least 1, and none when there is only one connection in all (outcomes then
 * share it; their generic plan is renewed by the next autoanalyze).
 */
export function keyedPoolShare(total: number): number {
  return total < 2 ? 0 : Math.min(4, Math.max(1, Math.floor(total / 4)));
}

/** Fails within a few seconds with "cannot connect to Postgres at host:port/db: reason". */
export async function assertReachable(pool: pg.Pool, url: string): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const reason = e.code && !e.message.includes(e.code) ? `${e.code} ${e.message}` : e.message;
    throw new DatabaseUnreachable(
      `cannot connect to Postgres at ${describeDatabase(url)}: ${reason || 'no answer'}`,
    );
  }
}

/** The cheapest statement that proves Postgres serves: the health checks' probe. */
export async function pingDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT 1');
}
