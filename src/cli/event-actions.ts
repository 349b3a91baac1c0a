/**
 * What `integctl events retry | purge` do once their flags are parsed:
 * validate, count, confirm, show progress, call the service, print. The
 * command tree (flags and help) is in commands/events.ts.
 *
 * The database is opened only after every flag has been validated, so a usage
 * error (exit 2) never waits on, or starts, a Postgres.
 */
import type { EventQueries } from '../services/ports.js';
import { countPurgeable, purgeEvents, undelivered } from '../services/purge-events.js';
import { malformedIds, retryEventsById, retryMatching } from '../services/schedule-retries.js';
import { confirmChange } from './confirm.js';
import { parseDuration } from './durations.js';
import { count, plural } from './event-render.js';
import { describeFilter, parseFilter, parseStatuses, parseWhole, type FilterFlags } from './event-options.js';
import { CommandFailed, UsageError, writeJson, writeLine, type CliIO } from './io.js';
import { withProgress } from './progress.js';

export type OpenEvents = () => Promise<EventQueries>;

/** Largest --batch-size: beyond this one statement holds locks long enough to be felt. */
const MAX_BATCH = 50_000;

export interface RetryFlags extends FilterFlags {
  dryRun?: boolean;
  yes?: boolean;
  batchSize: string;
  json?: boolean;
}

/** events retry <id…>: unknown and busy ids are reported and make the exit code 1; the rest are retried. */
export async function retryByIds(
  io: CliIO,
  open: OpenEvents,
  ids: string[],
  flags: RetryFlags,
): Promise<void> {
  if (
    ['status', 'source', 'tenant', 'type', 'since', 'until'].some(
      (k) => flags[k as keyof FilterFlags] !== undefined,
    )
  )
    throw new UsageError('give event ids or filters (--status …), not both');
  const malformed = malformedIds(ids);
  if (malformed.length > 0)
    throw new UsageError(
      `not event ids (uuids, as events list shows): ${malformed.join(', ')}; nothing was retried`,
    );
  const result = await retryEventsById(await open(), ids, { now: new Date(), dryRun: flags.dryRun === true });
  if (flags.json) writeJson(io.stdout, { ...result, dry_run: flags.dryRun === true });
  else {
    const verb = flags.dryRun ? 'would retry' : 'scheduled for retry:';
    if (result.scheduled.length > 0)
      writeLine(io.stdout, `${verb} ${plural(result.scheduled.length, 'event')}`);
    for (const id of result.scheduled) writeLine(io.stdout, `  ${id}`);
  }
  for (const id of result.unknown) writeLine(io.stderr, `no event with id ${id}`);
  for (const id of result.busy)
    writeLine(io.stderr, `event ${id} is being processed right now; retry it when it has finished`);
  if (result.unknown.length + result.busy.length > 0)
    throw new CommandFailed(
      `${plural(result.unknown.length + result.busy.length, 'event')} not ${flags.dryRun ? 'retryable' : 'retried'}`,
    );
}

/** events retry --status …: count, confirm, then schedule in batches. */
export async function retryByFilter(io: CliIO, open: OpenEvents, flags: RetryFlags): Promise<void> {
  if (flags.status === undefined)
    throw new UsageError('give event ids, or --status (e.g. --status failed) to retry every matching event');
  const now = new Date();
  const filter = parseFilter(flags, now);
  const batchSize = parseWhole(flags.batchSize, '--batch-size', 1, MAX_BATCH);
  const queries = await open();
  const matched = await queries.count(filter);
  const what = `${plural(matched, 'event')} (${describeFilter(filter)})`;
  if (flags.json && (flags.dryRun || matched === 0))
    return writeJson(io.stdout, { matched, scheduled: 0, busy: 0, dry_run: flags.dryRun === true });
  if (matched === 0)
    return writeLine(io.stderr, `no events match (${describeFilter(filter)}); nothing to retry`);
  if (flags.dryRun) return writeLine(io.stdout, `would retry ${what}`);
  if (!(await confirmChange(io, `Retry ${what}? The daemon publishes them again.`, flags.yes)))
    throw new CommandFailed('nothing was retried');
  const result = await withProgress(io, `retrying ${what}`, (update) =>
    retryMatching(queries, filter, {
      now,
      batchSize,
      onProgress: (done) => update(`scheduled ${count(done)} of ${count(matched)}`),
    }),
  );
  if (flags.json) return writeJson(io.stdout, { ...result, dry_run: false });
  writeLine(
    io.stdout,
    `scheduled ${plural(result.scheduled, 'event')} for retry; the daemon's retry loop publishes on its next tick`,
  );
  if (result.busy > 0)
    writeLine(io.stderr, `${plural(result.busy, 'event')} left alone: being processed by a worker right now`);
}

export interface PurgeFlags {
  olderThan: string;
  status: string;
  dryRun?: boolean;
  yes?: boolean;
  batchSize: string;
  json?: boolean;
}

/** events purge: count per status, confirm (warning about undelivered ones), delete in batches. */
export async function purgeOld(io: CliIO, open: OpenEvents, flags: PurgeFlags): Promise<void> {
  const now = new Date();
  const plan = {
    statuses: parseStatuses(flags.status),
    receivedBefore: new Date(now.getTime() - parseDuration(flags.olderThan, '--older-than')),
    now,
  };
  const batchSize = parseWhole(flags.batchSize, '--batch-size', 1, MAX_BATCH);
  const queries = await open();
  const counts = await countPurgeable(queries, plan);
  const total = [...counts.values()].reduce((a, b) => a + b, 0);
  const breakdown = [...counts].map(([status, n]) => `${count(n)} ${status}`).join(', ');
  const what = `${plural(total, 'event')} received before ${plan.receivedBefore.toISOString()} (${breakdown})`;
  const report = (deleted: number) => ({
    matched: total,
    deleted,
    by_status: Object.fromEntries(counts),
    dry_run: flags.dryRun === true,
  });
  if (flags.json && (flags.dryRun || total === 0)) return writeJson(io.stdout, report(0));
  if (total === 0) return writeLine(io.stderr, `nothing to purge: no ${what}`);
  if (flags.dryRun) return writeLine(io.stdout, `would delete ${what}`);
  const lost = undelivered(plan.statuses).reduce((sum, s) => sum + (counts.get(s) ?? 0), 0);
  const warning = lost > 0 ? ` ${plural(lost, 'event')} of them were never delivered and never will be.` : '';
  if (!(await confirmChange(io, `Delete ${what}?${warning}`, flags.yes)))
    throw new CommandFailed('nothing was deleted');
  const deleted = await withProgress(io, `deleting ${what}`, (update) =>
    purgeEvents(queries, plan, {
      batchSize,
      onProgress: (n) => update(`deleted ${count(n)} of ${count(total)}`),
    }),
  );
  if (flags.json) return writeJson(io.stdout, report(deleted));
  writeLine(io.stdout, `deleted ${plural(deleted, 'event')} and their attempt history`);
}
