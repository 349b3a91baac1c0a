/**
 * `integctl events tail`: what the daemon publishes, until Ctrl-C or --count.
 *
 * Two sources. With REDIS_URL (and neither --url nor --since) it listens on
 * the Pub/Sub channels consumers read: nothing is kept for it while away.
 * Otherwise it reads the daemon's event stream (GET /api/v1/events/stream),
 * which works on the embedded default, replays with --since, and resumes
 * after a lost connection from the last event it saw.
 *
 * --forward-to POSTs each envelope to a local receiver, signed with Standard
 * Webhooks headers (cli/forward.ts), one line per delivery.
 */
import { Webhook } from 'standardwebhooks';
import { channelFor } from '../domain/event.js';
import { redactUrl } from '../lib/redact.js';
import {
  globLiteral,
  parseEnvelope,
  tailEvents,
  tailLine,
  type TailedEvent,
} from '../services/tail-events.js';
import { isCursor } from '../services/event-stream.js';
import type { CommandContext } from './context.js';
import { answerMessage, daemonUrl } from './daemon-url.js';
import { parseSince } from './durations.js';
import { parseWhole } from './event-options.js';
import { FORWARD_TIMEOUT_SECONDS, Forwarder, newForwardSecret } from './forward.js';
import { stopOnInterrupt } from './interrupt.js';
import { UsageError, writeLine, type CliIO } from './io.js';
import { readEventStream } from './stream-client.js';

export interface TailFlags {
  source?: string;
  type?: string;
  tenant?: string;
  json?: boolean;
  count?: string;
  url?: string;
  since?: string;
  forwardTo?: string;
  forwardSecret?: string;
  forwardTimeout?: string;
}

interface Plan {
  limit: number | undefined;
  /** Resume after this cursor, or replay from this time. */
  after?: string;
  since?: Date;
  forward?: { target: URL; secret: string; generated: boolean; timeoutMs: number };
  useStream: boolean;
}

/** Every flag checked before anything is contacted (usage errors exit 2). */
function plan(flags: TailFlags, ctx: CommandContext): Plan {
  const limit = flags.count === undefined ? undefined : parseWhole(flags.count, '--count', 1, 1e9);
  let after: string | undefined;
  let since: Date | undefined;
  if (flags.since !== undefined) {
    if (isCursor(flags.since)) after = flags.since.trim().toLowerCase();
    else since = parseSince(flags.since, '--since');
  }
  if ((flags.forwardSecret ?? flags.forwardTimeout) !== undefined && flags.forwardTo === undefined)
    throw new UsageError('--forward-secret and --forward-timeout go with --forward-to');
  const timeoutSeconds =
    flags.forwardTimeout === undefined
      ? FORWARD_TIMEOUT_SECONDS
      : parseWhole(flags.forwardTimeout, '--forward-timeout', 1, 300);
  let forward: Plan['forward'];
  if (flags.forwardTo !== undefined) {
    let target: URL;
    try {
      target = new URL(flags.forwardTo);
    } catch {
      throw new UsageError(
        `--forward-to ${JSON.stringify(flags.forwardTo)} is not a URL like http://localhost:3000/webhooks`,
      );
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:')
      throw new UsageError('--forward-to must be an http:// or https:// URL');
    const secret = flags.forwardSecret ?? newForwardSecret();
    try {
      if (!secret.startsWith('whsec_')) throw new Error('no whsec_ prefix');
      new Webhook(secret);
    } catch {
      throw new UsageError('--forward-secret must be a Standard Webhooks secret: whsec_ and base64');
    }
    forward = {
      target,
      secret,
      generated: flags.forwardSecret === undefined,
      timeoutMs: timeoutSeconds * 1000,
    };
  }
  const useStream = flags.url !== undefined || flags.since !== undefined || ctx.config.redisUrl === undefined;
  if (useStream) daemonUrl(flags.url, ctx.config, '--url');
  return { limit, after, since, forward, useStream };
}

export async function tailPublished(io: CliIO, ctx: CommandContext, flags: TailFlags): Promise<void> {
  const p = plan(flags, ctx);
  const stop = stopOnInterrupt(io);
  const forwarder = p.forward && new Forwarder(p.forward.target, p.forward.secret, p.forward.timeoutMs);
  if (p.forward) {
    writeLine(
      io.stderr,
      `forwarding to ${redactUrl(p.forward.target.toString())}, signed (Standard Webhooks) with ${p.forward.generated ? `the new secret ${p.forward.secret}; give it to your receiver` : 'the given --forward-secret'}`,
    );
  }
  let seen = 0;
  const onEvent = async (event: TailedEvent, messageId: string) => {
    if (stop.signal.aborted) return;
    writeLine(io.stdout, flags.json ? event.envelope : tailLine(event));
    await forwarder?.deliver(messageId, event.envelope, (d) => {
      const outcome = d.status === undefined ? (d.error ?? 'no answer') : String(d.status);
      const line = `  -> ${outcome} in ${d.ms} ms${d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}${d.final && (d.status === undefined || d.status >= 300) ? '; giving up on this event' : ''}`;
      // With --json stdout holds envelopes only; deliveries are then reported on stderr.
      const ok = d.status !== undefined && d.status < 300;
      writeLine(ok && !flags.json ? io.stdout : io.stderr, line);
    });
    seen += 1;
    if (p.limit !== undefined && seen >= p.limit) stop.abort();
  };
  try {
    if (p.useStream) await fromStream(io, ctx, flags, p, onEvent, stop.signal);
    else await fromRedis(io, ctx, flags, onEvent, stop.signal);
  } finally {
    stop.dispose();
  }
}

async function fromStream(
  io: CliIO,
  ctx: CommandContext,
  flags: TailFlags,
  p: Plan,
  onEvent: (event: TailedEvent, messageId: string) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const base = daemonUrl(flags.url, ctx.config, '--url');
  await readEventStream(
    {
      base,
      adminToken: ctx.config.adminToken,
      query: {
        source: flags.source,
        // --type names one type; the stream takes a glob.
        type: flags.type === undefined ? undefined : globLiteral(flags.type),
        tenant: flags.tenant,
        since: p.since?.toISOString(),
      },
      after: p.after,
    },
    {
      onOpen: (reconnected) =>
        writeLine(
          io.stderr,
          reconnected
            ? 'reconnected; resuming after the last event seen'
            : `reading the event stream of ${base.origin}${flags.tenant === undefined ? '' : ` for tenant ${flags.tenant}`}; Ctrl-C to stop`,
        ),
      onEvent: async (cursor, envelope) => {
        const parsed = parseEnvelope('', envelope);
        if (parsed === undefined) return;
        const event = { ...parsed, channel: channelFor(parsed.source, parsed.type) };
        await onEvent(event, `msg_${cursor ?? `${event.id}_${event.timestamp}`}`);
      },
      onNotice: (kind, data) => {
        const message = answerMessage(data) ?? data;
        writeLine(io.stderr, `${kind}: ${message}`);
      },
      onLost: (reason, ms) => writeLine(io.stderr, `${reason}; reconnecting in ${ms} ms`),
    },
    signal,
  );
}

async function fromRedis(
  io: CliIO,
  ctx: CommandContext,
  flags: TailFlags,
  onEvent: (event: TailedEvent, messageId: string) => Promise<void>,
  signal: AbortSignal,
): Promise<void> {
  const url = ctx.config.redisUrl as string;
  // Closed with the command's context; a first connection that fails says why.
  const subscriber = await ctx.subscriber(url, {
    onConnectionLost: () =>
      writeLine(
        io.stderr,
        'lost the connection to Redis; reconnecting (events published meanwhile are missed)',
      ),
    onReconnected: () => writeLine(io.stderr, 'reconnected to Redis'),
  });
  // Pub/Sub hands events over one by one: deliveries are chained so they go out in order.
  let chain = Promise.resolve();
  await tailEvents(
    subscriber.subscribe,
    { source: flags.source, type: flags.type, tenant: flags.tenant },
    {
      onSubscribed: (pattern) =>
        writeLine(
          io.stderr,
          `listening on ${pattern}${flags.tenant === undefined ? '' : ` for tenant ${flags.tenant}`} at ${redactUrl(url)}; Ctrl-C to stop`,
        ),
      onEvent: (event) => {
        chain = chain.then(() => onEvent(event, `msg_${event.id}_${event.timestamp}`));
      },
      onUnrecognised: (channel) =>
        writeLine(io.stderr, `skipped a message on ${channel} that is not an event envelope`),
    },
    signal,
  );
  await chain;
}
