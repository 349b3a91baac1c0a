/**
 * integctl services: list, show, add, update, enable, disable, remove over
 * external_services. list shows the known services (google_sheets,
 * google_maps, yandex_maps) with or without a row, each setting with where it
 * comes from (row, env, default). A key is read only from standard input
 * (--api-key-stdin: not in shell history or the process list), stored in the
 * row, and shown as "set" or "not set", never its value. Running daemons
 * apply a change within 5 seconds.
 *
 * A value no service can take is a usage error (exit 2), found before any
 * connection; no such service, or one that exists already, exits 1.
 */
import type { Command } from 'commander';
import {
  checkNewService,
  checkServiceInput,
  checkServiceName,
  ServiceError,
  type ServiceInput,
} from '../../services/external-services.js';
import type { DescribedService, Sourced } from '../../services/service-settings.js';
import { confirmChange } from '../confirm.js';
import { CommandFailed, readStdin, UsageError, writeJson, writeLine, type CliIO } from '../io.js';
import { asUsage, type CommandDeps } from '../run.js';
import { renderTable } from '../table.js';

interface ServiceFlags {
  type?: string;
  baseUrl?: string;
  clearBaseUrl?: boolean;
  apiKeyStdin?: boolean;
  clearApiKey?: boolean;
  rateLimitPerMinute?: string;
  rateLimitPerHour?: string;
  rateLimitPerDay?: string;
  timeout?: string;
  priority?: string;
  disabled?: boolean;
  json?: boolean;
}

function whole(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new UsageError(`${flag} must be a whole number`);
  return Number(value);
}

/** 0 clears a budget: the service falls back to OUTBOUND_RATE_LIMIT_*. */
function budget(value: string | undefined, flag: string): number | null | undefined {
  const n = whole(value, flag);
  return n === 0 ? null : n;
}

/** What the flags alone say, checked as the service will check it: exit 2 before any connection. */
function inputOf(name: string, flags: ServiceFlags): ServiceInput {
  if (flags.baseUrl !== undefined && flags.clearBaseUrl)
    throw new UsageError('give --base-url or --clear-base-url, not both');
  if (flags.apiKeyStdin && flags.clearApiKey)
    throw new UsageError('give --api-key-stdin or --clear-api-key, not both');
  const input: ServiceInput = {
    type: flags.type,
    baseUrl: flags.clearBaseUrl ? null : flags.baseUrl,
    apiKey: flags.clearApiKey ? null : undefined,
    rateLimitPerMinute: budget(flags.rateLimitPerMinute, '--rate-limit-per-minute'),
    rateLimitPerHour: budget(flags.rateLimitPerHour, '--rate-limit-per-hour'),
    rateLimitPerDay: budget(flags.rateLimitPerDay, '--rate-limit-per-day'),
    timeoutSeconds: whole(flags.timeout, '--timeout'),
    priority: whole(flags.priority, '--priority'),
    active: flags.disabled ? false : undefined,
  };
  asUsage(ServiceError, () => checkServiceInput(name, input));
  return input;
}

async function withKey(io: CliIO, name: string, flags: ServiceFlags, input: ServiceInput) {
  if (!flags.apiKeyStdin) return input;
  const key = (await readStdin(io)).trim();
  if (key === '') throw new UsageError('--api-key-stdin read an empty key');
  const withApiKey = { ...input, apiKey: key };
  asUsage(ServiceError, () => checkServiceInput(name, withApiKey));
  return withApiKey;
}

const cell = (s: Sourced<string | number | boolean | null | undefined>) =>
  `${s.value === null || s.value === undefined || s.value === 0 ? '-' : String(s.value)} (${s.source})`;

function print(io: CliIO, s: DescribedService): void {
  for (const [key, value] of Object.entries(s)) {
    const shown =
      typeof value === 'object' && value !== null && 'source' in value ? cell(value) : String(value ?? '');
    writeLine(io.stdout, `${key.padEnd(22)} ${shown}`);
  }
}

function addFlags(command: Command): Command {
  return command
    .option('--type <type>', 'kind of service, e.g. geocoding (known services have theirs)')
    .option('--base-url <url>', "the API's root URL, e.g. https://maps.googleapis.com")
    .option('--api-key-stdin', 'read the API key from standard input (it is never printed)')
    .option('--rate-limit-per-minute <n>', 'calls per minute per tenant (0 = OUTBOUND_RATE_LIMIT_PER_MINUTE)')
    .option('--rate-limit-per-hour <n>', 'calls per hour per tenant (0 = OUTBOUND_RATE_LIMIT_PER_HOUR)')
    .option('--rate-limit-per-day <n>', 'calls per day per tenant (0 = OUTBOUND_RATE_LIMIT_PER_DAY)')
    .option('--timeout <seconds>', 'one HTTP attempt, 1-300 seconds')
    .option(
      '--priority <n>',
      'order for provider auto: lower is tried first (google_maps 10, yandex_maps 20)',
    )
    .option('--json', 'machine-readable output');
}

export function registerServices(program: Command, deps: CommandDeps): void {
  const services = program
    .command('services')
    .description('manage external services (external_services): keys, budgets, timeouts, priorities')
    .addHelpText(
      'after',
      '\nKnown services: google_sheets, google_maps, yandex_maps. Running daemons apply a change within 5 s.\nExample:\n  printf %s "$KEY" | integctl services update yandex_maps --api-key-stdin --rate-limit-per-day 20000',
    );

  services
    .command('list')
    .description('every known service and every row, with each setting and where it comes from')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean }) =>
      deps.run(async (ctx, io) => {
        const list = await (await ctx.externalServices()).list();
        if (flags.json) return writeJson(io.stdout, list);
        writeLine(
          io.stdout,
          renderTable(
            [
              'name',
              'type',
              'active',
              'api key',
              'priority',
              'base url',
              'per minute',
              'per hour',
              'per day',
              'timeout s',
            ],
            list.map((s) => [
              s.name,
              s.type.value,
              cell(s.active),
              cell(s.api_key),
              cell(s.priority),
              cell(s.base_url),
              cell(s.rate_limit_per_minute),
              cell(s.rate_limit_per_hour),
              cell(s.rate_limit_per_day),
              cell(s.timeout_seconds),
            ]),
          ),
        );
      }),
    );

  services
    .command('show')
    .description('one service: each setting and where it comes from (the key as set or not)')
    .argument('<name>')
    .option('--json', 'machine-readable output')
    .action(async (name: string, flags: { json?: boolean }) =>
      deps.run(async (ctx, io) => {
        asUsage(ServiceError, () => checkServiceName(name));
        const shown = await (await ctx.externalServices()).show(name);
        if (flags.json) writeJson(io.stdout, shown);
        else print(io, shown);
      }),
    );

  addFlags(services.command('add').description('add a row for a service').argument('<name>'))
    .option('--disabled', 'add it switched off')
    .action(async (name: string, flags: ServiceFlags) =>
      deps.run(async (ctx, io) => {
        const input = await withKey(io, name, flags, inputOf(name, flags));
        asUsage(ServiceError, () => checkNewService(name, input));
        const added = await fail(() => ctx.externalServices().then((s) => s.add(name, input)));
        if (flags.json) return writeJson(io.stdout, added);
        writeLine(io.stdout, `service ${name} added; running daemons use it within 5 s`);
      }),
    );

  addFlags(
    services
      .command('update')
      .description("change a service's settings; a known service without a row gets one")
      .argument('<name>'),
  )
    .option('--clear-api-key', 'remove the stored key (the environment variable applies again)')
    .option('--clear-base-url', 'remove the stored URL (the configured root applies again)')
    .action(async (name: string, flags: ServiceFlags) =>
      deps.run(async (ctx, io) => {
        const input = await withKey(io, name, flags, inputOf(name, flags));
        const updated = await fail(() => ctx.externalServices().then((s) => s.update(name, input)));
        if (flags.json) return writeJson(io.stdout, updated);
        writeLine(io.stdout, `service ${name} updated; running daemons use it within 5 s`);
      }),
    );

  for (const [verb, active] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    services
      .command(verb)
      .description(
        active ? 'use the service again' : 'stop calling the service (its callers get 503, auto skips it)',
      )
      .argument('<name>')
      .option('--json', 'machine-readable output')
      .action(async (name: string, flags: { json?: boolean }) =>
        deps.run(async (ctx, io) => {
          asUsage(ServiceError, () => checkServiceName(name));
          const s = await fail(() => ctx.externalServices().then((x) => x.update(name, { active })));
          if (flags.json) return writeJson(io.stdout, s);
          writeLine(
            io.stdout,
            `service ${name} ${active ? 'enabled' : 'disabled'}; running daemons follow within 5 s`,
          );
        }),
      );
  }

  services
    .command('remove')
    .description("delete a service's row (a known service then runs on the configuration's settings)")
    .argument('<name>')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--dry-run', 'say what would be removed, change nothing')
    .action(async (name: string, flags: { yes?: boolean; dryRun?: boolean }) =>
      deps.run(async (ctx, io) => {
        asUsage(ServiceError, () => checkServiceName(name));
        const svc = await ctx.externalServices();
        const current = await fail(() => svc.show(name));
        if (!current.has_row)
          throw new CommandFailed(`${name} has no row to remove; it runs on the configuration's settings`);
        if (flags.dryRun) return writeLine(io.stdout, `would remove service ${name}`);
        if (
          !(await confirmChange(io, `Remove service ${name} and its stored settings (and key)?`, flags.yes))
        )
          throw new CommandFailed('not removed');
        await fail(() => svc.remove(name));
        writeLine(io.stdout, `service ${name} removed`);
      }),
    );
}

/** The service's own refusals (no such service, it exists) are failures, exit 1. */
async function fail<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof ServiceError) throw new CommandFailed(err.message);
    throw err;
  }
}
