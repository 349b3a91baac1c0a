/**
 * The daemon's one list of things to undo, run in reverse order of
 * registration. run() is idempotent: the first call takes every step (a
 * second signal or a failed start calling it again finds nothing left), and
 * a failing step is logged while the rest still run, so one stuck part cannot
 * keep Postgres or Redis connections open.
 */
import type { Logger } from '../lib/logger.js';

export class CleanupStack {
  private readonly steps: Array<{ name: string; run: () => Promise<unknown> }> = [];

  constructor(private readonly log: Logger) {}

  push(name: string, run: () => unknown): void {
    this.steps.push({ name, run: async () => run() });
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.run();
      } catch (err) {
        this.log.warn({ err, part: step.name }, 'error during shutdown');
      }
    }
  }
}
