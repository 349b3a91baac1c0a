/**
 * integctl geocode "ADDRESS" | --reverse LAT,LON: asks a daemon (like health),
 * so the budgets, the cache, the fallback and the audit log are the daemon's,
 * and the providers' keys never leave it. Sends ADMIN_TOKEN from the same
 * configuration. Exit 1 when nothing is found or the daemon refuses, with its
 * message; exit 2 for an address or point no lookup could take.
 */
import type { Command } from 'commander';
import { daemonUrl, unreachable } from '../daemon-url.js';
import { CommandFailed, UsageError, writeJson, writeLine, type CliIO } from '../io.js';
import type { CommandDeps } from '../run.js';

const TIMEOUT_MS = 60_000;
const PROVIDERS = ['auto', 'google_maps', 'yandex_maps'];
const POINT = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

interface GeocodeFlags {
  reverse?: string;
  provider: string;
  language?: string;
  tenant?: string;
  url?: string;
  json?: boolean;
}

function requestOf(address: string | undefined, flags: GeocodeFlags): { path: string; body: object } {
  if (!PROVIDERS.includes(flags.provider))
    throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  const common = { provider: flags.provider, ...(flags.language ? { language: flags.language } : {}) };
  if (flags.reverse !== undefined) {
    if (address !== undefined) throw new UsageError('give an address or --reverse LAT,LON, not both');
    const m = POINT.exec(flags.reverse);
    const [latitude, longitude] = [Number(m?.[1]), Number(m?.[2])];
    if (m === null || Math.abs(latitude) > 90 || Math.abs(longitude) > 180)
      throw new UsageError('--reverse takes LAT,LON in decimal degrees, e.g. 55.7521,37.5847');
    return { path: '/api/v1/geocoding/reverse', body: { latitude, longitude, ...common } };
  }
  if (address === undefined || address.trim() === '')
    throw new UsageError('give an address, e.g. integctl geocode "Москва, улица Новый Арбат, 24"');
  if (address.length > 500) throw new UsageError('an address is at most 500 characters');
  return { path: '/api/v1/geocoding/forward', body: { address, ...common } };
}

/** A scalar of the answer as text; anything else as JSON. */
const text = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

function render(io: CliIO, answer: Record<string, unknown>): void {
  writeLine(io.stdout, text(answer.formatted_address ?? ''));
  const rows: Array<[string, unknown]> = [
    ['latitude', answer.latitude],
    ['longitude', answer.longitude],
  ];
  if (answer.precision !== undefined)
    rows.push(['precision', `${text(answer.precision)} (confidence ${text(answer.confidence)})`]);
  for (const k of ['street', 'house_number', 'city', 'postal_code', 'country'])
    if (answer[k] !== undefined && answer[k] !== null) rows.push([k.replace('_', ' '), answer[k]]);
  const tried = Array.isArray(answer.attempted_providers) ? answer.attempted_providers.join(', ') : '';
  rows.push([
    'provider',
    `${text(answer.provider)}${answer.cached === true ? ' (cached)' : ` (tried ${tried})`}`,
  ]);
  for (const [k, v] of rows) writeLine(io.stdout, `${k.padEnd(13)} ${text(v)}`);
}

export function registerGeocode(program: Command, deps: CommandDeps): void {
  program
    .command('geocode')
    .description("resolve an address (or --reverse a point) through a daemon's geocoding API")
    .argument('[address]', 'free text in any script')
    .option('--reverse <lat,lon>', 'find the address at this point instead')
    .option('--provider <provider>', `one of ${PROVIDERS.join(', ')}`, 'auto')
    .option('--language <lang>', 'answer language, e.g. ru, en, ru_RU')
    .option('--tenant <id>', 'the tenant whose cache and budget the lookup uses (X-Management-Company-ID)')
    .option('--url <url>', 'daemon base URL (default http://127.0.0.1:$PORT)')
    .option('--json', "print the daemon's answer as JSON")
    .addHelpText(
      'after',
      '\nExamples:\n  integctl geocode "Москва, улица Новый Арбат, 24"\n  integctl geocode --reverse 55.7521,37.5847 --provider yandex_maps --json',
    )
    .action(async (address: string | undefined, flags: GeocodeFlags) =>
      deps.run(async (ctx, io) => {
        const request = requestOf(address, flags);
        const base = daemonUrl(flags.url, ctx.config, '--url');
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (ctx.config.adminToken !== undefined) headers.authorization = `Bearer ${ctx.config.adminToken}`;
        if (flags.tenant !== undefined) headers['x-management-company-id'] = flags.tenant;
        let res: Response;
        try {
          res = await fetch(new URL(request.path, base), {
            method: 'POST',
            headers,
            body: JSON.stringify(request.body),
            signal: AbortSignal.timeout(TIMEOUT_MS),
          });
        } catch (err) {
          throw unreachable(base, err, '--url');
        }
        const body = (await res.json().catch(() => undefined)) as
          (Record<string, unknown> & { error?: { code?: string; message?: string } }) | undefined;
        if (res.status !== 200 || body === undefined) {
          const e = body?.error;
          throw new CommandFailed(
            e?.code === 'GEOCODE_NOT_FOUND'
              ? `not found: ${e.message ?? ''}`
              : `the daemon at ${base.origin} answered ${res.status}${e ? ` ${e.code ?? ''}: ${e.message ?? ''}` : ' without a geocoding answer'}`,
          );
        }
        if (flags.json) writeJson(io.stdout, body);
        else render(io, body);
      }),
    );
}
