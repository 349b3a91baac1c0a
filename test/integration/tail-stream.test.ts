/**
 * integctl on the embedded default (no REDIS_URL): `events tail` reads the
 * daemon's event stream, replays with --since and forwards to a local
 * receiver signed with Standard Webhooks headers (checked with the
 * standardwebhooks package's own verify); `cache stats` asks the daemon.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test from 'ava';
import { Webhook } from 'standardwebhooks';
import { integctl, startIntegctl } from '../helpers/cli.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';
import { eventually } from '../helpers/wait.js';

const TOKEN = 'tail-admin-token-0123456789';
let ctx: TestRuntime;
let url: string;
let env: NodeJS.ProcessEnv;

test.before(async () => {
  ctx = await testRuntime({ ADMIN_TOKEN: TOKEN, EVENTS_STREAM_POLL_MS: '100' });
  await ctx.db.pool.query(
    "INSERT INTO webhook_configs (name, scheme, tenant_id) VALUES ('shop', 'none', 't1')",
  );
  url = await ctx.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  // No REDIS_URL: the CLI has only the daemon to ask.
  env = { DATABASE_URL: ctx.db.url, ADMIN_TOKEN: TOKEN, PORT: new URL(url).port };
});
test.after.always(() => ctx?.close());

async function ingest(eventId: string, type = 'order.paid'): Promise<string> {
  const res = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/shop',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ event_id: eventId, type }),
  });
  return res.json<{ event_id: string }>().event_id;
}

/** A receiver that answers with `status(n)` for the n-th delivery, recording what it got. */
async function receiver(status: (n: number) => number | 'hang') {
  const got: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      got.push({ headers: req.headers, body });
      const s = status(got.length);
      if (s === 'hang') return;
      res.writeHead(s).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    got,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () =>
      new Promise<void>((resolve) => server.close(() => resolve())).then(() => server.closeAllConnections()),
  };
}

test.serial('events tail reads the daemon stream without Redis; --count stops it', async (t) => {
  const tail = startIntegctl(['events', 'tail', '--source', 'shop', '--count', '2'], env);
  await tail.waitForStderr('reading the event stream');
  const a = await ingest('t-1');
  const b = await ingest('t-2');
  t.is(await tail.exited, 0, tail.stderr());
  // Stream order is publish order, which need not be the order the 2xx came in.
  const ids = tail
    .stdout()
    .trim()
    .split('\n')
    .map((line) => line.split(' ').pop());
  t.deepEqual(ids.sort(), [a, b].sort());
});

test.serial('--since replays what was published while nobody listened', async (t) => {
  const earlier = await ingest('t-3', 'order.refunded');
  await eventually(async () => {
    const r = await ctx.db.pool.query(
      'SELECT 1 FROM webhook_events WHERE id = $1 AND published_at IS NOT NULL',
      [earlier],
    );
    return r.rowCount === 1 ? true : undefined;
  }, 'published');
  const replay = await integctl(
    ['events', 'tail', '--since', '1h', '--type', 'order.refunded', '--count', '1', '--json'],
    env,
  );
  t.is(replay.code, 0, replay.stderr);
  t.is((JSON.parse(replay.stdout) as { data: { id: string } }).data.id, earlier);
});

test.serial(
  '--forward-to signs each envelope with Standard Webhooks headers and prints the delivery',
  async (t) => {
    const sink = await receiver(() => 204);
    t.teardown(() => sink.close());
    const tail = startIntegctl(
      ['events', 'tail', '--source', 'shop', '--count', '1', '--forward-to', sink.url],
      env,
    );
    await tail.waitForStderr('reading the event stream');
    const id = await ingest('f-1');
    t.is(await tail.exited, 0, tail.stderr());
    const secret = /with the new secret (whsec_\S+);/.exec(tail.stderr())?.[1];
    t.truthy(secret, tail.stderr());
    t.is(sink.got.length, 1);
    const delivery = sink.got[0]!;
    const verified = new Webhook(secret ?? '').verify(delivery.body, {
      'webhook-id': String(delivery.headers['webhook-id']),
      'webhook-timestamp': String(delivery.headers['webhook-timestamp']),
      'webhook-signature': String(delivery.headers['webhook-signature']),
    }) as { data: { id: string } };
    t.is(verified.data.id, id);
    t.regex(tail.stdout(), /-> 204 in \d+ ms/);
  },
);

test.serial(
  'a receiver that fails, hangs up or refuses is retried, reported and does not stop the tail',
  async (t) => {
    // First event: 500 twice, then 200. Second: 500 three times (given up). Third: accepted.
    const answers = [500, 500, 200, 500, 500, 500, 200];
    const sink = await receiver((n) => answers[n - 1] ?? 200);
    t.teardown(() => sink.close());
    const secret = `whsec_${Buffer.from('a-forward-secret-of-24-bytes').toString('base64')}`;
    const tail = startIntegctl(
      [
        'events',
        'tail',
        '--source',
        'shop',
        '--count',
        '3',
        '--forward-to',
        sink.url,
        '--forward-secret',
        secret,
      ],
      env,
    );
    await tail.waitForStderr('reading the event stream');
    for (const id of ['g-1', 'g-2', 'g-3']) await ingest(id);
    t.is(await tail.exited, 0, tail.stderr());
    t.is(sink.got.length, 7);
    t.regex(tail.stderr(), /-> 500 in \d+ ms \(attempt 3\); giving up on this event/);
    t.regex(tail.stdout(), /-> 200 in \d+ ms \(attempt 3\)/);
    t.is(
      new Set(sink.got.slice(0, 3).map((g) => g.headers['webhook-id'])).size,
      1,
      'one webhook-id per delivery',
    );

    // Nothing listening at all: reported per attempt, and the tail goes on to the next event.
    const closed = await receiver(() => 200);
    await closed.close();
    const refused = startIntegctl(
      ['events', 'tail', '--source', 'shop', '--count', '1', '--forward-to', closed.url],
      env,
    );
    await refused.waitForStderr('reading the event stream');
    await ingest('g-4');
    t.is(await refused.exited, 0);
    t.regex(refused.stderr(), /-> ECONNREFUSED in \d+ ms \(attempt 3\); giving up on this event/);
  },
);

test.serial(
  'a receiver that never answers times out per attempt (--forward-timeout), and the tail goes on',
  async (t) => {
    // The first event's three attempts hang; the second event is accepted.
    const sink = await receiver((n) => (n <= 3 ? 'hang' : 200));
    t.teardown(() => sink.close());
    const tail = startIntegctl(
      [
        'events',
        'tail',
        '--source',
        'shop',
        '--count',
        '2',
        '--forward-to',
        sink.url,
        '--forward-timeout',
        '1',
      ],
      env,
    );
    await tail.waitForStderr('reading the event stream');
    await ingest('h-1');
    await ingest('h-2');
    t.is(await tail.exited, 0, tail.stderr());
    t.is(sink.got.length, 4);
    t.regex(tail.stderr(), /-> no answer in 1 s in \d+ ms \(attempt 3\); giving up on this event/);
    t.regex(tail.stdout(), /-> 200 in \d+ ms/);
  },
);

test.serial('with --json, stdout holds only envelopes; deliveries are reported on stderr', async (t) => {
  const sink = await receiver(() => 200);
  t.teardown(() => sink.close());
  const tail = startIntegctl(
    ['events', 'tail', '--source', 'shop', '--count', '1', '--json', '--forward-to', sink.url],
    env,
  );
  await tail.waitForStderr('reading the event stream');
  const id = await ingest('j-1');
  t.is(await tail.exited, 0, tail.stderr());
  const lines = tail.stdout().trim().split('\n');
  t.is(lines.length, 1);
  t.is((JSON.parse(lines[0] ?? '') as { data: { id: string } }).data.id, id);
  t.regex(tail.stderr(), /-> 200 in \d+ ms/);
});

test.serial('tail usage errors exit 2 before anything is contacted', async (t) => {
  const nowhere = { ...env, PORT: '1' };
  for (const args of [
    ['--since', 'yesterday'],
    ['--forward-to', 'not a url'],
    ['--forward-to', 'ftp://x/y'],
    ['--forward-secret', 'whsec_x'],
    ['--forward-to', 'http://127.0.0.1:9/x', '--forward-secret', 'nope'],
    ['--count', '0'],
    ['--forward-timeout', '5'],
    ['--forward-to', 'http://127.0.0.1:9/x', '--forward-timeout', '0'],
  ]) {
    const r = await integctl(['events', 'tail', ...args], nowhere);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
  }
  const down = await integctl(['events', 'tail', '--count', '1'], nowhere);
  t.is(down.code, 1);
  t.regex(down.stderr, /cannot reach the daemon at http:\/\/127\.0\.0\.1:1/);
  const badToken = await integctl(['events', 'tail', '--count', '1'], {
    ...env,
    ADMIN_TOKEN: 'wrong-token-0123456789',
  });
  t.is(badToken.code, 1);
  t.regex(badToken.stderr, /refused the event stream \(401\)/);
});

test.serial('cache stats without REDIS_URL asks the daemon', async (t) => {
  const r = await integctl(['cache', 'stats', '--json'], env);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { cache_enabled: true, tenant_id: null });
  const text = await integctl(['cache', 'stats'], env);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout + text.stderr, /no cache activity recorded for any tenant|hits/);
});
