/**
 * Issue #14, defect 4: a client that sent headers and part of a body (or
 * nothing, or half its headers) must not hold up SIGTERM. The daemon cuts such
 * connections, still drains what it acknowledged, releases its leases and
 * exits 0.
 */
import { randomUUID } from 'node:crypto';
import test from 'ava';
import { createTestDatabase } from '../helpers/db.js';
import { startDaemon } from '../helpers/daemon.js';
import { postHead, rawConnection, settlesWithin, until } from '../helpers/raw-http.js';

test('SIGTERM with unfinished requests open: acknowledged events are stored and processed, leases released, exit 0', async (t) => {
  const db = await createTestDatabase();
  t.teardown(() => db.drop());
  await db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ('unfinished', 'none')");
  // Long request timeouts, so the daemon's own timeouts cannot be what ends the connections here.
  const daemon = await startDaemon({
    DATABASE_URL: db.url,
    SHUTDOWN_TIMEOUT_SECONDS: '60',
    HTTP_HEADERS_TIMEOUT_SECONDS: '600',
    HTTP_REQUEST_TIMEOUT_SECONDS: '600',
  });
  t.teardown(() => {
    if (daemon.child.exitCode === null) daemon.child.kill('SIGKILL');
  });
  const path = '/api/v1/webhooks/generic/unfinished';

  const acknowledged: string[] = [];
  for (let i = 0; i < 5; i++) {
    const res = await fetch(`${daemon.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ event_id: `ack-${i}-${randomUUID()}` }),
    });
    t.is(res.status, 202);
    acknowledged.push(((await res.json()) as { event_id: string }).event_id);
  }

  // Headers and part of a body. Expect: 100-continue makes the daemon say when the
  // request has reached fastify, so this one is surely inside a route when SIGTERM comes.
  const partialBody = rawConnection(daemon.port);
  await partialBody.connected;
  partialBody.write(postHead(path, 1000, { Expect: '100-continue' }));
  t.true(await until(partialBody, '100 Continue'), partialBody.received());
  partialBody.write(`{"event_id":"never-finished","pad":"`);
  // Half the headers, and a connection that sent nothing at all.
  const partialHeaders = rawConnection(daemon.port);
  await partialHeaders.connected;
  partialHeaders.write(`POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-`);
  const silent = rawConnection(daemon.port);
  await silent.connected;
  // An idle keep-alive connection that has had its answer.
  const idle = rawConnection(daemon.port);
  idle.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  t.true(await until(idle, '"status":"healthy"'), idle.received());

  daemon.child.kill('SIGTERM');
  // The bound only catches a hang (the shutdown timeout is 60 s); it is not a speed check.
  t.true(await settlesWithin(daemon.exited, 50_000), `still running:\n${daemon.output()}`);
  t.is(await daemon.exited, 0, daemon.output());
  t.notRegex(daemon.output(), /shutdown timed out/);
  t.regex(daemon.output(), /"msg":"stopped"/);
  for (const conn of [partialBody, partialHeaders, silent, idle]) t.true(conn.isClosed());
  t.false(partialBody.received().includes('HTTP/1.1 2'), 'the unfinished request was not acknowledged');

  const rows = await db.pool.query<{ id: string; status: string; locked_by: string | null }>(
    'SELECT id, status, locked_by FROM webhook_events ORDER BY id',
  );
  t.deepEqual(rows.rows.map((r) => r.id).sort(), [...acknowledged].sort(), 'only the acknowledged events');
  for (const row of rows.rows) t.like(row, { status: 'completed', locked_by: null });
});
