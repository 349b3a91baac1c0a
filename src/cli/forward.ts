/**
 * `events tail --forward-to URL`: each event's envelope POSTed to a local
 * receiver, signed as Standard Webhooks sign (webhook-id, webhook-timestamp,
 * webhook-signature, with the standardwebhooks package), like `stripe listen
 * --forward-to`. A receiver that fails or does not answer is retried a few
 * times with backoff and reported; it never stops the tail.
 */
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { fetchFailure } from './daemon-url.js';

/** Attempts per event, and the wait before each retry. */
const BACKOFF_MS = [500, 2000];
/** --forward-timeout's default: how long one attempt waits for the receiver's answer. */
export const FORWARD_TIMEOUT_SECONDS = 10;

export interface Delivery {
  attempt: number;
  /** HTTP status, or undefined when nothing came back. */
  status: number | undefined;
  ms: number;
  error?: string;
  /** Given up on after this attempt. */
  final: boolean;
}

export function newForwardSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export class Forwarder {
  private readonly signer: Webhook;

  constructor(
    private readonly target: URL,
    secret: string,
    private readonly timeoutMs = FORWARD_TIMEOUT_SECONDS * 1000,
    private readonly sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
  ) {
    this.signer = new Webhook(secret);
  }

  /**
   * Delivers one envelope; `report` hears every attempt. `messageId` is the
   * same for every attempt of one delivery (receivers dedupe on it).
   */
  async deliver(messageId: string, envelope: string, report: (d: Delivery) => void): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      const final = attempt > BACKOFF_MS.length;
      const started = performance.now();
      const now = new Date();
      try {
        const res = await fetch(this.target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'webhook-id': messageId,
            'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
            'webhook-signature': this.signer.sign(messageId, now, envelope),
          },
          body: envelope,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        await res.arrayBuffer().catch(() => undefined);
        const ok = res.status >= 200 && res.status < 300;
        report({
          attempt,
          status: res.status,
          ms: Math.round(performance.now() - started),
          final: ok || final,
        });
        if (ok) return true;
      } catch (err) {
        const error =
          (err as Error).name === 'TimeoutError'
            ? `no answer in ${this.timeoutMs / 1000} s`
            : fetchFailure(err);
        report({ attempt, status: undefined, ms: Math.round(performance.now() - started), error, final });
      }
      if (final) return false;
      await this.sleep(BACKOFF_MS[attempt - 1] ?? 2000);
    }
  }
}
