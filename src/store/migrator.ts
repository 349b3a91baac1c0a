/**
 * Schema migrations: numbered plain-SQL files in migrations/, each with a
 * "-- migrate:up" and a "-- migrate:down" section, run by umzug.
 *
 * Two processes may migrate at once (two `integctl migrate` in CI, replicas
 * started with --migrate): all work runs on one connection holding a session
 * advisory lock, so the second waits, then finds nothing pending. Each migration
 * and its schema_migrations row commit in one transaction, so a failure leaves
 * neither behind.
 *
 * A down migration may destroy data (DROP TABLE, DROP COLUMN, TRUNCATE,
 * DELETE). planDown() says, before anything runs, what each migration `down`
 * would revert drops and how many rows that holds now, so a caller can ask
 * first (integctl migrate down does); down() then reverts exactly the planned
 * migrations, or refuses when another process changed the schema meanwhile.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { Umzug, type MigrationParams } from 'umzug';
import { PACKAGE_ROOT } from '../lib/package-root.js';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');
/** pg_advisory_lock key: the first 8 bytes of "integ-mi" as a bigint. */
const LOCK_KEY = '7596500683374521705';

export class UnknownMigration extends Error {}

/** The applied migrations are not what a plan expected, or --to names one that is not applied. */
export class MigrationStateError extends Error {}

/** Rows counted at most, per dropped table or column, when planning a down migration. */
export const COUNT_CAP = 100_000;

/** Something a down migration destroys, and how much of it there is now. */
export interface Drop {
  /** table: DROP TABLE; column: ALTER TABLE ... DROP COLUMN; rows: TRUNCATE or DELETE FROM. */
  kind: 'table' | 'column' | 'rows';
  table: string;
  column?: string;
  /** Rows (for a column: rows where it is not null) it holds now, at most COUNT_CAP + 1; 0 when it does not exist. */
  rows: number;
  /** Whether rows passed COUNT_CAP (the count is then a lower bound). */
  more: boolean;
}

export interface DownStep {
  name: string;
  drops: Drop[];
}

/** Throws UnknownMigration unless `name` is undefined or the name of a migration in `dir`. */
export function assertKnownMigration(name: string | undefined, dir = MIGRATIONS_DIR): void {
  const names = readMigrations(dir).map((m) => m.name);
  if (name !== undefined && !names.includes(name)) {
    throw new UnknownMigration(`no migration named ${JSON.stringify(name)}; known: ${names.join(', ')}`);
  }
}

const IDENT = String.raw`(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*)(?:\.(?:"(?:[^"]|"")+"|[A-Za-z_][\w$]*))?`;

/** Splits at top-level commas (not those inside parentheses or quotes). */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts.filter((p) => p !== '');
}

/** An identifier as Postgres stores it: unquoted ones folded to lower case. */
function storedName(ident: string): string {
  return ident.startsWith('"') ? ident.slice(1, -1).replace(/""/g, '"') : ident.toLowerCase();
}

/**
 * What a migration's down SQL destroys, read from its statements: DROP TABLE,
 * ALTER TABLE ... DROP [COLUMN], TRUNCATE and DELETE FROM. (Indexes, constraints
 * and defaults hold no data and are not listed.)
 */
export function destructiveStatements(sql: string): Array<Omit<Drop, 'rows' | 'more'>> {
  const found: Array<Omit<Drop, 'rows' | 'more'>> = [];
  const text = sql.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/--[^\n]*/g, ' ');
  for (const raw of text.split(';')) {
    const statement = raw.replace(/\s+/g, ' ').trim();
    let m = new RegExp(`^DROP TABLE (?:IF EXISTS )?(.+?)(?: CASCADE| RESTRICT)?$`, 'i').exec(statement);
    if (m?.[1] !== undefined) {
      for (const table of splitTopLevel(m[1])) found.push({ kind: 'table', table });
      continue;
    }
    m = new RegExp(
      `^TRUNCATE (?:TABLE )?(?:ONLY )?(.+?)(?: (?:RESTART|CONTINUE) IDENTITY)?(?: CASCADE| RESTRICT)?$`,
      'i',
    ).exec(statement);
    if (m?.[1] !== undefined) {
      for (const table of splitTopLevel(m[1]))
        found.push({ kind: 'rows', table: table.replace(/\s*\*$/, '') });
      continue;
    }
    m = new RegExp(`^DELETE FROM (?:ONLY )?(${IDENT})`, 'i').exec(statement);
    if (m?.[1] !== undefined) {
      found.push({ kind: 'rows', table: m[1] });
      continue;
    }
    m = new RegExp(`^ALTER TABLE (?:IF EXISTS )?(?:ONLY )?(${IDENT}) (.+)$`, 'i').exec(statement);
    if (m?.[1] !== undefined && m[2] !== undefined) {
      const table = m[1];
      for (const action of splitTopLevel(m[2])) {
        const drop = new RegExp(`^DROP (?:COLUMN )?(?:IF EXISTS )?(${IDENT})`, 'i').exec(action);
        if (drop?.[1] !== undefined && !/^(CONSTRAINT|DEFAULT|NOT|EXPRESSION|IDENTITY)$/i.test(drop[1]))
          found.push({ kind: 'column', table, column: drop[1] });
      }
    }
  }
  return found;
}

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
      for (const d of destructiveStatements(step.down)) drops.push({ ...d, ...(await this.countRows(d)) });
      plan.push({ name: step.name, drops });
    }
    return plan;
  }

  /** Rows a drop destroys now; 0 when its table or column does not exist (IF EXISTS). */
  private async countRows(d: Omit<Drop, 'rows' | 'more'>): Promise<{ rows: number; more: boolean }> {
    const exists = await this.pool.query<{ ok: boolean }>(
      d.column === undefined
        ? 'SELECT to_regclass($1) IS NOT NULL AS ok'
        : 'SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped) AS ok',
      d.column === undefined ? [d.table] : [d.table, storedName(d.column)],
    );
    if (exists.rows[0]?.ok !== true) return { rows: 0, more: false };
    // The names come from our own migration files, as written there.
    const where = d.column === undefined ? '' : ` WHERE ${d.column} IS NOT NULL`;
    const counted = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${d.table}${where} LIMIT ${COUNT_CAP + 1}) AS s`,
    );
    const rows = counted.rows[0]?.n ?? 0;
    return { rows, more: rows > COUNT_CAP };
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
