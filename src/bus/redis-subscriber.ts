/**
 * A Redis Pub/Sub subscriber for a watching client (integctl events tail).
 *
 * Unlike RedisBus.subscribe, which serves a daemon and waits for Redis however
 * long it takes, a person at a terminal needs to hear at once that Redis is not
 * there: the first connection must succeed or open() fails with the reason.
 * Once connected it reconnects by itself and says when the connection drops
 * and comes back, because Pub/Sub keeps nothing for a subscriber that is away:
 * what was published meanwhile is missed. It re-subscribes itself instead of
 * leaving that to ioredis (autoResubscribe), so "reconnected" is only said
 * once Redis has confirmed the subscriptions, and from then on nothing is missed.
 */
import { redactSecrets } from '../lib/redact.js';
import { createRedisClient } from '../redis/clients.js';
import type { EventBus, Unsubscribe } from './event-bus.js';

export interface SubscriberNotices {
  onConnectionLost(): void;
  onReconnected(): void;
}

export interface RedisSubscriber {
  subscribe: EventBus['subscribe'];
  close(): Promise<void>;
}

export class RedisUnavailable extends Error {}

export async function openRedisSubscriber(url: string, notices: SubscriberNotices): Promise<RedisSubscriber> {
  const client = createRedisClient(url, 'subscriber', { lazyConnect: true, autoResubscribe: false });
  const patterns = new Set<string>();
  let lastError: Error | undefined;
  client.on('error', (err: Error) => (lastError = err));
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    const reason = lastError?.message ?? (err as Error).message;
    // The reason may quote the URL or its options: the whole message is redacted.
    throw new RedisUnavailable(redactSecrets(`cannot connect to Redis at ${url}: ${reason}`));
  }
  let lost = false;
  let closing = false;
  client.on('close', () => {
    if (lost || closing) return;
    lost = true;
    notices.onConnectionLost();
  });
  client.on('ready', () => {
    if (!lost || closing) return;
    // A failure here means the connection dropped again; the next 'ready' tries again.
    const resubscribed = patterns.size === 0 ? Promise.resolve() : client.psubscribe(...patterns);
    resubscribed.then(
      () => {
        lost = false;
        notices.onReconnected();
      },
      () => undefined,
    );
  });
  return {
    async subscribe(pattern, onMessage): Promise<Unsubscribe> {
      const listener = (matched: string, channel: string, payload: string) => {
        if (matched === pattern) onMessage(channel, payload);
      };
      client.on('pmessage', listener);
      patterns.add(pattern);
      await client.psubscribe(pattern);
      return async () => {
        client.off('pmessage', listener);
        patterns.delete(pattern);
        if (client.status === 'ready') await client.punsubscribe(pattern);
      };
    },
    async close() {
      closing = true;
      client.disconnect();
    },
  };
}
