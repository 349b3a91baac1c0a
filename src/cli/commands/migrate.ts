/**
 * integctl migrate [up|down|status]. A down migration that destroys data
 * (drops a table or column holding rows, deletes rows) says what it drops and
 * asks first; --yes skips the question, and without a terminal it refuses
 * (exit 2). --dry-run only says what down would revert and drop.
 */
import type { Command } from 'commander';
import { confirmChange } from '../confirm.js';
import type { DownStep, Drop, MigrationRunner } from '../context.js';
import { CommandFailed, UsageError, writeJson, writeLine, type CliIO } from '../io.js';
import type { CommandDeps } from '../run.js';

interface MigrateOptions {
  to?: string;
  json?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

function rows(d: Drop, cap: number): string {
  const n = `${d.more ? 'more than ' : ''}${Math.min(d.rows, cap).toLocaleString('en-US')}`;
  if (d.kind === 'column') return `${n} non-null value${d.rows === 1 ? '' : 's'}`;
  return `${n} row${d.rows === 1 && !d.more ? '' : 's'}`;
}

/** "table integration_cache (12 rows)", "column webhook_events.x (3 non-null values)". */
function describeDrop(d: Drop, cap: number): string {
  const what =
    d.kind === 'table'
      ? `table ${d.table}`
      : d.kind === 'column'
        ? `column ${d.table}.${d.column ?? ''}`
        : `the rows of ${d.table}`;
  return `${what} (${d.rows === 0 ? 'empty' : rows(d, cap)})`;
}

function dropJson(d: Drop) {
  return { kind: d.kind, table: d.table, column: d.column ?? null, rows: d.rows, more: d.more };
}

async function down(io: CliIO, migrator: MigrationRunner, opts: MigrateOptions): Promise<void> {
  const describe = (d: Drop) => describeDrop(d, migrator.countCap);
  const plan: DownStep[] = await migrator.planDown(opts.to);
  const losing = plan.flatMap((step) => step.drops.filter((d) => d.rows > 0));
  if (opts.dryRun) {
    if (opts.json)
      return writeJson(io.stdout, {
        action: 'down',
        dry_run: true,
        migrations: plan.map((s) => ({ name: s.name, drops: s.drops.map(dropJson) })),
      });
    if (plan.length === 0) return writeLine(io.stdout, 'nothing to revert');
    for (const step of plan)
      writeLine(
        io.stdout,
        `would revert  ${step.name}${step.drops.length > 0 ? `  (drops ${step.drops.map(describe).join(', ')})` : ''}`,
      );
    return;
  }
  if (losing.length > 0) {
    const question = `Revert ${plan.map((s) => s.name).join(', ')}? This drops ${losing.map(describe).join(', ')}; the data cannot be recovered.`;
    if (!(await confirmChange(io, question, opts.yes))) throw new CommandFailed('nothing was reverted');
  }
  const names = await migrator.down(
    opts.to,
    plan.map((s) => s.name),
  );
  if (opts.json)
    return writeJson(io.stdout, {
      action: 'down',
      migrations: names,
      dropped: plan.flatMap((s) => s.drops.map(dropJson)),
    });
  if (names.length === 0) writeLine(io.stdout, 'nothing to revert');
  for (const step of plan) {
    const dropped = step.drops.length > 0 ? `  (dropped ${step.drops.map(describe).join(', ')})` : '';
    writeLine(io.stdout, `reverted  ${step.name}${dropped}`);
  }
}

export function registerMigrate(program: Command, deps: CommandDeps): void {
  program
    .command('migrate')
    .description('apply, revert or list schema migrations')
    .argument('[action]', 'up (apply pending), down (revert the last one) or status', 'up')
    .option('--to <name>', 'up: stop after this migration; down: revert down to and including it')
    .option('-y, --yes', 'down: do not ask before dropping tables or columns that hold data')
    .option('--dry-run', 'down: say what would be reverted and dropped, change nothing')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nTwo migrate runs at once are safe: one waits for the other (advisory lock).\nA down migration that drops a table or column holding data says what it drops\nand asks first (--yes to skip; without a terminal it refuses, exit 2).\nExamples:\n  integctl migrate\n  integctl migrate status --json\n  integctl migrate down --dry-run\n  integctl migrate down --to 0004_webhook_events',
    )
    .action(async (action: string, opts: MigrateOptions) =>
      deps.run(async (ctx, io) => {
        if (!['up', 'down', 'status'].includes(action)) {
          throw new UsageError(`unknown migrate action ${JSON.stringify(action)}; use up, down or status`);
        }
        if (opts.dryRun && action !== 'down') throw new UsageError('--dry-run is for migrate down');
        // Before any connection: a name that is no migration is a usage error.
        const known = ctx.migrationNames();
        if (opts.to !== undefined && !known.includes(opts.to))
          throw new UsageError(`no migration named ${JSON.stringify(opts.to)}; known: ${known.join(', ')}`);
        const migrator = await ctx.migrations();
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
        if (action === 'down') return await down(io, migrator, opts);
        const names = await migrator.up(opts.to);
        if (opts.json) return writeJson(io.stdout, { action, migrations: names });
        if (names.length === 0) writeLine(io.stdout, 'schema is up to date');
        for (const name of names) writeLine(io.stdout, `applied  ${name}`);
      }),
    );
}
