/**
 * SIGTERM to a real integrationd with event streams open: each stream gets its
 * last message (reason shutdown) and ends, and the daemon still drains and
 * exits 0, not 1 after its shutdown timeout.
 */
import test from 'ava';
import { createTestDatabase } from '../helpers/db.js';
import { startDaemon } from '../helpers/daemon.js';
import { openSse } from '../helpers/sse.js';

const TOKEN = 'sigterm-stream-token-0123456789';

test('SIGTERM ends open event streams with reason shutdown, then exits 0', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  const d = await startDaemon({ DATABASE_URL: db.url, ADMIN_TOKEN: TOKEN, SHUTDOWN_TIMEOUT_SECONDS: '10' });
  const auth = { authorization: `Bearer ${TOKEN}` };
  const streams = await Promise.all([
    openSse(`${d.url}/api/v1/events/stream`, auth),
    openSse(`${d.url}/api/v1/events/stream?source=x`, auth),
  ]);
  t.true(streams.every((s) => s.status === 200));
  d.child.kill('SIGTERM');
  await Promise.all(streams.map((s) => s.ended));
  for (const s of streams) {
    const last = s.messages[s.messages.length - 1];
    t.is(last?.event, 'end');
    t.deepEqual(JSON.parse(last?.data ?? '{}'), { reason: 'shutdown' });
  }
  t.is(await d.exited, 0, d.output());
  t.notRegex(d.output(), /shutdown timed out/);
});
