import type { Command } from 'commander';
import { describeConfig } from '../../config/load.js';
import { redactSecrets } from '../../lib/redact.js';
import { writeJson, writeLine } from '../io.js';
import type { CommandDeps } from '../run.js';

export function registerConfig(program: Command, deps: CommandDeps): void {
  const config = program.command('config').description('inspect the effective configuration');
  config
    .command('show')
    .description('print every setting after flags, environment and config files are applied (secrets as ***)')
    .option('--json', 'machine-readable output')
    .action(async (opts: { json?: boolean }) =>
      deps.run(async (ctx, io) => {
        // describeConfig masks the secret settings; any other value may be a URL with a key in it.
        const rows = describeConfig(ctx.config).map((r) => ({ ...r, value: redactSecrets(r.value) }));
        if (opts.json) return writeJson(io.stdout, Object.fromEntries(rows.map((r) => [r.key, r.value])));
        const width = Math.max(...rows.map((r) => r.key.length));
        for (const r of rows) writeLine(io.stdout, `${r.key.padEnd(width)}  ${r.value}`);
      }),
    );
}
