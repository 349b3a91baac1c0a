import type { Command } from 'commander';
import { Migrator, UnknownMigration } from '../../store/migrator.js';
import { UsageError, writeJson, writeLine } from '../io.js';
import type { CommandDeps } from '../program.js';

export function registerMigrate(program: Command, deps: CommandDeps): void {
  program
    .command('migrate')
    .description('apply, revert or list schema migrations')
    .argument('[action]', 'up (apply pending), down (revert the last one) or status', 'up')
    .option('--to <name>', 'up: stop after this migration; down: revert down to and including it')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nTwo migrate runs at once are safe: one waits for the other (advisory lock).\nExamples:\n  integctl migrate\n  integctl migrate status --json\n  integctl migrate down --to 0004_webhook_events',
    )
    .action(async (action: string, opts: { to?: string; json?: boolean }) =>
      deps.run(async (ctx, io) => {
        if (!['up', 'down', 'status'].includes(action)) {
          throw new UsageError(`unknown migrate action ${JSON.stringify(action)}; use up, down or status`);
        }
        const { pool } = await ctx.database();
        const migrator = new Migrator(pool);
        try {
          if (action === 'status') {
            const status = await migrator.status();
            if (opts.json) return writeJson(io.stdout, status);
            for (const s of status) {
              writeLine(
                io.stdout,
                `${s.applied ? 'applied' : 'pending'}  ${s.name}${s.appliedAt ? `  ${s.appliedAt.toISOString()}` : ''}`,
              );
            }
            return;
          }
          const names = action === 'up' ? await migrator.up(opts.to) : await migrator.down(opts.to);
          if (opts.json) return writeJson(io.stdout, { action, migrations: names });
          if (names.length === 0)
            writeLine(io.stdout, action === 'up' ? 'schema is up to date' : 'nothing to revert');
          for (const name of names)
            writeLine(io.stdout, `${action === 'up' ? 'applied' : 'reverted'}  ${name}`);
        } catch (err) {
          if (err instanceof UnknownMigration) throw new UsageError(err.message);
          throw err;
        }
      }),
    );
}
