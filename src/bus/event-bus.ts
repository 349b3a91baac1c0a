/**
 * Where processed events go. Two implementations of one interface: Redis
 * (Pub/Sub channel per SPEC.md plus the stream integration:events, so consumers
 * that were down can catch up) and in-process (no REDIS_URL: one daemon, its
 * own subscribers). Both pass the same tests.
 */
export interface BusMessage {
  /** The event's id: publishing the same id twice within the dedup window appends it once. */
  id: string;
  channel: string;
  /** The JSON envelope. */
  payload: string;
  /** Publish even if this id was published recently (an operator's deliberate replay). */
  replay?: boolean;
  /**
   * The least time the "published" marker must last: until this event's next
   * attempt could come, should this one's answer be lost (its retry delay plus
   * its lease). The bus keeps the marker for the longer of this and its own
   * dedup window.
   */
  holdSeconds?: number;
}

export type Unsubscribe = () => Promise<void>;

export interface EventBus {
  readonly kind: 'redis' | 'in-process';
  /** Publishes every message; the result says, per message, whether it was accepted. Never throws. */
  publish(messages: readonly BusMessage[]): Promise<boolean[]>;
  /** Calls `onMessage` for every message whose channel matches the glob `pattern` (* only). */
  subscribe(pattern: string, onMessage: (channel: string, payload: string) => void): Promise<Unsubscribe>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
