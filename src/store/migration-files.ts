/**
 * The migrations of this build: numbered plain-SQL files in migrations/, each
 * with a "-- migrate:up" and a "-- migrate:down" section, read in name order.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/package-root.js';

export const MIGRATIONS_DIR = path.join(PACKAGE_ROOT, 'migrations');

export class UnknownMigration extends Error {}

export interface SqlMigration {
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

/** Throws UnknownMigration unless `name` is undefined or one of `names`. */
export function assertKnownMigration(name: string | undefined, names: readonly string[]): void {
  if (name !== undefined && !names.includes(name)) {
    throw new UnknownMigration(`no migration named ${JSON.stringify(name)}; known: ${names.join(', ')}`);
  }
}
