/**
 * Each test file gets its own database, cloned from a migrated template
 * (CREATE DATABASE ... TEMPLATE), so files run in parallel without seeing each
 * other's rows. The template's name carries a hash of migrations/, so a changed
 * migration builds a new one. Creation runs under an advisory lock: ava starts
 * several files at once and CREATE DATABASE refuses a template in use.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createPool } from '../../src/store/database.js';
import { MIGRATIONS_DIR, Migrator } from '../../src/store/migrator.js';

const LOCK_KEY = '7596500683374521777';

export function adminUrl(): string {
  return process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

export function urlFor(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

function templateName(): string {
  const hash = createHash('sha256');
  for (const f of readdirSync(MIGRATIONS_DIR).sort())
    hash.update(f).update(readFileSync(path.join(MIGRATIONS_DIR, f)));
  return `integ_tpl_${hash.digest('hex').slice(0, 12)}`;
}

async function withAdmin<T>(work: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * integ_test_{creation time, base 36 seconds}_{random}: test/run.ts drops
 * leftovers by age, so a run never drops the databases of another run going on
 * against the same Postgres (a second worktree, a parallel CI job).
 */
export function testDatabaseName(): string {
  return `integ_test_${Math.floor(Date.now() / 1000).toString(36)}_${randomBytes(6).toString('hex')}`;
}

/** A fresh, empty database with no tables; the caller migrates it (migration tests). */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = testDatabaseName();
  await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
  return open(name);
}

/** A fresh database with every migration applied, cloned from the template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const template = templateName();
  const name = testDatabaseName();
  await withAdmin(async (c) => {
    await c.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]);
    try {
      const exists = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        await c.query(`CREATE DATABASE ${template}`);
        const pool = createPool(urlFor(template), 2, 'test-template');
        try {
          await new Migrator(pool).up();
        } finally {
          await pool.end();
        }
      }
      await c.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await c.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]);
    }
  });
  return open(name);
}

export interface TestDatabase {
  name: string;
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

function open(name: string): TestDatabase {
  const url = urlFor(name);
  const pool = createPool(url, 10, 'test');
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
