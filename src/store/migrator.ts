/**
 * Schema migrations: numbered plain-SQL files in migrations/, each with a
 * "-- migrate:up" and a "-- migrate:down" section, run by umzug.
 *
 * Two processes may migrate at once (two `integctl migrate` in CI, replicas
 * started with --migrate): all work runs on one connection holding a session
 * advisory lock, so the second waits, then finds nothing pending. Each migration
 * and its schema_migrations row commit in one transaction, so a failure leaves
 * neither behind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { Umzug, type MigrationParams } from 'umzug';
import { PACKAGE_ROOT } from '../config/load.js';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');
/** pg_advisory_lock key: the first 8 bytes of "integ-mi" as a bigint. */
const LOCK_KEY = '7596500683374521705';

export class UnknownMigration extends Error {}

export interface MigrationStatus {
  name: string;
  applied: boolean;
  appliedAt?: Date;
}

interface SqlMigration {
  name: string;
  up: string;
  down: string;
}

export function readMigrations(dir = MIGRATIONS_DIR): SqlMigration[] {
  return readdirSync(dir)
    .filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const up = text.split(/^-- migrate:up\s*$/m)[1]?.split(/^-- migrate:down\s*$/m)[0];
      const down = text.split(/^-- migrate:down\s*$/m)[1];
      if (up === undefined || down === undefined) {
        throw new Error(`migration ${file} needs a "-- migrate:up" and a "-- migrate:down" section`);
      }
      return { name: file.replace(/\.sql$/, ''), up, down };
    });
}

export class Migrator {
  private readonly migrations: SqlMigration[];

  constructor(
    private readonly pool: pg.Pool,
    dir = MIGRATIONS_DIR,
  ) {
    this.migrations = readMigrations(dir);
  }

  names(): string[] {
    return this.migrations.map((m) => m.name);
  }

  private checkName(name: string | undefined): void {
    if (name !== undefined && !this.names().includes(name)) {
      throw new UnknownMigration(
        `no migration named ${JSON.stringify(name)}; known: ${this.names().join(', ')}`,
      );
    }
  }

  /** Applies pending migrations (up to and including `to`); returns the names applied. */
  async up(to?: string): Promise<string[]> {
    this.checkName(to);
    return this.locked(async (umzug) => (await umzug.up(to === undefined ? {} : { to })).map((m) => m.name));
  }

  /** Reverts the last applied migration, or every one after `to` down to and including it. */
  async down(to?: string): Promise<string[]> {
    this.checkName(to);
    return this.locked(async (umzug) =>
      (await umzug.down(to === undefined ? {} : { to })).map((m) => m.name),
    );
  }

  async status(): Promise<MigrationStatus[]> {
    const applied = await this.appliedRows();
    const known = this.migrations.map((m) => {
      const at = applied.get(m.name);
      return at === undefined
        ? { name: m.name, applied: false }
        : { name: m.name, applied: true, appliedAt: at };
    });
    // Applied migrations this build does not know (a newer version ran here) are listed too.
    for (const [name, at] of applied) {
      if (!this.names().includes(name)) known.push({ name, applied: true, appliedAt: at });
    }
    return known;
  }

  async pending(): Promise<string[]> {
    return (await this.status()).filter((s) => !s.applied).map((s) => s.name);
  }

  private async appliedRows(): Promise<Map<string, Date>> {
    const exists = await this.pool.query<{ t: string | null }>(
      "SELECT to_regclass('schema_migrations') AS t",
    );
    if (exists.rows[0]?.t == null) return new Map();
    const rows = await this.pool.query<{ name: string; applied_at: Date }>(
      'SELECT name, applied_at FROM schema_migrations ORDER BY name',
    );
    return new Map(rows.rows.map((r) => [r.name, r.applied_at]));
  }

  private async locked<T>(work: (umzug: Umzug<pg.PoolClient>) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [LOCK_KEY]);
      try {
        await client.query(
          'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
        );
        return await work(this.umzug(client));
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::bigint)', [LOCK_KEY]);
      }
    } finally {
      client.release();
    }
  }

  private umzug(client: pg.PoolClient): Umzug<pg.PoolClient> {
    const inTransaction = async (sql: string, record: string, params: string[]) => {
      await client.query('BEGIN');
      try {
        await client.query(sql);
        await client.query(record, params);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
    };
    return new Umzug<pg.PoolClient>({
      context: client,
      logger: undefined,
      migrations: this.migrations.map((m) => ({
        name: m.name,
        up: async (_: MigrationParams<pg.PoolClient>) =>
          inTransaction(m.up, 'INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]),
        down: async (_: MigrationParams<pg.PoolClient>) =>
          inTransaction(m.down, 'DELETE FROM schema_migrations WHERE name = $1', [m.name]),
      })),
      // The migrations record themselves inside their own transaction (above).
      storage: {
        logMigration: async () => undefined,
        unlogMigration: async () => undefined,
        executed: async () =>
          (await client.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name')).rows.map(
            (r) => r.name,
          ),
      },
    });
  }
}
