/**
 * npm run bench:stream: the HTTP event stream under a steady load (issue #13).
 *
 * Starts integrationd (from dist/) on a scratch database, with the in-process
 * bus (no REDIS_URL: the stream reads Postgres either way), and sends
 * BENCH_RATE (1,000) small unique webhooks a second for BENCH_SECONDS (10),
 * paced, over keep-alive connections.
 *
 * 1. Delay: one stream client; for each event, the time from its 2xx to its
 *    message on the stream. Prints p50/p99/max and how many never arrived.
 * 2. Cost: the same load with no stream client, then with BENCH_CLIENTS (50);
 *    prints the daemon's CPU per second in each, and what each connected
 *    client adds (CPU µs per second, and per event delivered).
 *
 * Loopback only; bounded in time and in requests (rate x seconds per phase).
 * The load generator shares the machine's cores with the daemon and Postgres.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { SseParser } from '../src/lib/sse.js';
import { cpuSeconds, row, scratchDatabase, startBuiltDaemon, type BenchDaemon } from './support.js';

const RATE = Number(process.env.BENCH_RATE ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 50);
const TOKEN = `bench-${randomBytes(12).toString('hex')}`;
const SOURCE = `bench-stream-${randomBytes(3).toString('hex')}`;

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(base: URL, body: string): Promise<{ status: number; id?: string }> {
  return new Promise((resolve) => {
    const req = http.request(
      new URL(`/api/v1/webhooks/generic/${SOURCE}`, base),
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString('utf8')));
        res.on('end', () => {
          const id = /"event_id":"([^"]+)"/.exec(text)?.[1];
          resolve({ status: res.statusCode ?? 0, id });
        });
      },
    );
    req.on('error', () => resolve({ status: 0 }));
    req.end(body);
  });
}

/** Sends RATE webhooks a second for SECONDS; `onAnswer` hears each 2xx with the time it came. */
async function load(
  base: URL,
  tag: string,
  onAnswer: (id: string, at: number) => void,
): Promise<{ sent: number; ok: number }> {
  const total = RATE * SECONDS;
  const started = performance.now();
  let sent = 0;
  let ok = 0;
  const inFlight = new Set<Promise<void>>();
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * RATE));
    while (sent < due) {
      const body = JSON.stringify({ event_id: `${tag}-${sent}`, type: 'bench.stream', n: sent });
      sent++;
      const p = post(base, body).then((r) => {
        if (r.status === 202 && r.id !== undefined) {
          ok++;
          onAnswer(r.id, performance.now());
        }
      });
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  await Promise.all(inFlight);
  return { sent, ok };
}

interface StreamClient {
  received: number;
  close(): void;
}

async function openStream(base: URL, onEvent?: (id: string, at: number) => void): Promise<StreamClient> {
  const controller = new AbortController();
  const res = await fetch(new URL(`/api/v1/events/stream?source=${SOURCE}`, base), {
    headers: { authorization: `Bearer ${TOKEN}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (res.status !== 200 || res.body === null) throw new Error(`stream: HTTP ${res.status}`);
  const client = { received: 0, close: () => controller.abort() };
  const parser = new SseParser();
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        for (const m of parser.feed(decoder.decode(chunk, { stream: true }))) {
          if (m.event !== 'message') continue;
          client.received++;
          const id = /"id":"([0-9a-f-]{36})"/.exec(m.data)?.[1];
          if (id !== undefined) onEvent?.(id, performance.now());
        }
      }
    } catch {
      // closed by the bench
    }
  })();
  return client;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

async function settle(ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

async function main(): Promise<void> {
  const db = await scratchDatabase();
  let daemon: BenchDaemon | undefined;
  try {
    await db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ($1, 'none')", [SOURCE]);
    daemon = await startBuiltDaemon({ DATABASE_URL: db.url, ADMIN_TOKEN: TOKEN });
    const base = new URL(daemon.url);
    const pid = daemon.child.pid ?? 0;
    process.stdout.write(
      `bench:stream: ${RATE} webhooks/s for ${SECONDS} s per phase, ${CLIENTS} clients in phase 3\n\n`,
    );

    // 1. Delay from 2xx to the stream.
    const answered = new Map<string, number>();
    const arrived = new Map<string, number>();
    const one = await openStream(base, (id, at) => arrived.set(id, at));
    await settle(500);
    const first = await load(base, 'delay', (id, at) => answered.set(id, at));
    await settle(2000);
    one.close();
    const delays: number[] = [];
    let early = 0;
    for (const [id, at] of answered) {
      const got = arrived.get(id);
      if (got === undefined) continue;
      // A message can beat its 2xx to the client: processing starts before the answer is sent.
      if (got < at) early++;
      delays.push(Math.max(0, got - at));
    }
    delays.sort((x, y) => x - y);
    row('phase 1: webhooks 2xx / sent', `${first.ok} / ${first.sent}`);
    row('on the stream', `${arrived.size} (missing ${first.ok - delays.length})`);
    row(
      '2xx -> stream p50 / p99 / max',
      `${percentile(delays, 50).toFixed(1)} / ${percentile(delays, 99).toFixed(1)} / ${(delays[delays.length - 1] ?? Number.NaN).toFixed(1)} ms`,
    );
    row('messages before their 2xx', early);

    // 2. CPU without clients, then with CLIENTS.
    await settle(1000);
    let cpu0 = cpuSeconds(pid);
    let t0 = performance.now();
    const bare = await load(base, 'bare', () => undefined);
    await settle(1000);
    const bareCpu = (cpuSeconds(pid) - cpu0) / ((performance.now() - t0) / 1000);
    row('phase 2: no stream client', `${bare.ok} 2xx, daemon ${(bareCpu * 100).toFixed(1)} % of a core`);

    const clients = await Promise.all(Array.from({ length: CLIENTS }, () => openStream(base)));
    await settle(1000);
    cpu0 = cpuSeconds(pid);
    t0 = performance.now();
    const many = await load(base, 'many', () => undefined);
    await settle(1000);
    const elapsed = (performance.now() - t0) / 1000;
    const manyCpu = (cpuSeconds(pid) - cpu0) / elapsed;
    const delivered = clients.reduce((n, c) => n + c.received, 0);
    for (const c of clients) c.close();
    row(
      `phase 3: ${CLIENTS} stream clients`,
      `${many.ok} 2xx, daemon ${(manyCpu * 100).toFixed(1)} % of a core`,
    );
    row('messages delivered (all clients)', `${delivered} of ${many.ok * CLIENTS}`);
    const perClient = ((manyCpu - bareCpu) / CLIENTS) * 1e6;
    row(
      'CPU each client adds',
      `${perClient.toFixed(0)} µs/s (${(perClient / RATE || 0).toFixed(2)} µs per event)`,
    );
  } finally {
    await daemon?.stop();
    await db.drop();
    agent.destroy();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:stream: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  },
);
