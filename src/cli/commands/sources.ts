/**
 * integctl sources: list, show, add, update, remove, rotate-secret. Secret
 * values are printed once, when generated or rotated in, and never again.
 *
 * A value no source can take (a name outside the rule, --algorithm md5, a
 * tenant with *, options the scheme refuses, a weak secret) is a usage error
 * (exit 2), found before any connection when the flags alone say so, else as
 * soon as the source's scheme is known (update, rotate-secret). Failures of
 * the operation itself (no such source, it exists already) exit 1.
 */
import { Command, Option } from 'commander';
import { activeSecrets, SCHEMES, type WebhookSource } from '../../domain/source.js';
import {
  checkSecret,
  checkSourceName,
  parseScheme,
  SourceError,
  type SourceInput,
} from '../../services/sources.js';
import { confirmChange } from '../confirm.js';
import { DURATION_FORMS, parseDuration } from '../durations.js';
import { CommandFailed, readStdin, UsageError, writeJson, writeLine, type CliIO } from '../io.js';
import { asUsage, type CommandDeps } from '../run.js';
import { addSchemeOptions, checkFlags, checkOptions, type SourceFlags } from '../source-flags.js';
import { renderTable } from '../table.js';

async function readSecretFromStdin(io: CliIO): Promise<string> {
  const value = (await readStdin(io)).trim();
  if (value === '') throw new UsageError('--secret-stdin read an empty secret');
  return value;
}

/** A source as shown to operators: secrets as counts and dates, never values. */
function describe(source: WebhookSource, now = new Date()) {
  return {
    name: source.name,
    scheme: source.scheme,
    tenant_id: source.tenantId,
    max_retries: source.maxRetries,
    rate_limit_per_minute: source.rateLimitPerMinute,
    is_active: source.isActive,
    description: source.description,
    options: source.options,
    secrets: source.secrets.map((s) => ({ created_at: s.createdAt || null, expires_at: s.expiresAt })),
    active_secrets: activeSecrets(source, now).length,
  };
}

export function registerSources(program: Command, deps: CommandDeps): void {
  const sources = program
    .command('sources')
    .description('manage webhook sources and their secrets')
    .addHelpText(
      'after',
      `\nSchemes: ${SCHEMES.join(', ')}. Secrets are shown once, when created or rotated in.`,
    );

  sources
    .command('list')
    .description('list sources')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean }) =>
      deps.run(async (ctx, io) => {
        const list = (await (await ctx.sources()).list()).map((s) => describe(s));
        if (flags.json) return writeJson(io.stdout, list);
        if (list.length === 0)
          return writeLine(
            io.stderr,
            'no sources; add one with integctl sources add <name> --scheme <scheme>',
          );
        writeLine(
          io.stdout,
          renderTable(
            ['name', 'scheme', 'tenant', 'secrets', 'max retries', 'active', 'description'],
            list.map((s) => [
              s.name,
              s.scheme,
              s.tenant_id,
              s.active_secrets,
              s.max_retries ?? 'default',
              s.is_active ? 'yes' : 'no',
              s.description,
            ]),
          ),
        );
      }),
    );

  sources
    .command('show')
    .description('show one source (secrets as dates, never values)')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .action(async (name: string, flags: { json?: boolean }) =>
      deps.run(async (ctx, io) => {
        const shown = describe(await (await ctx.sources()).get(name));
        if (flags.json) return writeJson(io.stdout, shown);
        for (const [key, value] of Object.entries(shown)) {
          writeLine(
            io.stdout,
            `${key.padEnd(22)} ${typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value ?? '')}`,
          );
        }
      }),
    );

  addSchemeOptions(
    sources
      .command('add')
      .description('add a source; a secret is generated and shown once unless --secret is given')
      .argument(
        '<name>',
        'source name: 1-63 of a-z 0-9 _ . - (stripe, google_sheets and yandex_maps serve the named routes)',
      )
      .addOption(
        new Option('--scheme <scheme>', 'signature scheme').choices([...SCHEMES]).makeOptionMandatory(),
      )
      .option('--secret <value>', 'use this secret (visible in shell history; prefer --secret-stdin)')
      .option('--secret-stdin', 'read the secret from standard input'),
  )
    .option('--json', 'machine-readable output')
    .action(async (name: string, flags: SourceFlags) =>
      deps.run(async (ctx, io) => {
        asUsage(SourceError, () => checkSourceName(name));
        if (flags.secret !== undefined && flags.secretStdin)
          throw new UsageError('give --secret or --secret-stdin, not both');
        const scheme = parseScheme(flags.scheme ?? '');
        const checked = checkFlags(flags);
        checkOptions(scheme, checked.options);
        const secret = flags.secretStdin ? await readSecretFromStdin(io) : flags.secret;
        if (secret !== undefined) asUsage(SourceError, () => checkSecret(scheme, secret));
        const input: SourceInput = {
          name,
          scheme,
          options: checked.options,
          secret,
          tenantId: checked.tenantId,
          maxRetries: checked.maxRetries,
          rateLimitPerMinute: checked.rateLimitPerMinute,
          description: flags.description,
        };
        const { source, generatedSecret } = await (await ctx.sources()).add(input);
        if (flags.json)
          return writeJson(io.stdout, { ...describe(source), generated_secret: generatedSecret ?? null });
        writeLine(io.stdout, `source ${source.name} added (scheme ${source.scheme})`);
        if (generatedSecret !== undefined) {
          writeLine(io.stdout, `secret: ${generatedSecret}`);
          writeLine(
            io.stderr,
            'Store this secret now: it is not shown again (integctl sources rotate-secret makes a new one).',
          );
        }
      }),
    );

  addSchemeOptions(
    sources.command('update').description("change a source's settings (not its secrets)").argument('<name>'),
  )
    .option('--enable', 'accept deliveries again')
    .option('--disable', 'refuse deliveries (404) without deleting the source')
    .option('--json', 'machine-readable output')
    .action(async (name: string, flags: SourceFlags) =>
      deps.run(async (ctx, io) => {
        if (flags.enable && flags.disable) throw new UsageError('--enable and --disable exclude each other');
        asUsage(SourceError, () => checkSourceName(name));
        const checked = checkFlags(flags);
        const svc = await ctx.sources();
        const current = await svc.get(name);
        const setsOptions = Object.keys(checked.options).length > 0;
        const options = { ...current.options, ...checked.options };
        // Only what this update sets is checked: a source saved under older rules stays manageable.
        if (setsOptions) checkOptions(current.scheme, options);
        const updated = await svc.update(name, {
          options,
          tenantId: checked.tenantId,
          maxRetries: checked.maxRetries,
          rateLimitPerMinute: checked.rateLimitPerMinute,
          description: flags.description,
          isActive: flags.enable ? true : flags.disable ? false : undefined,
        });
        if (flags.json) return writeJson(io.stdout, describe(updated));
        writeLine(io.stdout, `source ${name} updated`);
      }),
    );

  sources
    .command('remove')
    .description('delete a source; its stored events stay')
    .argument('<name>')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'say what would be removed, change nothing')
    .action(async (name: string, flags: { yes?: boolean; dryRun?: boolean }) =>
      deps.run(async (ctx, io) => {
        const svc = await ctx.sources();
        await svc.get(name);
        if (flags.dryRun) return writeLine(io.stdout, `would remove source ${name}`);
        if (!(await confirmChange(io, `Remove source ${name}? Deliveries to it will get 404.`, flags.yes))) {
          throw new CommandFailed('not removed');
        }
        await svc.remove(name);
        writeLine(io.stdout, `source ${name} removed`);
      }),
    );

  sources
    .command('rotate-secret')
    .description('add a new secret (shown once); the old ones stay valid for the grace period')
    .argument('<name>')
    .option('--grace <duration>', `how long the old secrets stay valid: ${DURATION_FORMS}`, '24h')
    .option('--secret <value>', 'use this secret instead of generating one')
    .option('--json', 'machine-readable output')
    .action(async (name: string, flags: { grace: string; secret?: string; json?: boolean }) =>
      deps.run(async (ctx, io) => {
        const graceMs = parseDuration(flags.grace, '--grace');
        const { secret } = flags;
        // The rule of every scheme before any connection, then that of the source's own scheme.
        if (secret !== undefined) asUsage(SourceError, () => checkSecret('token', secret));
        const svc = await ctx.sources();
        if (secret !== undefined) {
          const { scheme } = await svc.get(name);
          asUsage(SourceError, () => checkSecret(scheme, secret));
        }
        const result = await svc.rotateSecret(name, { secret, graceMs });
        if (flags.json)
          return writeJson(io.stdout, {
            secret: result.secret,
            old_secrets_valid_until: result.oldValidUntil,
          });
        writeLine(io.stdout, `secret: ${result.secret}`);
        writeLine(io.stdout, `previous secrets valid until ${result.oldValidUntil}`);
        writeLine(io.stderr, 'Store this secret now: it is not shown again.');
      }),
    );
}
