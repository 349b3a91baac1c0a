import ora from 'ora';
import type { CliIO } from './io.js';

/**
 * Runs `work` with a spinner and a status text on stderr, only when stderr is
 * a terminal: in a pipe or a log file the frames would be noise, so there the
 * command prints only its final summary. stdin is left alone (ora would put it
 * in raw mode), so Ctrl-C keeps sending SIGINT.
 *
 * A terminal that reports 0 columns (a pty without a window size, as `script`
 * or `docker run -t` give) gets no spinner either: ora 9.4 divides by the
 * column count and then clears "Infinity" lines in a synchronous loop, which
 * pins a core, floods the output and never lets the work continue.
 */
export async function withProgress<T>(
  io: CliIO,
  text: string,
  work: (update: (text: string) => void) => Promise<T>,
): Promise<T> {
  const { isTTY, columns } = io.stderr as { isTTY?: boolean; columns?: number };
  if (isTTY !== true || columns === undefined || !(columns > 0)) return work(() => undefined);
  const spinner = ora({ text, stream: io.stderr, discardStdin: false }).start();
  try {
    return await work((next) => {
      spinner.text = next;
    });
  } finally {
    spinner.stop();
  }
}
