import { PassThrough } from 'node:stream';
import test from 'ava';
import type { CliIO } from '../../src/cli/io.js';
import { withProgress } from '../../src/cli/progress.js';

/** A stderr that claims to be a terminal of the given width, with the cursor calls ora makes. */
function terminal(columns: number) {
  const stream = Object.assign(new PassThrough(), {
    isTTY: true,
    columns,
    rows: columns === 0 ? 0 : 24,
    cursorTo: (_x: number, cb?: () => void) => (cb?.(), true),
    moveCursor: (_dx: number, _dy: number, cb?: () => void) => (cb?.(), true),
    clearLine: (_dir: number, cb?: () => void) => (cb?.(), true),
  });
  let written = '';
  stream.on('data', (c: Buffer) => (written += c.toString('utf8')));
  const io: CliIO = { stdout: new PassThrough(), stderr: stream, stdinIsTTY: false, env: {} };
  return { io, written: () => written };
}

async function steps(update: (text: string) => void): Promise<number> {
  for (let i = 1; i <= 3; i++) {
    update(`step ${i} of 3`);
    await new Promise((r) => setImmediate(r));
  }
  return 3;
}

test('a terminal gets the status text on stderr, and the work result comes back', async (t) => {
  const term = terminal(80);
  t.is(await withProgress(term.io, 'purging old events', steps), 3);
  t.true(term.written().includes('purging old events'));
});

test('a terminal reporting 0 columns gets no spinner and the work finishes (ora would loop forever)', async (t) => {
  const term = terminal(0);
  t.is(await withProgress(term.io, 'purging old events', steps), 3);
  t.is(term.written(), '');
});

test('a pipe gets nothing: only the final summary, printed by the command', async (t) => {
  const stderr = new PassThrough();
  let written = '';
  stderr.on('data', (c: Buffer) => (written += c.toString('utf8')));
  const io: CliIO = { stdout: new PassThrough(), stderr, stdinIsTTY: false, env: {} };
  t.is(await withProgress(io, 'purging old events', steps), 3);
  t.is(written, '');
});
