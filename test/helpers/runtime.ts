/**
 * The daemon's real wiring (main/runtime.ts) against this test file's own
 * database, for HTTP tests through app.inject() or a real socket.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/lib/logger.js';
import { startRuntime, type Runtime } from '../../src/main/runtime.js';
import { createPool } from '../../src/store/database.js';
import { openEmbeddedPostgres } from '../../src/store/embedded.js';
import { Migrator } from '../../src/store/migrator.js';
import { createTestDatabase, type TestDatabase } from './db.js';

export interface TestRuntime {
  runtime: Runtime;
  db: TestDatabase;
  close(): Promise<void>;
}

export async function testRuntime(
  env: Record<string, string> = {},
  existing?: TestDatabase,
): Promise<TestRuntime> {
  const db = existing ?? (await createTestDatabase());
  const config = loadConfig({
    env: {
      DATABASE_URL: db.url,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      // The cron tick stays out of the way; tests run rounds explicitly.
      RETRY_CRON: '0 0 1 1 *',
      ...env,
    },
  });
  const runtime = await startRuntime(config, createLogger(config.logLevel), { migrate: false });
  return {
    runtime,
    db,
    async close() {
      await runtime.stop();
      if (existing === undefined) await db.drop();
    },
  };
}

export interface StoppablePostgresRuntime {
  runtime: Runtime;
  /** The runtime's Postgres URL (an embedded server of this test's own). */
  url: string;
  /** Stops Postgres under the running daemon (an outage). */
  stopPostgres(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The daemon's wiring on an embedded Postgres of the test's own, migrated, so
 * the test can stop Postgres under it. `seed` runs SQL before the daemon starts.
 */
export async function runtimeOnOwnPostgres(seed: string[] = []): Promise<StoppablePostgresRuntime> {
  const log = createLogger('silent');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'integ-own-pg-'));
  chmodSync(dir, 0o755);
  const pg = await openEmbeddedPostgres(dir, log);
  const pool = createPool(pg.url, 2, 'test');
  await new Migrator(pool).up();
  for (const sql of seed) await pool.query(sql);
  await pool.end();
  const config = loadConfig({ env: { DATABASE_URL: pg.url, LOG_LEVEL: 'silent', RETRY_CRON: '0 0 1 1 *' } });
  const runtime = await startRuntime(config, log, { migrate: false });
  return {
    runtime,
    url: pg.url,
    stopPostgres: () => pg.stop(),
    async close() {
      await runtime.stop();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
