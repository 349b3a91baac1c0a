/**
 * integctl events: list, show, retry, tail, purge. Parsing and printing only;
 * the queries are in services/ (event-details, schedule-retries,
 * purge-events, tail-events), shared with the HTTP API and the retry loop.
 */
import type { Command } from 'commander';
import { eventDetailsJson, getEventDetails, isEventId } from '../../services/event-details.js';
import { DEFAULT_PURGE_BATCH, DEFAULT_PURGE_STATUSES } from '../../services/purge-events.js';
import { DEFAULT_RETRY_BATCH } from '../../services/schedule-retries.js';
import { DURATION_FORMS } from '../durations.js';
import { purgeOld, retryByFilter, retryByIds, type PurgeFlags, type RetryFlags } from '../event-actions.js';
import { describeFilter, parseFilter, parseWhole, type FilterFlags } from '../event-options.js';
import { count, eventsTable, eventText } from '../event-render.js';
import { tailPublished, type TailFlags } from '../tail-actions.js';
import { CommandFailed, UsageError, writeJson, writeLine } from '../io.js';
import type { CommandDeps } from '../run.js';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 10_000;

function addFilterOptions(command: Command): Command {
  return command
    .option(
      '--status <s>',
      'status, or several comma-separated: pending, processing, completed, retrying, failed',
    )
    .option('--source <name>', 'source name')
    .option('--tenant <id>', 'tenant id')
    .option('--type <type>', 'event type, e.g. payment_intent.succeeded')
    .option('--since <when>', `received at or after: ${DURATION_FORMS} ago, or an ISO-8601 time`)
    .option('--until <when>', 'received before: same forms as --since');
}

export function registerEvents(program: Command, deps: CommandDeps): void {
  const events = program
    .command('events')
    .description('list, inspect, retry, watch and purge stored webhook events');

  addFilterOptions(events.command('list').description('list events, newest first'))
    .option('--limit <n>', `at most this many (1 to ${count(MAX_LIMIT)})`, String(DEFAULT_LIMIT))
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nExamples:\n  integctl events list --status failed --since 1h\n  integctl events list --source stripe --json',
    )
    .action(async (flags: FilterFlags & { limit: string; json?: boolean }) =>
      deps.run(async (ctx, io) => {
        const filter = parseFilter(flags, new Date());
        const limit = parseWhole(flags.limit, '--limit', 1, MAX_LIMIT);
        const page = await (await ctx.events()).list(filter, limit);
        if (flags.json) writeJson(io.stdout, page.events);
        else if (page.events.length === 0)
          writeLine(io.stderr, `no events match (${describeFilter(filter)})`);
        else writeLine(io.stdout, eventsTable(page.events));
        if (page.more)
          writeLine(
            io.stderr,
            `showing the newest ${count(limit)}; more match (raise --limit or narrow with --since/--until)`,
          );
      }),
    );

  events
    .command('show')
    .description('one event: payload, stored headers, every processing attempt and the last error')
    .argument('<id>', 'event id (a uuid, as events list shows)')
    .option('--json', 'machine-readable output (the shape of GET /api/v1/webhooks/events/{id})')
    .action(async (id: string, flags: { json?: boolean }) =>
      deps.run(async (ctx, io) => {
        if (!isEventId(id))
          throw new UsageError(`${JSON.stringify(id)} is not an event id (a uuid, as events list shows)`);
        const details = await getEventDetails(await ctx.events(), id);
        if (details === undefined)
          throw new CommandFailed(`no event with id ${id}; see integctl events list`);
        if (flags.json) writeLine(io.stdout, eventDetailsJson(details, 2));
        else writeLine(io.stdout, eventText(details));
      }),
    );

  addFilterOptions(
    events
      .command('retry')
      .description('make events due now; the daemon retry loop publishes them on its next tick')
      .argument('[ids...]', 'event ids; or leave out and select with --status and the filters'),
  )
    .option('--dry-run', 'say what would be retried, change nothing')
    .option('-y, --yes', 'do not ask for confirmation (bulk retry)')
    .option('--batch-size <n>', 'bulk retry: events per statement', String(DEFAULT_RETRY_BATCH))
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nEvents a worker is processing right now are left alone and reported.\nExamples:\n  integctl events retry 0b6c4f7e-1b7e-4c43-9d0e-4f1c2a9b8e11\n  integctl events retry --status failed --source stripe --since 24h --dry-run',
    )
    .action(async (ids: string[], flags: RetryFlags) =>
      deps.run(async (ctx, io) => {
        const open = () => ctx.events();
        return ids.length > 0 ? retryByIds(io, open, ids, flags) : retryByFilter(io, open, flags);
      }),
    );

  events
    .command('tail')
    .description(
      "print events as they are published, until Ctrl-C: from Redis Pub/Sub with REDIS_URL, else from the daemon's event stream",
    )
    .option('--source <name>', 'only this source')
    .option('--type <type>', 'only this event type')
    .option('--tenant <id>', 'only this tenant')
    .option('--json', 'print each published envelope, one JSON object per line')
    .option('--count <n>', 'exit after this many events')
    .option('--url <url>', "read the event stream of this daemon (default: this machine's PORT)")
    .option(
      '--since <cursor|when>',
      `first replay what was published since then: a cursor the stream gave, ${DURATION_FORMS} ago, or an ISO-8601 time (reads the stream)`,
    )
    .option('--forward-to <url>', 'POST each envelope to this URL, signed with Standard Webhooks headers')
    .option(
      '--forward-secret <whsec>',
      'the whsec_ secret to sign forwarded events with (default: a new one, printed once)',
    )
    .option('--forward-timeout <seconds>', 'how long one delivery waits for the receiver, 1-300 (default 10)')
    .addHelpText(
      'after',
      "\nOne line per event: publish time, source, type, tenant, id (for events show); with --forward-to,\none more per delivery: the receiver's status and the time it took (failures and timeouts retried twice, then skipped).\nPub/Sub keeps nothing: tail with REDIS_URL sees what is published while it listens. The event stream\n(without REDIS_URL, or with --url or --since) resumes after a lost connection from the last event seen.\nExamples:\n  integctl events tail --source stripe\n  integctl events tail --since 1h --forward-to http://localhost:3000/webhooks",
    )
    .action(async (flags: TailFlags) => deps.run(async (ctx, io) => tailPublished(io, ctx, flags)));

  events
    .command('purge')
    .description('delete events received longer ago than --older-than (retention), in batches')
    .requiredOption('--older-than <duration>', `age from receipt: ${DURATION_FORMS}`)
    .option(
      '--status <s>',
      'statuses to delete, comma-separated; pending, processing and retrying are never delivered once deleted',
      DEFAULT_PURGE_STATUSES.join(','),
    )
    .option('--dry-run', 'count what would be deleted, delete nothing')
    .option('-y, --yes', 'do not ask for confirmation')
    .option('--batch-size <n>', 'events deleted per statement (short locks)', String(DEFAULT_PURGE_BATCH))
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      '\nDefault: only completed events; failed ones are kept for retry until named.\nAn event a worker is processing right now is never deleted.\nExamples:\n  integctl events purge --older-than 30d --dry-run\n  integctl events purge --older-than 90d --status completed,failed --yes',
    )
    .action(async (flags: PurgeFlags) =>
      deps.run(async (ctx, io) => purgeOld(io, () => ctx.events(), flags)),
    );
}
