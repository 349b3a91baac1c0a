/**
 * Schema migrations (migration-files.ts) run by umzug.
 *
 * Two processes may migrate at once (two `integctl migrate` in CI, replicas
 * started with --migrate): all work runs on one connection holding a session
 * advisory lock, so the second waits, then finds nothing pending. Each migration
 * and its schema_migrations row commit in one transaction, so a failure leaves
 * neither behind.
 *
 * A down migration may destroy data. planDown() says, before anything runs,
 * what each migration `down` would revert drops and how many rows that holds
 * now (migration-drops.ts), so a caller can ask first (integctl migrate down
 * does); down() then reverts exactly the planned migrations, or refuses when
 * another process changed the schema meanwhile.
 */
import type pg from 'pg';
import { Umzug, type MigrationParams } from 'umzug';
import { COUNT_CAP, countDropped, destructiveStatements, type Drop } from './migration-drops.js';
import {
  assertKnownMigration,
  MIGRATIONS_DIR,
  readMigrations,
  type SqlMigration,
} from './migration-files.js';

// Where the migrations are, for callers that hash or list them beside a Migrator.
export { MIGRATIONS_DIR, readMigrations } from './migration-files.js';

/** pg_advisory_lock key: the first 8 bytes of "integ-mi" as a bigint. */
const LOCK_KEY = '7596500683374521705';

/** The applied migrations are not what a plan expected, or --to names one that is not applied. */
export class MigrationStateError extends Error {}

export interface DownStep {
  name: string;
  drops: Drop[];
}

export interface MigrationStatus {
  name: string;
  applied: boolean;
  appliedAt?: Date;
}

export class Migrator {
  /** Rows counted at most per drop by planDown(): a Drop's rows pass it by one when there are more. */
  readonly countCap = COUNT_CAP;
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
    assertKnownMigration(name, this.names());
  }

  /** What down(to) reverts, newest first, given the applied names: umzug's rule. */
  private toRevert(applied: Iterable<string>, to: string | undefined): SqlMigration[] {
    const set = new Set(applied);
    const reversed = this.migrations.filter((m) => set.has(m.name)).reverse();
    if (to === undefined) return reversed.slice(0, 1);
    const index = reversed.findIndex((m) => m.name === to);
    if (index === -1)
      throw new MigrationStateError(`migration ${to} is not applied; integctl migrate status lists what is`);
    return reversed.slice(0, index + 1);
  }

  /**
   * What down(to) would revert, newest first, each with what its down SQL
   * destroys and the rows that holds now (counted up to COUNT_CAP). Changes nothing.
   */
  async planDown(to?: string): Promise<DownStep[]> {
    this.checkName(to);
    const steps = this.toRevert((await this.appliedRows()).keys(), to);
    const plan: DownStep[] = [];
    for (const step of steps) {
      const drops: Drop[] = [];
      for (const d of destructiveStatements(step.down))
        drops.push({ ...d, ...(await countDropped(this.pool, d)) });
      plan.push({ name: step.name, drops });
    }
    return plan;
  }

  /** Applies pending migrations (up to and including `to`); returns the names applied. */
  async up(to?: string): Promise<string[]> {
    this.checkName(to);
    return this.locked(async (umzug) => (await umzug.up(to === undefined ? {} : { to })).map((m) => m.name));
  }

  /**
   * Reverts the last applied migration, or every one after `to` down to and
   * including it. With `expected` (the names of a planDown), refuses unless
   * exactly those would be reverted: what the caller was told is what runs.
   */
  async down(to?: string, expected?: string[]): Promise<string[]> {
    this.checkName(to);
    return this.locked(async (umzug) => {
      if (expected !== undefined) {
        const executed = (await umzug.executed()).map((m) => m.name);
        const now = this.toRevert(executed, to).map((m) => m.name);
        if (now.join(',') !== expected.join(','))
          throw new MigrationStateError(
            `the applied migrations changed since the plan (would now revert ${now.join(', ') || 'nothing'}); nothing was reverted, run the command again`,
          );
      }
      return (await umzug.down(to === undefined ? {} : { to })).map((m) => m.name);
    });
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
