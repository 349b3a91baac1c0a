import type { CliIO } from './io.js';

export type StopSignal = AbortController & { dispose(): void };

/**
 * For commands that run until stopped (events tail): aborts on Ctrl-C
 * (SIGINT), SIGTERM, io.signal (tests), or a closed stdout (`| head -3`). All of
 * them mean "the operator has seen enough", so the command ends normally, exit 0,
 * instead of Node's default death by signal. dispose() removes the handlers.
 */
export function stopOnInterrupt(io: CliIO): StopSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  io.signal?.addEventListener('abort', stop, { once: true });
  if (io.signal?.aborted) stop();
  io.stdout.once('error', stop);
  return Object.assign(controller, {
    dispose() {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      io.signal?.removeEventListener('abort', stop);
      io.stdout.off('error', stop);
    },
  });
}
