/**
 * The reference of bench:ingest: the design the ingest issue measured before
 * integrationd existed, in about 40 lines. It verifies the Stripe signature
 * (HMAC-SHA256 through node:crypto), parses the JSON, and group-commits one
 * multi-row INSERT ... ON CONFLICT DO NOTHING for all events queued meanwhile
 * before answering 202; and does nothing else: no publishing, no completion
 * or attempts, no logs, metrics, source lookup or header redaction.
 *
 * Run on the same machine in the same bench, it tells what durable acceptance
 * alone costs there: a ceiling for any design that stores before answering,
 * and the yardstick that makes a req/s target set on one machine readable on
 * another. Arguments: port, database URL, signing secret.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import pg from 'pg';

const [port, databaseUrl, secret] = process.argv.slice(2) as [string, string, string];
const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
await pool.query(`CREATE TABLE IF NOT EXISTS reference_events (
  id uuid PRIMARY KEY, source text NOT NULL, dedup_key text NOT NULL, raw_body bytea NOT NULL,
  payload jsonb, received_at timestamptz NOT NULL DEFAULT now(), UNIQUE (source, dedup_key))`);

interface Queued {
  id: string;
  source: string;
  key: string;
  raw: Buffer;
  json: string;
  done: (err?: Error) => void;
}
let queue: Queued[] = [];
let inFlight = 0;
function flush(): void {
  if (queue.length === 0 || inFlight >= 4) return;
  const batch = queue;
  queue = [];
  inFlight++;
  pool
    .query(
      `INSERT INTO reference_events (id, source, dedup_key, raw_body, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::jsonb[])
       ON CONFLICT DO NOTHING`,
      [
        batch.map((e) => e.id),
        batch.map((e) => e.source),
        batch.map((e) => e.key),
        batch.map((e) => e.raw),
        batch.map((e) => e.json),
      ],
    )
    .then(
      () => batch.forEach((e) => e.done()),
      (err: unknown) => batch.forEach((e) => e.done(err instanceof Error ? err : new Error(String(err)))),
    )
    .finally(() => {
      inFlight--;
      flush();
    });
}

const app = Fastify({ logger: false });
app.removeAllContentTypeParsers();
app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
app.post<{ Params: { source: string }; Body: Buffer }>(
  '/api/v1/webhooks/generic/:source',
  async (request, reply) => {
    const header = String(request.headers['stripe-signature'] ?? '');
    const t = /t=(\d+)/.exec(header)?.[1] ?? '';
    const given = Buffer.from(/v1=([0-9a-f]{64})/.exec(header)?.[1] ?? '', 'hex');
    const expected = createHmac('sha256', secret).update(`${t}.`).update(request.body).digest();
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reply.code(401).send();
    const json = request.body.toString('utf8');
    const id = randomUUID();
    await new Promise<void>((resolve, reject) => {
      queue.push({
        id,
        source: request.params.source,
        key: String((JSON.parse(json) as { id: unknown }).id),
        raw: request.body,
        json,
        done: (err) => (err ? reject(err) : resolve()),
      });
      if (queue.length === 1) setImmediate(flush);
    });
    reply.code(202);
    return { status: 'accepted', event_id: id };
  },
);
await app.listen({ port: Number(port), host: '127.0.0.1' });
process.stdout.write('ready\n');
process.on(
  'SIGTERM',
  () =>
    void app
      .close()
      .then(() => pool.end())
      .then(() => process.exit(0)),
);
