/**
 * integctl's composition root: the one place that chooses what its commands
 * talk to (cli/context.ts declares what they get). Each command's context
 * loads the configuration as the daemon does and opens a part on first use:
 * Postgres (DATABASE_URL or the embedded default) with a small pool and ORM,
 * the daemon's Redis for the cache and for watching events. close() undoes
 * what was opened, newest first.
 */
import { Writable } from 'node:stream';
import { openRedisSubscriber } from '../bus/redis-subscriber.js';
import { loadConfig } from '../config/load.js';
import { runCli } from '../cli/program.js';
import type { CliServices, CommandContext, GlobalOptions } from '../cli/context.js';
import type { CliIO } from '../cli/io.js';
import { createLogger, type Logger } from '../lib/logger.js';
import { ExternalServices } from '../services/external-services.js';
import { SourceService } from '../services/sources.js';
import { assertReachable, createPool, resolveDatabase } from '../store/database.js';
import { PgEventQueries } from '../store/event-queries.js';
import { PgDurableCache, PgExternalServices } from '../store/external-services.js';
import { readMigrations } from '../store/migration-files.js';
import { Migrator } from '../store/migrator.js';
import { createOrm } from '../store/sequelize.js';
import { SourceRepository } from '../store/source-repository.js';
import { buildCacheService } from './cache.js';
import { closeRedis, connectRedis, createRedisClient } from '../redis/clients.js';

/** Runs one integctl command line with the real services; returns its exit code. */
export function runCtl(argv: string[], io: CliIO): Promise<number> {
  return runCli(argv, io, ctlServices);
}

const ctlServices: CliServices = { open: openContext };

/** integctl's log lines go to the command's stderr (captured in tests), never to stdout. */
function stderrLogger(io: CliIO, global: GlobalOptions): Logger {
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      io.stderr.write(chunk);
      done();
    },
  });
  return createLogger(global.verbose ? 'debug' : 'warn', destination);
}

/** One promise per part: opened on the first call, shared by the later ones. */
function once<T>(open: () => Promise<T>): () => Promise<T> {
  let opened: Promise<T> | undefined;
  return () => (opened ??= open());
}

function openContext(io: CliIO, global: GlobalOptions): CommandContext {
  const config = loadConfig({ env: io.env, configFile: global.config });
  const log = stderrLogger(io, global);
  const closers: Array<() => Promise<unknown>> = [];

  const database = once(async () => {
    const target = await resolveDatabase(config, log);
    closers.push(() => target.release());
    const pool = createPool(target.url, 4, 'integctl');
    closers.push(() => pool.end());
    await assertReachable(pool, target.url);
    return { pool, url: target.url };
  });
  // Sequelize on the same database, for the ORM-side reads and writes.
  const orm = once(async () => {
    const handle = createOrm((await database()).url, 2);
    closers.push(() => handle.close());
    return handle;
  });

  return {
    config,
    log,
    events: once(async () => new PgEventQueries((await database()).pool, (await orm()).models)),
    sources: once(async () => new SourceService(new SourceRepository((await orm()).models))),
    externalServices: once(
      async () => new ExternalServices(new PgExternalServices((await database()).pool), config),
    ),
    durableCache: once(async () => new PgDurableCache((await database()).pool)),
    migrationNames: () => readMigrations().map((m) => m.name),
    migrations: once(async () => new Migrator((await database()).pool)),
    async cache(url) {
      const redis = createRedisClient(url, 'request', { name: 'integctl', log });
      closers.push(() => closeRedis(redis));
      await connectRedis(redis);
      return buildCacheService(config, log, redis, { counterFlushMs: 0 });
    },
    async subscriber(url, notices) {
      const subscriber = await openRedisSubscriber(url, notices);
      closers.push(() => subscriber.close());
      return subscriber;
    },
    async close() {
      // Every part is closed even when one fails; the first failure is reported.
      const failures: unknown[] = [];
      for (const close of closers.splice(0).reverse())
        await close().catch((err: unknown) => failures.push(err));
      if (failures.length > 0) throw failures[0];
    },
  };
}
