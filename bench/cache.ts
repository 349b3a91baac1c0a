/**
 * npm run bench:cache: what CacheService.get costs on top of a raw ioredis GET.
 *
 * Both read the same keys (a realistic Sheets read: 20 rows x 5 cells, ~1 KB of
 * JSON) from the same Redis over the same kind of connection, one request at a
 * time, interleaved call by call so both see the same machine conditions.
 * "raw GET + JSON.parse" isolates decoding from the service's own work (key
 * validation, counters, metrics). The in-process backend is measured too.
 * Counters flush once a second, as in the daemon.
 *
 * REDIS_URL (default redis://127.0.0.1:6379); ITERATIONS (default 50000).
 * Prints numbers; asserts nothing. Target (issue 5): under 0.2 ms added at p99.
 */
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import { CacheService } from '../src/cache/cache-service.js';
import { escapeGlob, KeySpace } from '../src/redis/keys.js';
import { MemoryCacheBackend } from '../src/cache/memory-backend.js';
import { RedisCacheBackend } from '../src/cache/redis-backend.js';
import { createLogger } from '../src/lib/logger.js';
import { closeRedis, connectRedis, createRedisClient } from '../src/redis/clients.js';

const ITERATIONS = Number(process.env.ITERATIONS ?? 50_000);
const WARMUP = Math.min(5000, ITERATIONS);
const KEYS = 1000;
const NAMESPACE = 'google_sheets';
const TENANT = 'uk_company_1';

type Sample = Float64Array;

function sheetRead(i: number) {
  const values = Array.from({ length: 20 }, (_, r) => [
    `Resident ${i}-${r}`,
    10 + r,
    r % 2 === 0,
    `flat ${r}`,
    12.5 * r,
  ]);
  return { range: `Sheet1!A1:E20`, values, at: Date.now(), ttl: 300 };
}

function percentile(sorted: Sample, p: number): number {
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? Number.NaN;
}

function summary(name: string, samples: Sample) {
  const sorted = Float64Array.from(samples).sort();
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  return {
    name,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    mean,
  };
}

function print(rows: Array<ReturnType<typeof summary>>): void {
  const ms = (n: number) => (n / 1e6).toFixed(3).padStart(8);
  process.stdout.write(`${'operation'.padEnd(36)}      p50      p90      p99    p99.9     mean   (ms)\n`);
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(36)} ${ms(r.p50)} ${ms(r.p90)} ${ms(r.p99)} ${ms(r.p999)} ${ms(r.mean)}\n`,
    );
  }
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start);
}

async function main(): Promise<void> {
  const url = process.env.REDIS_URL ?? process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const log = createLogger('warn');
  const keys = new KeySpace(`bench-${randomBytes(4).toString('hex')}:integration`);
  const cacheRedis = createRedisClient(url, 'request', { name: 'bench-cache', log });
  const rawRedis = createRedisClient(url, 'request', { name: 'bench-raw', log });
  await connectRedis(cacheRedis);
  await connectRedis(rawRedis);
  const backend = new RedisCacheBackend(cacheRedis);
  const options = { keys, enabled: true, defaultTtlSeconds: 600, log, registry: new Registry() };
  const cache = new CacheService({ ...options, backend });
  const memory = new CacheService({
    ...options,
    backend: new MemoryCacheBackend(),
    registry: new Registry(),
  });

  const names = Array.from({ length: KEYS }, (_, i) => `1AbCdEf${i}:FORMATTED_VALUE:Sheet1!A1:E20`);
  const fullKeys = names.map((n) => keys.entry(NAMESPACE, TENANT, n));
  for (const [i, name] of names.entries()) {
    await cache.set(NAMESPACE, name, sheetRead(i), 600, TENANT);
    await memory.set(NAMESPACE, name, sheetRead(i), 600, TENANT);
  }
  const bytes = Buffer.byteLength((await rawRedis.get(fullKeys[0] ?? '')) ?? '');

  const raw = new Float64Array(ITERATIONS);
  const rawParse = new Float64Array(ITERATIONS);
  const service = new Float64Array(ITERATIONS);
  const inProcess = new Float64Array(ITERATIONS);
  for (let round = -WARMUP; round < ITERATIONS; round++) {
    const k = ((round % KEYS) + KEYS) % KEYS;
    const fullKey = fullKeys[k] ?? '';
    const name = names[k] ?? '';
    const a = await time(() => rawRedis.get(fullKey));
    const b = await time(async () => JSON.parse((await rawRedis.get(fullKey)) ?? 'null') as unknown);
    const c = await time(() => cache.get(NAMESPACE, name, TENANT));
    const d = await time(() => memory.get(NAMESPACE, name, TENANT));
    if (round >= 0) {
      raw[round] = a;
      rawParse[round] = b;
      service[round] = c;
      inProcess[round] = d;
    }
  }

  const rows = [
    summary('raw ioredis GET', raw),
    summary('raw ioredis GET + JSON.parse', rawParse),
    summary('CacheService.get (Redis)', service),
    summary('CacheService.get (in-process)', inProcess),
  ];
  process.stdout.write(
    `bench:cache: ${ITERATIONS} sequential reads per row, ${KEYS} keys of ${bytes} bytes, Redis ${url.replace(/\/\/[^@]*@/, '//***@')}, Node ${process.version}\n\n`,
  );
  print(rows);
  const [rawRow, , serviceRow] = rows;
  if (rawRow && serviceRow) {
    const added = (serviceRow.p99 - rawRow.p99) / 1e6;
    const addedP50 = (serviceRow.p50 - rawRow.p50) / 1e6;
    process.stdout.write(
      `\nadded by CacheService.get over raw GET: p50 ${addedP50.toFixed(3)} ms, p99 ${added.toFixed(3)} ms (target: under 0.2 ms at p99)\n`,
    );
  }
  const stats = await cache.stats(TENANT);
  process.stdout.write(`counters after the run: ${JSON.stringify(stats.namespaces[NAMESPACE])}\n`);

  await backend.deleteMatching(`${escapeGlob(keys.root)}*`);
  await cache.close();
  await memory.close();
  await closeRedis(cacheRedis);
  await closeRedis(rawRedis);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`bench:cache: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
