/**
 * The retry loop: a node-cron schedule (RETRY_CRON, every 10 s by default)
 * plus wake(), for when work is known to be due now (a manual retry). Rounds
 * never overlap in one process; across processes, SKIP LOCKED claims keep
 * workers from doing the same work. A round that fails (Postgres down) is
 * logged and counted, and the next tick tries again: the loop never throws and
 * never spins.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../lib/logger.js';
import type { DueEventClaimer, RetryRound } from '../services/claim-due-events.js';

export interface RetryLoopOptions {
  cronExpression: string;
  retry: DueEventClaimer;
  log: Logger;
  onRound?: (round: RetryRound) => void;
  onError?: (error: unknown) => void;
}

export class RetryLoop {
  private task: ScheduledTask | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly options: RetryLoopOptions) {}

  start(): void {
    this.stopped = false;
    this.options.retry.resume();
    this.task = cron.schedule(this.options.cronExpression, () => this.wake(), {
      name: 'retry-loop',
      noOverlap: false,
    });
  }

  /** Runs a round now, or right after the current one. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.rounds().finally(() => (this.running = undefined));
  }

  /** Resolves when no round is running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    // A round with a long backlog ends after its current batches, not after the backlog.
    this.options.retry.stop();
    await this.task?.destroy();
    this.task = undefined;
    await this.idle();
  }

  private async rounds(): Promise<void> {
    do {
      this.again = false;
      try {
        const round = await this.options.retry.runDue();
        if (round.claimed > 0) this.options.log.info(round, 'retry round');
        this.options.onRound?.(round);
      } catch (err) {
        // One short line per failed tick (no stack): Postgres being down for an
        // hour must not bury the log.
        const e = err as { message?: string; code?: string };
        this.options.log.error(
          { error: e.message, code: e.code },
          'retry round failed; trying again at the next tick',
        );
        this.options.onError?.(err);
        return;
      }
    } while (this.again && !this.stopped);
  }
}
