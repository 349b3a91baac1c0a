/**
 * integctl cache stats | invalidate: the daemon's cache seen through its Redis
 * (REDIS_URL), with the same service code and key module as the daemon.
 * integctl cache purge-expired: the durable level (integration_cache, Postgres).
 */
import type { Command } from 'commander';
import type { CacheService } from '../../cache/cache-service.js';
import { assertNamespace, KeySpace, resolveTenant } from '../../redis/keys.js';
import { AppError } from '../../domain/errors.js';
import { redactSecrets } from '../../lib/redact.js';
import { cacheStats, type CacheStatsAnswer, type NamespaceAnswer } from '../../services/cache-stats.js';
import { countExpired, purgeExpired } from '../../services/purge-cache.js';
import { confirmChange } from '../confirm.js';
import { daemonUrl, unreachable } from '../daemon-url.js';
import type { CommandContext } from '../context.js';
import { CommandFailed, UsageError, writeJson, writeLine, type CliIO } from '../io.js';
import type { CommandDeps } from '../run.js';
import { renderTable } from '../table.js';

/**
 * Runs body with a cache service on the daemon's Redis (closed with the
 * command's context); bad names and outages become CLI errors. Without
 * REDIS_URL the cache lives inside integrationd, out of integctl's reach.
 */
async function withCache(ctx: CommandContext, body: (cache: CacheService) => Promise<void>): Promise<void> {
  const url = ctx.config.redisUrl;
  if (url === undefined) {
    throw new CommandFailed(
      "no REDIS_URL is set: without it the cache and rate limits live inside the integrationd process, where integctl cannot reach them; set REDIS_URL to the daemon's Redis (or ask the daemon: GET /cache/stats)",
    );
  }
  let cache: CacheService;
  try {
    cache = await ctx.cache(url);
  } catch (err) {
    // The reason may quote the URL's credentials (password, ?password=, ...).
    throw new CommandFailed(redactSecrets(`cannot connect to Redis at ${url}: ${(err as Error).message}`));
  }
  try {
    await body(cache);
    await cache.close();
  } catch (err) {
    throw translate(err);
  }
}

/**
 * The names and pattern a command was given, checked by the key module's own
 * rules before Redis is opened: a bad one is a usage error (exit 2) even when
 * Redis is down.
 */
function checkNames(names: { namespace?: string; tenant?: string; pattern?: string }): void {
  try {
    if (names.namespace !== undefined) assertNamespace(names.namespace);
    if (names.tenant !== undefined) resolveTenant(names.tenant);
    if (names.pattern !== undefined && names.namespace !== undefined)
      new KeySpace().pattern(names.namespace, names.tenant, names.pattern);
  } catch (err) {
    throw translate(err);
  }
}

/** Bad names are usage errors (exit 2); a store failure is a failure (exit 1) with its cause. */
function translate(err: unknown): unknown {
  if (!(err instanceof AppError)) return err;
  if (err.code === 'INVALID_TENANT' || err.code === 'INVALID_CACHE_INPUT') return new UsageError(err.message);
  if (err.code === 'CACHE_UNAVAILABLE') {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return new CommandFailed(`${err.message}${cause}`);
  }
  return err;
}

function rowsOf(answer: CacheStatsAnswer): Array<[string, string, NamespaceAnswer]> {
  const rows: Array<[string, string, NamespaceAnswer]> = [];
  const perTenant = answer.tenants ?? { [answer.tenant_id ?? '']: answer.namespaces };
  for (const [tenant, namespaces] of Object.entries(perTenant)) {
    for (const [ns, s] of Object.entries(namespaces)) rows.push([tenant, ns, s]);
  }
  return rows;
}

/** GET /cache/stats of the daemon, as admin, narrowed to one namespace here (the route has no such filter). */
async function statsFromDaemon(
  ctx: CommandContext,
  opts: { tenant?: string; namespace?: string; url?: string },
): Promise<CacheStatsAnswer> {
  const base = daemonUrl(opts.url, ctx.config, '--url');
  const url = new URL('/cache/stats', base);
  url.searchParams.set('detail', 'true');
  if (opts.tenant !== undefined) url.searchParams.set('tenant_id', opts.tenant);
  const token = ctx.config.adminToken;
  let res: Response;
  try {
    res = await fetch(url, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  } catch (err) {
    throw unreachable(base, err, '--url');
  }
  const body = (await res.json().catch(() => undefined)) as
    (CacheStatsAnswer & { error?: { message?: string } }) | undefined;
  if (res.status !== 200 || body === undefined) {
    throw new CommandFailed(
      `the daemon at ${base.origin} answered ${res.status}: ${body?.error?.message ?? 'no cache statistics'}`,
    );
  }
  if (opts.namespace === undefined) return body;
  const only = <T>(map: Record<string, T>) =>
    Object.fromEntries(Object.entries(map).filter(([ns]) => ns === opts.namespace));
  return {
    ...body,
    namespaces: only(body.namespaces),
    ...(body.tenants === undefined
      ? {}
      : { tenants: Object.fromEntries(Object.entries(body.tenants).map(([t, m]) => [t, only(m)])) }),
  };
}

function printStats(io: CliIO, answer: CacheStatsAnswer): void {
  const rows = rowsOf(answer);
  if (rows.length === 0) {
    const who = answer.tenant_id === null ? 'any tenant' : `tenant ${answer.tenant_id}`;
    writeLine(io.stdout, `no cache activity recorded for ${who}`);
    return;
  }
  const table = renderTable(
    ['tenant', 'namespace', 'hits', 'misses', 'total', 'hit rate', 'sets', 'invalidations'],
    rows.map(([tenant, ns, s]) => [
      tenant,
      ns,
      s.hits,
      s.misses,
      s.total,
      `${s.hit_rate.toFixed(2)}%`,
      s.sets ?? 0,
      s.invalidations ?? 0,
    ]),
    {
      align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
      colour: io.stdout.isTTY === true,
    },
  );
  writeLine(io.stdout, table);
  writeLine(
    io.stderr,
    `cache ${answer.cache_enabled ? 'enabled' : 'disabled'}, default TTL ${answer.default_ttl}s; counts reach Redis within a second`,
  );
}

interface InvalidateOptions {
  namespace: string;
  pattern: string;
  tenant?: string;
  dryRun?: boolean;
  yes?: boolean;
  json?: boolean;
}

async function invalidate(io: CliIO, service: CacheService, opts: InvalidateOptions): Promise<void> {
  const where = service.keys.pattern(opts.namespace, opts.tenant, opts.pattern);
  const matched = await service.countPattern(opts.namespace, opts.pattern, opts.tenant);
  const report = (deleted: number | null, text: string) => {
    if (!opts.json) return writeLine(io.stdout, text);
    writeJson(io.stdout, {
      namespace: opts.namespace,
      tenant: opts.tenant ?? null,
      pattern: where,
      matched,
      deleted,
      dry_run: opts.dryRun === true,
    });
  };
  if (opts.dryRun) return report(null, `${matched} key(s) match ${where} (dry run: nothing deleted)`);
  if (matched === 0) return report(0, `0 key(s) match ${where}`);
  const question = `Delete ${matched} key(s) matching ${where}?`;
  const refusal = `refusing to delete ${matched} key(s) matching ${where} without confirmation: stdin is not a terminal; pass --yes (or --dry-run to only count)`;
  if (!(await confirmChange(io, question, opts.yes, refusal))) {
    writeLine(io.stderr, 'nothing deleted');
    return;
  }
  const deleted = await service.invalidatePattern(opts.namespace, opts.pattern, opts.tenant);
  report(deleted, `deleted ${deleted} key(s) matching ${where}`);
}

/** integctl cache purge-expired: the durable level's retention (the daemon also runs it daily). */
async function purgeExpiredRows(
  ctx: CommandContext,
  io: CliIO,
  opts: { dryRun?: boolean; yes?: boolean; json?: boolean },
): Promise<void> {
  const store = await ctx.durableCache();
  const expired = await countExpired(store);
  const report = (deleted: number | null, text: string) =>
    opts.json
      ? writeJson(io.stdout, { expired, deleted, dry_run: opts.dryRun === true })
      : writeLine(io.stdout, text);
  if (opts.dryRun)
    return report(null, `${expired} expired row(s) in integration_cache (dry run: nothing deleted)`);
  if (expired === 0) return report(0, '0 expired rows in integration_cache');
  const question = `Delete ${expired} expired row(s) from integration_cache?`;
  if (!(await confirmChange(io, question, opts.yes))) throw new CommandFailed('nothing deleted');
  const deleted = await purgeExpired(store);
  report(deleted, `deleted ${deleted} expired row(s) from integration_cache`);
}

export function registerCache(program: Command, deps: CommandDeps): void {
  const cache = program
    .command('cache')
    .description("inspect and clear the daemon's cache (needs REDIS_URL)");

  cache
    .command('stats')
    .description('hits, misses, sets and invalidations per tenant and namespace')
    .option('--tenant <tenant>', 'one tenant (default: every tenant)')
    .option('--namespace <namespace>', 'one namespace, e.g. google_sheets')
    .option('--json', 'machine-readable output (the GET /cache/stats shape, plus sets and invalidations)')
    .option(
      '--url <url>',
      "ask this daemon's GET /cache/stats instead of Redis (the default without REDIS_URL)",
    )
    .addHelpText(
      'after',
      '\nWith REDIS_URL the counters are read from Redis; without it (the cache lives in the daemon)\nor with --url, from the daemon.\nExamples:\n  integctl cache stats\n  integctl cache stats --tenant uk_company_1 --json',
    )
    .action(async (opts: { tenant?: string; namespace?: string; json?: boolean; url?: string }) =>
      deps.run(async (ctx, io) => {
        checkNames(opts);
        if (opts.url !== undefined || ctx.config.redisUrl === undefined) {
          const answer = await statsFromDaemon(ctx, opts);
          if (opts.json) writeJson(io.stdout, answer);
          else printStats(io, answer);
          return;
        }
        await withCache(ctx, async (service) => {
          const answer = await cacheStats(service, ctx.config, {
            tenantId: opts.tenant,
            namespace: opts.namespace,
            detail: true,
          });
          if (opts.json) writeJson(io.stdout, answer);
          else printStats(io, answer);
        });
      }),
    );

  cache
    .command('invalidate')
    .description('delete the cached keys of one namespace and tenant that match a pattern')
    .requiredOption('--namespace <namespace>', 'namespace, e.g. google_sheets')
    .requiredOption('--pattern <pattern>', 'Redis glob over the key part only, e.g. "1AbC*" or "*"')
    .option('--tenant <tenant>', `tenant (default: the tenant-less space, _global)`)
    .option('--dry-run', 'count the matching keys and delete nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nThe pattern never reaches beyond one namespace and tenant. Keys are counted first,\nthen deleted with SCAN and UNLINK in batches.\nExamples:\n  integctl cache invalidate --namespace google_sheets --tenant uk_company_1 --pattern "*" --dry-run\n  integctl cache invalidate --namespace google_sheets --tenant uk_company_1 --pattern "1AbC:*" --yes',
    )
    .action(async (opts: InvalidateOptions) =>
      deps.run(async (ctx, io) => {
        checkNames(opts);
        await withCache(ctx, (service) => invalidate(io, service, opts));
      }),
    );

  cache
    .command('purge-expired')
    .description('delete expired entries of the durable cache level (integration_cache, in Postgres)')
    .option('--dry-run', 'count the expired rows and delete nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nThe daemon runs this once a day by itself; from cron: integctl cache purge-expired --yes.\nRows go 5,000 per statement, so the purge never holds long locks.',
    )
    .action(async (opts: { dryRun?: boolean; yes?: boolean; json?: boolean }) =>
      deps.run((ctx, io) => purgeExpiredRows(ctx, io, opts)),
    );
}
