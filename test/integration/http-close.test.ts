/**
 * How the HTTP server closes at shutdown (http/server.ts closeWithin): requests
 * fully received are answered, connections without one are cut at once, and an
 * answer that never finishes is cut after the grace period.
 */
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { closeWithin } from '../../src/http/server.js';
import { createLogger } from '../../src/lib/logger.js';
import { postHead, rawConnection, settlesWithin, until } from '../helpers/raw-http.js';

const log = createLogger('silent');

async function listening(routes: (app: ReturnType<typeof buildApp>) => void) {
  const app = buildApp({ config: loadConfig({ env: {} }), logger: log, version: '0.1.0' });
  routes(app);
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, port: (app.server.address() as AddressInfo).port };
}

test('close: a received request is still answered; one whose body is still arriving is cut at once', async (t) => {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let inside = false;
  const { app, port } = await listening((app) => {
    app.post('/held', async () => {
      inside = true;
      await released;
      return { ok: true };
    });
  });
  const received = rawConnection(port);
  received.write(postHead('/held', 2) + '{}');
  while (!inside) await new Promise((r) => setTimeout(r, 10));
  const arriving = rawConnection(port);
  arriving.write(postHead('/held', 1000, { Expect: '100-continue' }));
  t.true(await until(arriving, '100 Continue'));
  arriving.write('{"half":');

  const closed = closeWithin(app, 60_000, log);
  t.true(await settlesWithin(arriving.closed, 30_000), 'the unfinished request is cut');
  t.notRegex(arriving.received(), /HTTP\/1\.1 [2-5]\d\d/, 'and never answered');
  t.false(received.isClosed(), 'the received one is left to finish');
  release();
  t.true(await settlesWithin(closed, 30_000), 'close() ends once the answer is out');
  t.true(await settlesWithin(received.closed, 30_000), 'the answer closes its connection');
  t.regex(received.received(), /^HTTP\/1\.1 200 [\s\S]*\{"ok":true\}$/);
  t.regex(received.received(), /connection: close/i);
});

test('close: an answer that never finishes is cut after the grace period', async (t) => {
  let inside = false;
  const { app, port } = await listening((app) => {
    app.get('/never', () => {
      inside = true;
      return new Promise<never>(() => undefined);
    });
  });
  const conn = rawConnection(port);
  conn.write('GET /never HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  while (!inside) await new Promise((r) => setTimeout(r, 10));
  t.true(await settlesWithin(closeWithin(app, 200, log), 30_000), 'close() ends');
  t.true(await settlesWithin(conn.closed, 30_000));
  t.is(conn.received(), '');
});
