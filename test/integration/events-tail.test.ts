/**
 * integctl events tail against a real Redis: events are published on the
 * channel and with the envelope the daemon uses (channelFor, envelopeFor), with
 * a plain PUBLISH so these tests do not depend on how the bus batches and
 * deduplicates its stream appends. tail is run in-process
 * (stopped through io.signal or --count) and once as a real process stopped
 * with SIGINT. Each test listens on a source name of its own, because other
 * test files publish on the same Redis at the same time.
 */
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { Redis } from 'ioredis';
import { channelFor, envelopeFor } from '../../src/domain/event.js';
import { integctl, startIntegctl } from '../helpers/cli.js';
import { redisSkipReason, testRedisUrl } from '../helpers/redis.js';
import { startOwnRedis } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const redisUrl = testRedisUrl();
const withRedis = redisUrl === undefined ? test.skip : test;
/** Appended to the titles of skipped tests, so the report says why. */
const skipped = redisUrl === undefined ? ` [skipped: ${redisSkipReason()}]` : '';

let bus: Redis | undefined;
test.before(() => {
  if (redisUrl !== undefined) bus = new Redis(redisUrl);
});
test.after.always(() => bus?.disconnect());
/** The shared publishing connection; only called by tests that run with Redis. */
function shared(): Redis {
  if (bus === undefined) throw new Error('no Redis');
  return bus;
}

const uniqueSource = () => `tail_${randomBytes(4).toString('hex')}`;

interface Published {
  id: string;
  envelope: string;
}

/** Publishes one event as the daemon's bus does: on its channel, with its envelope. */
async function publish(on: Redis, source: string, type: string, tenant: string | null): Promise<Published> {
  const id = randomUUID();
  const envelope = envelopeFor(
    {
      id,
      source,
      eventId: `evt_${id.slice(0, 6)}`,
      eventType: type,
      tenantId: tenant,
      payloadJson: '{"n":1}',
    },
    new Date(),
  );
  await on.publish(channelFor(source, type), envelope);
  return { id, envelope };
}

const startTail = (args: string[], env: NodeJS.ProcessEnv) => startIntegctl(['events', 'tail', ...args], env);

withRedis(
  `tail prints one line per published event, filtered by tenant, and exits 0 after --count${skipped}`,
  async (t) => {
    const source = uniqueSource();
    const tail = startTail(['--source', source, '--tenant', 'acme', '--count', '2'], { REDIS_URL: redisUrl });
    await tail.waitForStderr('listening on');
    t.regex(
      tail.stderr(),
      new RegExp(`listening on integration\\.webhook\\.${source}\\.\\* for tenant acme at redis://`),
    );
    const other = await publish(shared(), source, 'order.paid', 'someone-else');
    const first = await publish(shared(), source, 'order.paid', 'acme');
    const elsewhere = await publish(shared(), uniqueSource(), 'order.paid', 'acme');
    const second = await publish(shared(), source, 'order.refunded', 'acme');
    t.is(await tail.exited, 0, tail.stderr());
    const lines = tail.stdout().trimEnd().split('\n');
    t.is(lines.length, 2);
    t.regex(
      lines[0] ?? '',
      new RegExp(`^\\d{4}-\\d\\d-\\d\\dT\\S+Z ${source}\\s+order\\.paid\\s+tenant=acme\\s+${first.id}$`),
    );
    t.regex(lines[1] ?? '', new RegExp(`${source}\\s+order\\.refunded\\s+tenant=acme\\s+${second.id}$`));
    for (const ignored of [other, elsewhere]) t.false(tail.stdout().includes(ignored.id));
  },
);

withRedis(
  `tail --json prints each envelope as published; --type narrows; stopping exits 0${skipped}`,
  async (t) => {
    const source = uniqueSource();
    const tail = startTail(['--source', source, '--type', 'charge.refunded', '--json'], {
      REDIS_URL: redisUrl,
    });
    await tail.waitForStderr('listening on');
    await publish(shared(), source, 'charge.created', null);
    const wanted = await publish(shared(), source, 'charge.refunded', null);
    await eventually(async () => (tail.stdout().includes('\n') ? true : undefined), 'one event printed');
    tail.stop();
    t.is(await tail.exited, 0, tail.stderr());
    t.is(tail.stdout(), `${wanted.envelope}\n`);
    t.like(JSON.parse(tail.stdout()) as Record<string, unknown>, {
      event_type: `webhook.${source}.charge.refunded`,
      tenant_id: null,
      data: {
        id: wanted.id,
        source,
        event_type: 'charge.refunded',
        event_id: `evt_${wanted.id.slice(0, 6)}`,
        payload: { n: 1 },
      },
    });
  },
);

test('tail without REDIS_URL reads the daemon (exit 1 when none answers); an unreachable Redis fails at once; bad --count is usage', async (t) => {
  const none = await integctl(['events', 'tail'], { PORT: '1' });
  t.is(none.code, 1);
  t.regex(
    none.stderr,
    /cannot reach the daemon at http:\/\/127\.0\.0\.1:1 .*is integrationd running there\?/,
  );
  const down = await integctl(['events', 'tail'], { REDIS_URL: 'redis://:hunter2@127.0.0.1:1' });
  t.is(down.code, 1);
  t.regex(down.stderr, /cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:1: .*ECONNREFUSED/);
  t.false(down.stderr.includes('hunter2'));
  const count = await integctl(['events', 'tail', '--count', '0'], { REDIS_URL: 'redis://127.0.0.1:1' });
  t.is(count.code, 2);
  t.regex(count.stderr, /--count "0" is not a whole number from 1/);
});

withRedis(`tail says when Redis goes away and comes back, and keeps printing after${skipped}`, async (t) => {
  const own = await startOwnRedis();
  t.teardown(() => own.stop());
  const source = uniqueSource();
  const tail = startTail(['--source', source, '--count', '1'], { REDIS_URL: own.url });
  await tail.waitForStderr('listening on');
  await own.kill();
  await eventually(
    async () => (tail.stderr().includes('lost the connection') ? true : undefined),
    'loss reported',
  );
  await own.start();
  await eventually(
    async () => (tail.stderr().includes('reconnected to Redis') ? true : undefined),
    'reconnect',
  );
  // "reconnected" is said once Redis confirmed the subscription again, so this one is not missed.
  const publisher = new Redis(own.url);
  t.teardown(() => publisher.disconnect());
  const sent = await publish(publisher, source, 'order.paid', 't1');
  const exited = await tail.exited;
  t.is(exited, 0, tail.stderr());
  t.true(tail.stdout().includes(sent.id));
});

withRedis(`a real integctl process stops on SIGINT with exit 0${skipped}`, async (t) => {
  const source = uniqueSource();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/main/ctl.ts'), 'events', 'tail', '--source', source],
    {
      cwd: ROOT,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, REDIS_URL: redisUrl },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  await eventually(async () => (err.includes('listening on') ? true : undefined), 'tail listening', 60_000);
  const sent = await publish(shared(), source, 'order.paid', 't1');
  await eventually(async () => (out.includes(sent.id) ? true : undefined), 'the event printed');
  child.kill('SIGINT');
  t.is(await exited, 0, err);
});
