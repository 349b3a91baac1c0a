/**
 * Whether the database's schema is the one this build expects, at startup:
 * migrate it (the embedded default, or --migrate), or refuse to start with a
 * message that says what to run.
 */
import type { Logger } from '../lib/logger.js';
import type { Migrator } from './migrator.js';

/** The schema is older than this build; the daemon exits with EX_CONFIG. */
export class SchemaBehind extends Error {}

export async function ensureSchema(migrator: Migrator, migrate: boolean, log: Logger): Promise<void> {
  if (migrate) {
    const applied = await migrator.up();
    if (applied.length > 0) log.info({ applied }, 'migrations applied');
    return;
  }
  const pending = await migrator.pending();
  if (pending.length > 0) {
    throw new SchemaBehind(
      `database schema is behind: ${pending.length} pending migration(s) (${pending.join(', ')}); run \`integctl migrate\` or start with --migrate`,
    );
  }
}
