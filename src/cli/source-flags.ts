/**
 * The flags `integctl sources add` and `update` share, and what they alone can
 * say is wrong, before any connection: a usage error (exit 2) that names the
 * flag. What needs the stored source (its scheme, for update) is checked by
 * the command once it has it.
 */
import { Option, type Command } from 'commander';
import type { Scheme } from '../domain/source.js';
import { isTenantId, TENANT_RULE } from '../domain/tenant.js';
import { createVerifier, InvalidSourceOptions } from '../providers/index.js';
import { HEADER_NAME } from '../providers/verifier.js';
import { UsageError } from './io.js';

export interface SourceFlags {
  scheme?: string;
  secret?: string;
  secretStdin?: boolean;
  tenant?: string;
  maxRetries?: string;
  rateLimitPerMinute?: string;
  description?: string;
  options?: string;
  header?: string;
  algorithm?: string;
  encoding?: string;
  prefix?: string;
  timestampHeader?: string;
  dedupHeader?: string;
  dedupPath?: string;
  channelId?: string[];
  enable?: boolean;
  disable?: boolean;
  json?: boolean;
}

export function addSchemeOptions(command: Command): Command {
  return command
    .option('--tenant <id>', 'tenant of events that do not name one: 1-128 of A-Z a-z 0-9 _ . -')
    .option('--max-retries <n>', 'retries before an event fails (default RETRY_MAX_ATTEMPTS)')
    .option('--rate-limit-per-minute <n>', 'ingest limit for this source')
    .option('--description <text>', 'free text shown by list and show')
    .option('--options <json>', 'scheme options as a JSON object (merged with the flags below)')
    .option('--header <name>', 'hmac/token: header carrying the signature or token')
    .addOption(
      new Option('--algorithm <alg>', 'hmac: signature algorithm').choices(['sha1', 'sha256', 'sha512']),
    )
    .addOption(new Option('--encoding <enc>', 'hmac: signature encoding').choices(['hex', 'base64']))
    .option('--prefix <text>', 'hmac: prefix before the signature, e.g. sha256=')
    .option('--timestamp-header <name>', 'hmac: header with a unix timestamp signed as "{timestamp}.{body}"')
    .option('--dedup-header <name>', 'hmac/token/none: header holding the event id')
    .option('--dedup-path <path>', 'hmac/token/none: JSON path of the event id, e.g. data.id')
    .option('--channel-id <id...>', 'google-drive: known channel ids');
}

/** The scheme options the flags set: --options JSON, then the single-option flags over it. */
function optionPatch(flags: SourceFlags): Record<string, unknown> {
  let options: Record<string, unknown> = {};
  if (flags.options !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(flags.options);
    } catch {
      throw new UsageError('--options must be a JSON object, like \'{"header":"x-signature"}\'');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new UsageError('--options must be a JSON object');
    options = { ...(parsed as Record<string, unknown>) };
  }
  const map: Array<[keyof SourceFlags, string]> = [
    ['header', 'header'],
    ['algorithm', 'algorithm'],
    ['encoding', 'encoding'],
    ['prefix', 'prefix'],
    ['timestampHeader', 'timestampHeader'],
    ['dedupHeader', 'dedupHeader'],
    ['dedupPath', 'dedupPath'],
    ['channelId', 'channelIds'],
  ];
  for (const [flag, key] of map) if (flags[flag] !== undefined) options[key] = flags[flag];
  return options;
}

/** Postgres integer: the columns max_retries and rate_limit_per_minute. */
const MAX_INT = 2_147_483_647;

function whole(value: string | undefined, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > MAX_INT)
    throw new UsageError(`${option} must be a whole number from ${min} to ${MAX_INT}`);
  return Number(value);
}

export interface CheckedFlags {
  options: Record<string, unknown>;
  tenantId?: string;
  maxRetries?: number;
  rateLimitPerMinute?: number;
}

/** What the flags alone can say is wrong, before any connection: exit 2. */
export function checkFlags(flags: SourceFlags): CheckedFlags {
  if (flags.tenant !== undefined && !isTenantId(flags.tenant))
    throw new UsageError(`--tenant ${JSON.stringify(flags.tenant.slice(0, 40))}: ${TENANT_RULE}`);
  for (const [flag, value] of [
    ['--header', flags.header],
    ['--timestamp-header', flags.timestampHeader],
    ['--dedup-header', flags.dedupHeader],
  ] as const) {
    if (value !== undefined && !HEADER_NAME.test(value))
      throw new UsageError(`${flag} ${JSON.stringify(value.slice(0, 40))} is not an HTTP header name`);
  }
  return {
    options: optionPatch(flags),
    tenantId: flags.tenant,
    maxRetries: whole(flags.maxRetries, '--max-retries', 0),
    rateLimitPerMinute: whole(flags.rateLimitPerMinute, '--rate-limit-per-minute', 1),
  };
}

/** Options the scheme refuses are a usage error naming the option. */
export function checkOptions(scheme: Scheme, options: Record<string, unknown>): void {
  try {
    createVerifier(scheme, options, 300);
  } catch (err) {
    if (err instanceof InvalidSourceOptions)
      throw new UsageError(`invalid options for ${scheme}: ${err.message}`);
    throw err;
  }
}
