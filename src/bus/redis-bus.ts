/**
 * The Redis bus. Each event is PUBLISHed on its channel (fire-and-forget: a
 * consumer that is down misses it) and XADDed to the stream integration:events
 * with an approximate MAXLEN (consumer groups can read it and catch up after
 * downtime). Both commands go in one pipeline per batch.
 *
 * The publishing connection does not queue commands while Redis is away
 * (enableOfflineQueue: false) and times commands out: a publish must fail fast
 * so the event goes to `retrying`, never hang the processor.
 */
import { Redis, type RedisOptions } from 'ioredis';
import type { BusMessage, EventBus, Unsubscribe } from './event-bus.js';

export const EVENTS_STREAM = 'integration:events';

export interface RedisBusOptions {
  url: string;
  /** Approximate cap of the stream (XADD MAXLEN ~). */
  streamMaxLen: number;
  /** Prefix for the stream key, so test files can share one Redis. */
  keyPrefix?: string;
  commandTimeoutMs?: number;
}

export function redisOptions(commandTimeoutMs: number): RedisOptions {
  return {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: commandTimeoutMs,
    connectTimeout: 3000,
    // Reconnect forever with a capped backoff: Redis coming back is the normal end of an outage.
    retryStrategy: (times) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
  };
}

export class RedisBus implements EventBus {
  readonly kind = 'redis' as const;
  private readonly publisher: Redis;
  private readonly subscribers = new Set<Redis>();
  readonly streamKey: string;

  constructor(private readonly options: RedisBusOptions) {
    this.publisher = new Redis(options.url, redisOptions(options.commandTimeoutMs ?? 2000));
    // Connection errors surface as failed publishes; the 'error' event must not crash the process.
    this.publisher.on('error', () => undefined);
    this.streamKey = `${options.keyPrefix ?? ''}${EVENTS_STREAM}`;
  }

  async publish(messages: readonly BusMessage[]): Promise<boolean[]> {
    if (messages.length === 0) return [];
    if (this.publisher.status !== 'ready') return messages.map(() => false);
    const pipeline = this.publisher.pipeline();
    for (const m of messages) {
      pipeline.publish(m.channel, m.payload);
      pipeline.xadd(
        this.streamKey,
        'MAXLEN',
        '~',
        this.options.streamMaxLen,
        '*',
        'channel',
        m.channel,
        'event',
        m.payload,
      );
    }
    try {
      const results = (await pipeline.exec()) ?? [];
      return messages.map((_, i) => results[2 * i]?.[0] == null && results[2 * i + 1]?.[0] == null);
    } catch {
      return messages.map(() => false);
    }
  }

  async subscribe(
    pattern: string,
    onMessage: (channel: string, payload: string) => void,
  ): Promise<Unsubscribe> {
    const subscriber = new Redis(this.options.url, {
      ...redisOptions(5000),
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
    });
    subscriber.on('error', () => undefined);
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
