/**
 * What a down migration destroys (DROP TABLE, DROP COLUMN, TRUNCATE, DELETE),
 * read from its SQL, and how many rows that is now: what Migrator.planDown()
 * tells a caller before anything runs, so it can ask first.
 */
import type pg from 'pg';

/** Rows counted at most, per dropped table or column, when planning a down migration. */
export const COUNT_CAP = 100_000;

/** What a statement of a down migration destroys, as its SQL names it. */
export interface DropTarget {
  /** table: DROP TABLE; column: ALTER TABLE ... DROP COLUMN; rows: TRUNCATE or DELETE FROM. */
  kind: 'table' | 'column' | 'rows';
  table: string;
  column?: string;
}

/** How much a target holds now. */
export interface RowCount {
  /** Rows (for a column: rows where it is not null), at most COUNT_CAP + 1; 0 when it does not exist. */
  rows: number;
  /** Whether rows passed COUNT_CAP (the count is then a lower bound). */
  more: boolean;
}

/** Something a down migration destroys, and how much of it there is now. */
export type Drop = DropTarget & RowCount;

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
export function destructiveStatements(sql: string): DropTarget[] {
  const found: DropTarget[] = [];
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

/** Rows a drop destroys now; 0 when its table or column does not exist (IF EXISTS). */
export async function countDropped(pool: pg.Pool, d: DropTarget): Promise<RowCount> {
  const exists = await pool.query<{ ok: boolean }>(
    d.column === undefined
      ? 'SELECT to_regclass($1) IS NOT NULL AS ok'
      : 'SELECT EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped) AS ok',
    d.column === undefined ? [d.table] : [d.table, storedName(d.column)],
  );
  if (exists.rows[0]?.ok !== true) return { rows: 0, more: false };
  // The names come from our own migration files, as written there.
  const where = d.column === undefined ? '' : ` WHERE ${d.column} IS NOT NULL`;
  const counted = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM (SELECT 1 FROM ${d.table}${where} LIMIT ${COUNT_CAP + 1}) AS s`,
  );
  const rows = counted.rows[0]?.n ?? 0;
  return { rows, more: rows > COUNT_CAP };
}
