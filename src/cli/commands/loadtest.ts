/**
 * integctl loadtest: the replacement of the old locust suite, on autocannon.
 * Sends the old request mix (or only webhooks) to a daemon, then prints per
 * request kind the count, throughput, p50/p95/p99 and errors against the old
 * targets (p95 < 200 ms, errors < 0.1%), and exits 1 when one is missed, so CI
 * can gate on it. Webhooks are signed with the real schemes: the Stripe secret
 * comes from --stripe-secret, else from the database or STRIPE_WEBHOOK_SECRET
 * like `webhooks send`; the generic source must exist (scheme none is enough).
 */
import type { Command } from 'commander';
import { SOURCE_NAME } from '../../domain/source.js';
import { isTenantId, TENANT_RULE } from '../../domain/tenant.js';
import { parseDuration } from '../durations.js';
import { daemonUrl, unreachable } from '../daemon-url.js';
import { CommandFailed, UsageError, writeJson, writeLine, type CliIO } from '../io.js';
import { kindsOf, MIXES, plan, type MixName, type Signer } from '../loadtest/mix.js';
import { runLoad } from '../loadtest/run.js';
import { TARGETS, type KindSummary, type LoadStats } from '../loadtest/stats.js';
import { renderTable } from '../table.js';
import type { CommandContext } from '../context.js';
import type { CommandDeps } from '../run.js';
import { newestSecret, signingSource, stripeSource } from '../signing-source.js';

interface LoadtestFlags {
  users: string;
  rate?: string;
  duration: string;
  mix: string;
  stripeSecret?: string;
  genericSource: string;
  tenant: string;
  json?: boolean;
}

function positiveInt(value: string, flag: string, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a whole number from 1 to ${max}`);
  }
  return n;
}

async function stripeSigner(ctx: CommandContext, secret: string | undefined): Promise<Signer> {
  if (secret !== undefined) return { source: stripeSource([secret]), secret };
  const source = await signingSource(ctx, 'stripe');
  if (source === undefined)
    throw new CommandFailed(
      'the Stripe webhooks need its secret: pass --stripe-secret whsec_…, set STRIPE_WEBHOOK_SECRET, or add the stripe source',
    );
  return { source, secret: newestSecret(source) };
}

async function genericSigner(ctx: CommandContext, name: string): Promise<Signer> {
  const source = await signingSource(ctx, name);
  if (source === undefined)
    throw new CommandFailed(
      `the generic webhooks need source ${JSON.stringify(name)}: add it with \`integctl sources add ${name} --scheme none\`, or name another with --generic-source`,
    );
  return { source, secret: newestSecret(source) };
}

function progressLine(io: CliIO, seconds: number, duration: number, stats: LoadStats): void {
  const rps = seconds > 0 ? Math.round(stats.responses / seconds) : 0;
  io.stderr.write(
    `\r\x1b[K${Math.min(duration, Math.round(seconds))}s/${duration}s  ${stats.responses} responses  ${rps} req/s  ${stats.errors} errors`,
  );
}

function row(k: KindSummary): Array<string | number> {
  return [
    k.kind,
    k.requests,
    k.rps,
    k.p50_ms,
    k.p95_ms,
    k.p99_ms,
    `${k.errors} (${(k.error_rate * 100).toFixed(2)}%)`,
    k.pass ? 'pass' : 'FAIL',
  ];
}

export function registerLoadtest(program: Command, deps: CommandDeps): void {
  program
    .command('loadtest')
    .description('load-test a daemon with the old request mix and check the p95 and error-rate targets')
    .argument('[url]', 'daemon base URL (default http://127.0.0.1:$PORT)')
    .option('--users <n>', 'concurrent connections', '50')
    .option('--rate <r>', 'requests per second over all users (default: as fast as answered)')
    .option('--duration <d>', 'how long, e.g. 30s or 1m', '1m')
    .option('--mix <name>', `request mix: ${Object.keys(MIXES).join(' or ')}`, 'default')
    .option('--stripe-secret <whsec>', 'sign Stripe webhooks with this secret (default: the stripe source)')
    .option('--generic-source <name>', 'source of the generic webhooks (must exist)', 'loadtest')
    .option('--tenant <id>', 'tenant_id for /cache/stats', 'loadtest')
    .option('--json', 'print the results as JSON')
    .addHelpText(
      'after',
      `\nTargets: p95 < ${TARGETS.p95Ms} ms and error rate < ${TARGETS.errorRate * 100}% per request kind and overall; exit 1 when missed.\nExample:\n  integctl loadtest http://127.0.0.1:8009 --users 200 --duration 60s`,
    )
    .action(async (given: string | undefined, flags: LoadtestFlags) =>
      deps.run(async (ctx, io) => {
        const base = daemonUrl(given, ctx.config, 'URL');
        const users = positiveInt(flags.users, '--users', 10_000);
        const rate = flags.rate === undefined ? undefined : positiveInt(flags.rate, '--rate', 1_000_000);
        // Node's timers stop at 2^31 ms (24.8 days); a longer run would end at once.
        const durationMs = parseDuration(flags.duration, '--duration', 24 * 86_400_000, '24d');
        const durationSeconds = Math.max(1, Math.round(durationMs / 1000));
        if (!Object.hasOwn(MIXES, flags.mix)) {
          throw new UsageError(
            `--mix ${JSON.stringify(flags.mix)} is not one of ${Object.keys(MIXES).join(', ')}`,
          );
        }
        const mix = flags.mix as MixName;
        if (!isTenantId(flags.tenant))
          throw new UsageError(`--tenant ${JSON.stringify(flags.tenant.slice(0, 40))}: ${TENANT_RULE}`);
        if (!SOURCE_NAME.test(flags.genericSource))
          throw new UsageError(
            `--generic-source ${JSON.stringify(flags.genericSource.slice(0, 80))} is not a source name: 1-63 of a-z 0-9 _ . - starting with a letter or digit`,
          );

        // Reach the daemon before anything else: a wrong URL is one clear line, not a minute of errors.
        try {
          const res = await fetch(new URL('/health', base), { signal: AbortSignal.timeout(5000) });
          if (!res.ok)
            throw new CommandFailed(`${base.origin}/health answered ${res.status}; is that an integrationd?`);
        } catch (err) {
          if (err instanceof CommandFailed) throw err;
          throw unreachable(base, err, 'URL');
        }
        const kinds = kindsOf(mix);
        const requests = plan(mix, {
          tenant: flags.tenant,
          stripe: kinds.includes('stripe_webhook') ? await stripeSigner(ctx, flags.stripeSecret) : undefined,
          generic: kinds.includes('generic_webhook')
            ? await genericSigner(ctx, flags.genericSource)
            : undefined,
        });

        const tty = io.stderr.isTTY === true;
        if (!flags.json) {
          writeLine(
            io.stderr,
            `load test: ${base.origin}, mix ${mix}, ${users} users, ${durationSeconds}s${rate ? `, ${rate} req/s` : ''}`,
          );
        }
        const run = await runLoad({
          url: base,
          users,
          rate,
          durationSeconds,
          requests,
          kinds,
          signal: io.signal,
          onTick: tty ? (seconds, stats) => progressLine(io, seconds, durationSeconds, stats) : undefined,
        });
        if (tty) io.stderr.write('\r\x1b[K');
        const result = run.stats.summary(run.seconds);
        if (result.total.requests === 0) {
          throw new CommandFailed(
            `no request to ${base.origin} was answered; is integrationd running there?`,
          );
        }
        if (flags.json) {
          writeJson(io.stdout, {
            url: base.origin,
            mix,
            users,
            rate: rate ?? null,
            duration_seconds: Math.round(run.seconds * 10) / 10,
            targets: { p95_ms: TARGETS.p95Ms, error_rate: TARGETS.errorRate },
            kinds: result.kinds,
            total: result.total,
            transport_errors: run.stats.transportErrors,
            pass: result.pass,
          });
        } else {
          writeLine(
            io.stdout,
            renderTable(
              [
                'kind',
                'requests',
                'req/s',
                'p50 ms',
                'p95 ms',
                'p99 ms',
                'errors',
                `p95<${TARGETS.p95Ms}ms, err<${TARGETS.errorRate * 100}%`,
              ],
              [...result.kinds.map(row), row(result.total)],
            ),
          );
          if (run.stats.transportErrors > 0) {
            writeLine(
              io.stdout,
              `${run.stats.transportErrors} requests failed without an answer (connection errors or 10 s timeouts)`,
            );
          }
        }
        if (!result.pass) {
          const missed = [...result.kinds, result.total].filter((k) => !k.pass).map((k) => k.kind);
          throw new CommandFailed(`targets missed for ${missed.join(', ')}`);
        }
      }),
    );
}
