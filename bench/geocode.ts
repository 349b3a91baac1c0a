/**
 * npm run bench:geocode: what a cached geocoding answer costs, and how many
 * uncached lookups a daemon makes per second against a fast provider.
 *
 * Starts integrationd (from dist/) on a scratch database with the fake
 * Google and Yandex servers of test/fake-maps (in this process) as its
 * providers, no outbound budgets, and the in-process cache (BENCH_REDIS=1:
 * the machine's Redis, under a key prefix of its own, removed after). Then,
 * each for BENCH_SECONDS (10) with BENCH_CONNECTIONS (20) connections:
 *
 *  1. GET /health, the cheapest answer the daemon has (no I/O);
 *  2. POST /api/v1/geocoding/forward of one Cyrillic address already cached:
 *     admin check, strict validation, key normalisation and hashing, one
 *     hot-cache read; the difference to (1) is the cost of a cached answer;
 *  3. POST /api/v1/geocoding/reverse of a new point every request
 *     (provider google_maps): a cache miss on both levels, one HTTP call to
 *     the fake through Google's client, the audit row, the outbound limiter,
 *     and writes to both cache levels: uncached lookups per second.
 *
 * Loopback only; the fake answers at once, so (3) measures our overhead, not
 * a provider's latency. The load generator, the fake and Postgres share the
 * machine's cores with the daemon.
 */
import { randomBytes } from 'node:crypto';
import autocannon from 'autocannon';
import { createLogger } from '../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../src/redis/clients.js';
import { EVENTS_STREAM } from '../src/redis/keys.js';
import { GOOGLE_KEY, YANDEX_KEY } from '../test/fake-maps/fixture.js';
import { startFakeGoogleMaps } from '../test/fake-maps/google.js';
import { startFakeYandexMaps } from '../test/fake-maps/yandex.js';
import { redisUrl, row, scratchDatabase, startBuiltDaemon, type BenchDaemon } from './support.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const TOKEN = `bench-token-${randomBytes(12).toString('hex')}`;
const ADDRESS = 'Москва, улица Новый Арбат, 24';
const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

function report(label: string, r: autocannon.Result): void {
  row(`${label} req/s (mean)`, Math.round(r.requests.average));
  row(`${label} latency p50 / p99 (ms)`, `${r.latency.p50} / ${r.latency.p99}`);
  row(`${label} 2xx / non-2xx / errors`, `${r['2xx']} / ${r.non2xx} / ${r.errors + r.timeouts}`);
}

/**
 * With BENCH_REDIS=1: removes the run's keys (its prefix) and the geocoding
 * events it appended to the stream after `start`, so runs do not grow the
 * machine's Redis.
 */
async function cleanRedis(prefix: string, start: string | undefined): Promise<void> {
  if (start === undefined) return;
  const redis = createRedisClient(redisUrl(), 'request', {
    name: 'bench-geocode',
    log: createLogger('silent'),
  });
  await connectRedis(redis);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
    let after = start;
    for (;;) {
      const entries = await redis.xrange(EVENTS_STREAM, `(${after}`, '+', 'COUNT', 5000);
      if (entries.length === 0) break;
      const ours = entries.filter(([, f]) => f[1]?.startsWith('integration.geocoding.')).map(([id]) => id);
      if (ours.length > 0) await redis.xdel(EVENTS_STREAM, ...ours);
      after = entries[entries.length - 1]?.[0] ?? after;
    }
  } finally {
    await closeRedis(redis);
  }
}

async function streamStart(): Promise<string | undefined> {
  if (process.env.BENCH_REDIS !== '1') return undefined;
  const redis = createRedisClient(redisUrl(), 'request', {
    name: 'bench-geocode',
    log: createLogger('silent'),
  });
  await connectRedis(redis);
  try {
    return (await redis.xrevrange(EVENTS_STREAM, '+', '-', 'COUNT', 1))[0]?.[0] ?? '0-0';
  } finally {
    await closeRedis(redis);
  }
}

async function main(): Promise<void> {
  const db = await scratchDatabase();
  const google = await startFakeGoogleMaps(GOOGLE_KEY);
  const yandex = await startFakeYandexMaps(YANDEX_KEY);
  const prefix = `bench-${randomBytes(4).toString('hex')}`;
  let daemon: BenchDaemon | undefined;
  const start = await streamStart();
  try {
    daemon = await startBuiltDaemon({
      DATABASE_URL: db.url,
      ADMIN_TOKEN: TOKEN,
      GOOGLE_MAPS_API_KEY: GOOGLE_KEY,
      YANDEX_MAPS_API_KEY: YANDEX_KEY,
      GOOGLE_MAPS_ROOT_URL: google.url,
      YANDEX_MAPS_ROOT_URL: yandex.url,
      CACHE_KEY_PREFIX: prefix,
      ...(process.env.BENCH_REDIS === '1' ? { REDIS_URL: redisUrl() } : {}),
    });
    const url = daemon.url;
    const warm = await fetch(`${url}/api/v1/geocoding/forward`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ address: ADDRESS }),
    });
    if (warm.status !== 200) throw new Error(`warm-up lookup answered ${warm.status}: ${await warm.text()}`);
    const run = (requests: autocannon.Request[]) =>
      autocannon({ url, connections: CONNECTIONS, duration: SECONDS, requests });

    row('cache backend', process.env.BENCH_REDIS === '1' ? 'redis' : 'in-process');
    row('connections, seconds per phase', `${CONNECTIONS}, ${SECONDS}`);
    report('GET /health', await run([{ method: 'GET', path: '/health' }]));
    const before = google.geocodeRequests().length;
    const cached = await run([
      {
        method: 'POST',
        path: '/api/v1/geocoding/forward',
        headers,
        body: JSON.stringify({ address: ADDRESS }),
      },
    ]);
    report('cached forward', cached);
    row('provider requests during cached phase', google.geocodeRequests().length - before);
    let n = 0;
    const uncached = await run([
      {
        method: 'POST',
        path: '/api/v1/geocoding/reverse',
        headers,
        setupRequest: (req) => {
          n++;
          // A new point every request (7 decimals are the cache key), all within 300 m of one known
          // house: 50,000 distinct points, more than a run sends.
          const body = {
            latitude: 55.7497 + (n % 50_000) * 1e-7,
            longitude: 37.5847163,
            provider: 'google_maps',
          };
          return { ...req, body: JSON.stringify(body) };
        },
      },
    ]);
    report('uncached reverse', uncached);
    row('uncached lookups per second', Math.round(uncached['2xx'] / SECONDS));
  } finally {
    await daemon?.stop();
    await google.close();
    await yandex.close();
    await db.drop();
    await cleanRedis(prefix, start);
  }
}

await main();
