/**
 * The daemon's real wiring (main/runtime.ts) against this test file's own
 * database, for HTTP tests through app.inject() or a real socket.
 */
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/lib/logger.js';
import { startRuntime, type Runtime } from '../../src/main/runtime.js';
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
