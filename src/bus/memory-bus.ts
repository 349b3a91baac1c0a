import { globMatcher } from '../lib/glob.js';
import type { BusMessage, EventBus, Unsubscribe } from './event-bus.js';

/**
 * The in-process bus: subscribers in this process receive what it publishes.
 * Patterns match as Redis PSUBSCRIBE matches them (lib/glob.ts), so a
 * subscriber sees the same events on either bus.
 */
export class MemoryBus implements EventBus {
  readonly kind = 'in-process' as const;
  private readonly subscribers = new Set<{
    matches: (c: string) => boolean;
    onMessage: (c: string, p: string) => void;
  }>();

  async publish(messages: readonly BusMessage[]): Promise<boolean[]> {
    for (const m of messages) {
      for (const s of this.subscribers) {
        if (!s.matches(m.channel)) continue;
        try {
          s.onMessage(m.channel, m.payload);
        } catch {
          // A failing subscriber must not fail the publisher.
        }
      }
    }
    return messages.map(() => true);
  }

  async subscribe(
    pattern: string,
    onMessage: (channel: string, payload: string) => void,
  ): Promise<Unsubscribe> {
    const entry = { matches: globMatcher(pattern), onMessage };
    this.subscribers.add(entry);
    return async () => {
      this.subscribers.delete(entry);
    };
  }

  async ping(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
