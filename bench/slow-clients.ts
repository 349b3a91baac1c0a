/**
 * npm run bench:slow-clients: what slow and stalled clients cost a daemon
 * serving a normal load (issue #14, defect 2).
 *
 * Starts integrationd (from dist/) on a scratch database, with its default HTTP
 * limits unless HTTP_* variables are set in the environment (they are passed
 * on), and drives a normal load with autocannon: BENCH_CONNECTIONS (50)
 * connections for BENCH_SECONDS (10), each request a small unique webhook to a
 * scheme-`none` source. The load runs twice: alone, then beside
 * BENCH_STALLED (300) connections that each declare a 1 MiB body and send all
 * but its last byte, and BENCH_SLOWLORIS (200) that send a body one byte a
 * second. A bad connection the daemon ends is opened again at once, so their
 * number holds through the load; after it, they are left to the daemon, and the
 * bench waits (at most HTTP_REQUEST_TIMEOUT_SECONDS plus 15 s) until it has
 * closed every one, and runs the normal load a third time. Prints, for each
 * phase, the normal load's req/s, p50/p99 and errors and the daemon's RSS
 * (before, peak) and CPU per request, and how the bad connections ended.
 *
 * Loopback only; bounded in connections (at most 5,000 bad ones) and in time.
 * The in-process event bus is used (no REDIS_URL): the machine's Redis is not
 * touched. The load generator shares the machine's cores with the daemon and
 * Postgres.
 */
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { cpuSeconds, row, scratchDatabase, startBuiltDaemon, type BenchDaemon } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const STALLED = Number(process.env.BENCH_STALLED ?? 300);
const SLOWLORIS = Number(process.env.BENCH_SLOWLORIS ?? 200);
const MAX_BAD = 5000;
const SOURCE = `bench-slow-${randomBytes(3).toString('hex')}`;
const PATH = `/api/v1/webhooks/generic/${SOURCE}`;
/** The daemon's default WEBHOOK_MAX_BODY_BYTES: the largest body a stalled client can declare. */
const STALLED_BODY = 1_048_576;

if (STALLED + SLOWLORIS > MAX_BAD) {
  throw new Error(`at most ${MAX_BAD} bad connections (BENCH_STALLED + BENCH_SLOWLORIS)`);
}

/** Resident set size of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB/m);
    return line ? Math.round(Number(line[1]) / 1024) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Samples a process's RSS every 250 ms until stopped; returns the peak. */
function sampleRss(pid: number): { stop(): number } {
  let peak = rssMiB(pid);
  const timer = setInterval(() => (peak = Math.max(peak, rssMiB(pid))), 250);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMiB(pid));
    },
  };
}

function head(contentLength: number): string {
  return `POST ${PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${contentLength}\r\n\r\n`;
}

type Kind = 'stalled' | 'slowloris';

/**
 * The bad clients. Each kind keeps its count while `reopen` is on: a
 * connection the daemon ends (408 or closed) is replaced at once.
 */
class BadClients {
  private readonly open = new Set<net.Socket>();
  private readonly slowloris = new Set<net.Socket>();
  private readonly stalledBody = Buffer.alloc(STALLED_BODY - 1, 0x20);
  private reopen = true;
  private readonly drip: NodeJS.Timeout;
  readonly ended = { stalled: 0, slowloris: 0, answered408: 0 };

  constructor(private readonly port: number) {
    // One byte a second to every slowloris connection.
    this.drip = setInterval(() => {
      for (const socket of this.slowloris) if (socket.writable) socket.write(' ');
    }, 1000);
  }

  /** Opens `count` connections of `kind`; resolves once each has sent what it will send at once. */
  async add(kind: Kind, count: number): Promise<void> {
    const sent: Promise<void>[] = [];
    for (let i = 0; i < count; i++) sent.push(this.connect(kind));
    await Promise.all(sent);
  }

  private connect(kind: Kind): Promise<void> {
    const socket = net.connect(this.port, '127.0.0.1');
    this.open.add(socket);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      this.open.delete(socket);
      this.slowloris.delete(socket);
      this.ended[kind]++;
      if (answer.startsWith('HTTP/1.1 408')) this.ended.answered408++;
      if (this.reopen) void this.connect(kind);
    });
    return new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.once('connect', () => {
        if (kind === 'slowloris') {
          socket.write(head(100_000));
          this.slowloris.add(socket);
          resolve();
        } else {
          socket.write(head(STALLED_BODY));
          socket.write(this.stalledBody, () => resolve());
        }
      });
    });
  }

  get count(): number {
    return this.open.size;
  }

  /** Stops replacing ended connections; resolves true once the daemon has closed every one. */
  async leaveToDaemon(timeoutMs: number): Promise<boolean> {
    this.reopen = false;
    const deadline = Date.now() + timeoutMs;
    while (this.open.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    return this.open.size === 0;
  }

  close(): void {
    this.reopen = false;
    clearInterval(this.drip);
    for (const socket of this.open) socket.destroy();
  }
}

let sequence = 0;
async function load(url: string, seconds: number): Promise<autocannon.Result> {
  return autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: PATH,
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ event_id: `slow-${process.pid}-${sequence++}`, type: 'bench.tick' }),
        }),
      },
    ],
  });
}

/** One run of the normal load, with the daemon's RSS (before, peak) and CPU time while it ran. */
async function phase(label: string, url: string, pid: number): Promise<autocannon.Result> {
  const before = rssMiB(pid);
  const rss = sampleRss(pid);
  const cpu = cpuSeconds(pid);
  const r = await load(url, SECONDS);
  const peak = rss.stop();
  const cpuUs = ((cpuSeconds(pid) - cpu) / Math.max(r['2xx'], 1)) * 1e6;
  row(`${label}: req/s (mean)`, Math.round(r.requests.average));
  row(`${label}: latency p50 / p99 (ms)`, `${r.latency.p50} / ${r.latency.p99}`);
  row(`${label}: 2xx / non-2xx / err`, `${r['2xx']} / ${r.non2xx} / ${r.errors + r.timeouts}`);
  row(`${label}: RSS before / peak (MiB)`, `${before} / ${peak}`);
  row(`${label}: daemon CPU / 2xx (µs)`, Math.round(cpuUs));
  return r;
}

const requestTimeoutSeconds = Number(process.env.HTTP_REQUEST_TIMEOUT_SECONDS ?? 30);
const passedOn = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HTTP_')));
const db = await scratchDatabase();
let daemon: BenchDaemon | undefined;
let bad: BadClients | undefined;
try {
  await db.pool.query("INSERT INTO webhook_configs (name, scheme) VALUES ($1, 'none')", [SOURCE]);
  daemon = await startBuiltDaemon({ DATABASE_URL: db.url, ...passedOn });
  const pid = daemon.child.pid ?? 0;
  process.stdout.write(
    `bench:slow-clients: normal load ${CONNECTIONS} connections x ${SECONDS} s, alone and beside ` +
      `${STALLED} stalled (1 MiB declared, all but 1 byte sent) + ${SLOWLORIS} slowloris (1 byte/s) connections\n` +
      `daemon HTTP settings from the environment: ${JSON.stringify(passedOn)}\n` +
      `phases: alone, beside the bad connections, after the daemon closed them\n\n`,
  );
  // Warm-up (JIT, pools), discarded.
  await load(daemon.url, 2);

  const alone = await phase('alone', daemon.url, pid);

  bad = new BadClients(Number(new URL(daemon.url).port));
  const opening = Date.now();
  await bad.add('stalled', STALLED);
  await bad.add('slowloris', SLOWLORIS);
  row('bad connections open (s to open)', `${bad.count} (${((Date.now() - opening) / 1000).toFixed(1)})`);
  const beside = await phase('beside', daemon.url, pid);
  row('bad connections open after the load', bad.count);

  const waitMs = (requestTimeoutSeconds + 15) * 1000;
  const started = Date.now();
  const allClosed = await bad.leaveToDaemon(waitMs);
  row(
    'bad connections closed by the daemon',
    allClosed
      ? `all, ${((Date.now() - started) / 1000).toFixed(1)} s after the load`
      : `${bad.count} still open after ${waitMs / 1000} s`,
  );
  row(
    'ended: stalled / slowloris / with 408',
    `${bad.ended.stalled} / ${bad.ended.slowloris} / ${bad.ended.answered408}`,
  );
  // The same load once they are gone: p99 back, and RSS reused rather than grown.
  const after = await phase('after', daemon.url, pid);
  row(
    'p99 beside / alone / after (ms)',
    `${beside.latency.p99} / ${alone.latency.p99} / ${after.latency.p99} (${(beside.latency.p99 / Math.max(alone.latency.p99, 1)).toFixed(1)}x)`,
  );
} finally {
  bad?.close();
  await daemon?.stop();
  await db.drop();
}
