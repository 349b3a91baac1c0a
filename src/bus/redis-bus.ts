/**
 * The Redis bus. Each event is PUBLISHed on its channel (fire-and-forget: a
 * consumer that is down misses it) and XADDed to the stream integration:events
 * with an approximate MAXLEN (consumer groups can read it and catch up after
 * downtime). One script call per chunk of events (one EVALSHA carries them
 * all: per-command overhead, in ioredis and in Redis, was a measurable share of
 * ingest cost when it was one call per event), all chunks of a batch in one
 * pipeline. A chunk holds at most 200 events and about 1 MB of payloads: Redis
 * sends nothing to anyone while a script runs, so every PUBLISH of a chunk waits
 * in each subscriber's output buffer, and a subscriber over Redis's pub/sub
 * output limit (32 MB by default) is disconnected. The cap also keeps a chunk's
 * run short.
 *
 * Publishing is idempotent per event: a Lua script (atomic in Redis) skips an
 * event whose marker key exists, XADDs and PUBLISHes it, and only then sets the
 * marker (SET EX), so an append that failed leaves no marker behind. When Redis
 * ran the script but the reply was lost (Redis killed, a timeout), the retry
 * finds the marker and appends nothing: the stream gets each event once. The marker
 * lives `dedupSeconds`, or longer when the event's next attempt could come later
 * (BusMessage.holdSeconds: late retries back off for up to an hour), and shares the
 * stream's hash slot ({integration:events}), so the script also runs on Redis
 * Cluster. An operator's replay of a published event skips the check.
 *
 * The publishing connection (profile `publisher`, src/redis/clients.ts) does not
 * queue commands while Redis is away and times commands out: a publish must fail
 * fast so the event goes to `retrying`, never hang the processor. The stream and
 * marker keys are built in src/redis/keys.ts.
 */
import type { Redis } from 'ioredis';
import { createRedisClient } from '../redis/clients.js';
import { eventsStreamKey, publishMarkerKey } from '../redis/keys.js';
import type { BusMessage, EventBus, Unsubscribe } from './event-bus.js';

/** Re-exported for bench/support.ts, which reads the stream; its home is src/redis/keys.ts. */
export { EVENTS_STREAM } from '../redis/keys.js';

export interface RedisBusOptions {
  url: string;
  /** Approximate cap of the stream (XADD MAXLEN ~). */
  streamMaxLen: number;
  /** How long a published event's marker blocks a second append (0 turns the check off). */
  dedupSeconds?: number;
  /** Prefix for the stream key, so test files can share one Redis. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
}

/**
 * KEYS: stream, then one marker per event. ARGV: maxlen, markers on (1/0),
 * then channel, payload, replay (1/0), marker ttl (seconds) per event. Returns
 * one number per event: 1 appended now, 0 appended by an earlier attempt (both
 * published).
 */
const PUBLISH_ONCE = `
local check = ARGV[2] == '1'
local out = {}
for i = 2, #KEYS do
  local a = 4 * (i - 2) + 3
  local append = 1
  if check and ARGV[a + 2] ~= '1' and redis.call('EXISTS', KEYS[i]) == 1 then append = 0 end
  if append == 1 then
    redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'channel', ARGV[a], 'event', ARGV[a + 1])
    redis.call('PUBLISH', ARGV[a], ARGV[a + 1])
    if check then redis.call('SET', KEYS[i], '1', 'EX', ARGV[a + 3]) end
  end
  out[i - 1] = append
end
return out`;

/** Most events per script call. */
const CHUNK_EVENTS = 200;
/** Most payload characters per script call (a chunk's first event goes whatever its size). */
const CHUNK_CHARS = 1_000_000;

/** Splits messages into consecutive chunks within both limits. */
export function chunksOf<T extends { payload: string }>(messages: readonly T[]): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let chars = 0;
  for (const m of messages) {
    if (current.length > 0 && (current.length >= CHUNK_EVENTS || chars + m.payload.length > CHUNK_CHARS)) {
      chunks.push(current);
      current = [];
      chars = 0;
    }
    current.push(m);
    chars += m.payload.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

type PublishOnce = (numberOfKeys: number, ...args: Array<string | number>) => unknown;

export class RedisBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly publisher: Redis;
  private readonly subscribers = new Set<Redis>();
  readonly streamKey: string;

  constructor(private readonly options: RedisBusOptions) {
    // No log: connection errors surface as failed publishes (events go to `retrying`).
    this.publisher = createRedisClient(options.url, 'publisher', {
      commandTimeoutMs: options.commandTimeoutMs,
    });
    this.publisher.defineCommand('publishOnce', { lua: PUBLISH_ONCE });
    this.streamKey = eventsStreamKey(options.keyPrefix);
  }

  /** The marker of a published event, in the stream's hash slot. */
  markerKey(id: string): string {
    return publishMarkerKey(this.streamKey, id);
  }

  async publish(messages: readonly BusMessage[]): Promise<boolean[]> {
    if (messages.length === 0) return [];
    if (this.publisher.status !== 'ready') return messages.map(() => false);
    const pipeline = this.publisher.pipeline() as ReturnType<Redis['pipeline']> & {
      publishOnce: PublishOnce;
    };
    const ttl = this.options.dedupSeconds ?? 600;
    const chunks = chunksOf(messages);
    for (const chunk of chunks) {
      const keys: string[] = [this.streamKey];
      const args: Array<string | number> = [this.options.streamMaxLen, ttl > 0 ? '1' : '0'];
      for (const m of chunk) {
        keys.push(this.markerKey(m.id));
        args.push(m.channel, m.payload, m.replay ? '1' : '0', Math.max(ttl, Math.ceil(m.holdSeconds ?? 0)));
      }
      pipeline.publishOnce(keys.length, ...keys, ...args);
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      // A chunk's script ran (every event in it is published) or failed; on a
      // retry, the events it did append before failing find their markers. A
      // chunk without an answer counts as failed, never as published.
      return chunks.flatMap((chunk, c) => {
        const answer = results[c];
        return chunk.map(() => answer !== undefined && answer[0] == null);
      });
    } catch {
      return messages.map(() => false);
    }
  }

  async subscribe(
    pattern: string,
    onMessage: (channel: string, payload: string) => void,
  ): Promise<Unsubscribe> {
    const subscriber = createRedisClient(this.options.url, 'subscriber');
    this.subscribers.add(subscriber);
    subscriber.on('pmessage', (_pattern: string, channel: string, payload: string) =>
      onMessage(channel, payload),
    );
    await subscriber.psubscribe(pattern);
    return async () => {
      this.subscribers.delete(subscriber);
      subscriber.disconnect();
    };
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.publisher.ping()) === 'PONG';
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    for (const s of this.subscribers) s.disconnect();
    this.subscribers.clear();
    try {
      await this.publisher.quit();
    } catch {
      this.publisher.disconnect();
    }
  }
}
