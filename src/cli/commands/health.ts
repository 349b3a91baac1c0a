/**
 * integctl health: the daemon's GET /health/detailed as a table (or --json).
 * Exit 1 when the daemon is unhealthy or cannot be reached, so a deploy script
 * or a cron job can act on it; degraded (Redis or Sheets down, webhooks still
 * stored) is printed but exits 0.
 */
import type { Command } from 'commander';
import { redactDeep, redactSecrets } from '../../lib/redact.js';
import type { DetailedHealth } from '../../services/health-report.js';
import { daemonUrl, unreachable } from '../daemon-url.js';
import { CommandFailed, writeJson, writeLine } from '../io.js';
import { renderTable } from '../table.js';
import type { CommandDeps } from '../run.js';

const TIMEOUT_MS = 10_000;

function isReport(value: unknown): value is DetailedHealth {
  const v = value as Partial<DetailedHealth> | null;
  return (
    typeof v === 'object' && v !== null && typeof v.status === 'string' && typeof v.dependencies === 'object'
  );
}

/** One line for geocoding: each configured provider with its status and circuit. */
function geocodingRow(g: NonNullable<DetailedHealth['dependencies']['geocoding']>): string[] {
  const detail = g.providers
    .filter((p) => p.configured)
    .map(
      (p) => `${p.service} ${p.active ? (p.health?.status ?? '') : 'disabled'}, circuit ${p.circuit ?? '-'}`,
    )
    .join('; ');
  return ['geocoding', g.status, '', g.configured ? 'configured' : 'not configured', detail];
}

function render(report: DetailedHealth): string {
  const { database, redis, google_sheets: sheets } = report.dependencies;
  const reason = (r: { reason?: string } | object) => ('reason' in r ? r.reason : undefined);
  return renderTable(
    ['dependency', 'status', 'latency ms', 'mode', 'detail'],
    [
      ['database', database.status, database.latency_ms, database.mode, redactSecrets(database.error ?? '')],
      [
        'redis',
        redis.status,
        redis.mode === 'in-process' ? '' : redis.latency_ms,
        redis.mode,
        redactSecrets(redis.error ?? ''),
      ],
      [
        'google_sheets',
        sheets.status,
        '',
        sheets.configured ? 'configured' : 'not configured',
        redactSecrets(reason(sheets) ?? ''),
      ],
      ...(report.dependencies.geocoding === undefined ? [] : [geocodingRow(report.dependencies.geocoding)]),
    ],
  );
}

export function registerHealth(program: Command, deps: CommandDeps): void {
  program
    .command('health')
    .description("print a daemon's detailed health (GET /health/detailed); exit 1 when unhealthy")
    .option('--url <url>', 'daemon base URL (default http://127.0.0.1:$PORT)')
    .option('--json', 'print the report as JSON')
    .action(async (flags: { url?: string; json?: boolean }) =>
      deps.run(async (ctx, io) => {
        const base = daemonUrl(flags.url, ctx.config, '--url');
        const url = new URL('/health/detailed', base);
        let response: Response;
        try {
          response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
        } catch (err) {
          throw unreachable(base, err, '--url');
        }
        let body: unknown;
        try {
          body = await response.json();
        } catch {
          body = undefined;
        }
        // A failure's reason is a driver's message, which may quote a connection string.
        body = redactDeep(body);
        if (!isReport(body)) {
          throw new CommandFailed(
            `${url.toString()} answered ${response.status} without a health report; is that an integrationd?`,
          );
        }
        if (flags.json) writeJson(io.stdout, body);
        else {
          writeLine(
            io.stdout,
            `${body.service} ${body.version} at ${base.origin}: ${body.status.toUpperCase()}`,
          );
          writeLine(io.stdout, render(body));
        }
        if (body.status === 'unhealthy') {
          throw new CommandFailed(
            `the daemon is unhealthy: database ${body.dependencies.database.error ?? 'down'}`,
          );
        }
      }),
    );
}
