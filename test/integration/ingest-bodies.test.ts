/**
 * Bodies an outside pass found mishandled (issue #14): numeric ids past 2^53,
 * bodies too deep for JSON.stringify, byte-order marks, compressed bodies and
 * credential headers by less common names. Through the real wiring: HTTP,
 * verification, group commit into Postgres, and `integctl events show`.
 */
import { createHmac, randomBytes } from 'node:crypto';
import zlib from 'node:zlib';
import test from 'ava';
import Stripe from 'stripe';
import { SourceService } from '../../src/services/sources.js';
import { createOrm } from '../../src/store/sequelize.js';
import { SourceRepository } from '../../src/store/source-repository.js';
import { integctl } from '../helpers/cli.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';

const STRIPE_SECRET = `whsec_${randomBytes(24).toString('base64')}`;
const HMAC_SECRET = randomBytes(24).toString('hex');
const MAX_BODY = 64 * 1024;
let ctx: TestRuntime;
let sources: SourceService;
let closeOrm: () => Promise<void>;

test.before(async () => {
  ctx = await testRuntime({
    STRIPE_WEBHOOK_SECRET: STRIPE_SECRET,
    WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY),
  });
  const orm = createOrm(ctx.db.url, 2);
  closeOrm = () => orm.close();
  sources = new SourceService(new SourceRepository(orm.models));
  await sources.add({ name: 'plain', scheme: 'none' });
  await sources.add({ name: 'nested-id', scheme: 'none', options: { dedupPath: 'data.order_id' } });
  await sources.add({ name: 'tokened', scheme: 'token', secret: HMAC_SECRET });
  await sources.add({ name: 'signed', scheme: 'hmac', secret: HMAC_SECRET });
});

test.after.always(async () => {
  await closeOrm?.();
  await ctx?.close();
});

function post(source: string, payload: string | Buffer, headers: Record<string, string> = {}) {
  return ctx.runtime.app.inject({
    method: 'POST',
    url: `/api/v1/webhooks/generic/${source}`,
    headers: { 'content-type': 'application/json', ...headers },
    payload,
  });
}

async function stored(id: string) {
  const r = await ctx.db.pool.query<{
    event_id: string | null;
    raw_body: Buffer;
    payload_text: string | null;
    headers: Record<string, string>;
  }>('SELECT event_id, raw_body, payload::text AS payload_text, headers FROM webhook_events WHERE id = $1', [
    id,
  ]);
  return r.rows[0];
}

const hmacHeader = (body: Buffer | string) => ({
  'x-signature': createHmac('sha256', HMAC_SECRET).update(body).digest('hex'),
});

test('numeric ids past 2^53 are read as the digits sent: two ids one apart are two events', async (t) => {
  // Both read as 820982911946154500 through a double.
  const first = await post('plain', '{"id":820982911946154508,"type":"order.paid"}');
  const second = await post('plain', '{"id":820982911946154507,"type":"order.paid"}');
  t.is(first.statusCode, 202, first.body);
  t.is(second.statusCode, 202, `not a duplicate of the first: ${second.body}`);
  t.is((await stored(first.json<{ event_id: string }>().event_id))?.event_id, '820982911946154508');
  t.is((await stored(second.json<{ event_id: string }>().event_id))?.event_id, '820982911946154507');
  // The same id again is a duplicate of its own event only.
  const again = await post('plain', '{"id":820982911946154507,"type":"order.paid","retry":1}');
  t.deepEqual(again.json(), { status: 'duplicate', event_id: second.json<{ event_id: string }>().event_id });
});

test('event_id, a --dedup-path and a token source read big and fractional numbers exactly', async (t) => {
  const a = await post('nested-id', '{"data":{"order_id":18446744073709551617}}');
  const b = await post('nested-id', '{"data":{"order_id":18446744073709551616}}');
  t.is(b.statusCode, 202, b.body);
  t.is((await stored(a.json<{ event_id: string }>().event_id))?.event_id, '18446744073709551617');
  const c = await post('plain', '{"event_id":0.30000000000000004,"id":1}');
  t.is((await stored(c.json<{ event_id: string }>().event_id))?.event_id, '0.30000000000000004');
  const token = { 'x-webhook-token': HMAC_SECRET };
  const d = await post('tokened', '{"id":9007199254740993}', token);
  const e = await post('tokened', '{"id":9007199254740992}', token);
  t.is(e.statusCode, 202, 'one apart past 2^53: two events');
  t.is((await stored(d.json<{ event_id: string }>().event_id))?.event_id, '9007199254740993');
});

test('a body Postgres needs rewritten (a NUL escape) keeps its big numbers exact in the payload', async (t) => {
  const res = await post(
    'plain',
    '{"id":"nul-1","note":"a\\u0000b","amount":123456789012345678901234567890}',
  );
  t.is(res.statusCode, 202, res.body);
  const row = await stored(res.json<{ event_id: string }>().event_id);
  t.regex(row?.payload_text ?? '', /"amount": 123456789012345678901234567890/);
  t.regex(row?.payload_text ?? '', /"note": "ab"/);
});

test('a body nested 5,000 deep is stored and can be shown by the API and integctl', async (t) => {
  const depth = 5000;
  const body = `${'{"a":'.repeat(depth)}820982911946154508${'}'.repeat(depth)}`;
  const res = await post('plain', body);
  t.is(res.statusCode, 202, res.body);
  const id = res.json<{ event_id: string }>().event_id;
  const shown = await ctx.runtime.app.inject({ method: 'GET', url: `/api/v1/webhooks/events/${id}` });
  t.is(shown.statusCode, 200, shown.body.slice(0, 300));
  t.regex(String(shown.headers['content-type']), /^application\/json/);
  // As jsonb writes it out: a space after each colon, the number exact.
  const asStored = `${'{"a": '.repeat(depth)}820982911946154508${'}'.repeat(depth)}`;
  t.true(shown.body.endsWith(`"payload":${asStored}}`), 'the payload as stored, numbers exact');
  const details = JSON.parse(shown.body) as { id: string; source: string };
  t.like(details, { id, source: 'plain' });

  const env = { DATABASE_URL: ctx.db.url };
  const text = await integctl(['events', 'show', id], env);
  t.is(text.code, 0, text.stderr);
  t.true(text.stdout.includes('payload (nested too deep to indent; shown as stored):'));
  t.true(text.stdout.includes(asStored));
  const json = await integctl(['events', 'show', id, '--json'], env);
  t.is(json.code, 0, json.stderr);
  t.is((JSON.parse(json.stdout) as { id: string }).id, id);
});

test('events show prints big numbers of a payload as stored, indented', async (t) => {
  const res = await post('plain', '{"id":"big-show","amount":820982911946154508,"list":[1.50,2]}');
  const id = res.json<{ event_id: string }>().event_id;
  const env = { DATABASE_URL: ctx.db.url };
  const text = await integctl(['events', 'show', id], env);
  t.is(text.code, 0, text.stderr);
  t.true(text.stdout.includes('"amount": 820982911946154508'), text.stdout);
  const json = await integctl(['events', 'show', id, '--json'], env);
  t.true(json.stdout.includes('"amount": 820982911946154508'), json.stdout);
  const api = await ctx.runtime.app.inject({ method: 'GET', url: `/api/v1/webhooks/events/${id}` });
  t.true(api.body.includes('"amount": 820982911946154508'), api.body);
});

test('JSON with a UTF-8 byte-order mark is read as JSON: its id is the dedup key, its raw bytes kept', async (t) => {
  const body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"bom-1","type":"x.y"}')]);
  const res = await post('plain', body);
  t.is(res.statusCode, 202, res.body);
  const row = await stored(res.json<{ event_id: string }>().event_id);
  t.is(row?.event_id, 'bom-1');
  t.true(row?.raw_body.equals(body));
  t.is(row?.payload_text, '{"id": "bom-1", "type": "x.y"}');
  // Without the mark it is the same event.
  const again = await post('plain', '{"id":"bom-1","type":"x.y"}');
  t.is(again.statusCode, 200);
  // Unlabelled, a BOM before JSON still reads as JSON.
  const unlabelled = await ctx.runtime.app.inject({
    method: 'POST',
    url: '/api/v1/webhooks/generic/plain',
    payload: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"id":"bom-2"}')]),
  });
  t.is(unlabelled.statusCode, 202, unlabelled.body);
  t.is((await stored(unlabelled.json<{ event_id: string }>().event_id))?.event_id, 'bom-2');
});

test('gzip, deflate and br bodies are decoded and stored decoded; Stripe signs the decoded body', async (t) => {
  for (const [coding, encode] of [
    ['gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['deflate', zlib.deflateRawSync],
    ['br', zlib.brotliCompressSync],
  ] as const) {
    const body = JSON.stringify({
      id: `evt_${coding}_${randomBytes(4).toString('hex')}`,
      type: 'charge.succeeded',
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: STRIPE_SECRET });
    const res = await ctx.runtime.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks/stripe',
      headers: {
        'content-type': 'application/json',
        'content-encoding': coding,
        'stripe-signature': signature,
      },
      payload: encode(Buffer.from(body)),
    });
    t.is(res.statusCode, 202, `${coding}: ${res.body}`);
    const row = await stored(res.json<{ event_id: string }>().event_id);
    t.is(row?.raw_body.toString('utf8'), body, coding);
    t.is(row?.headers['content-encoding'], undefined, 'the stored body is not encoded');
  }
});

test('a signature over the compressed bytes as sent verifies too; one over neither is 401', async (t) => {
  const compressed = zlib.gzipSync(Buffer.from('{"id":"gz-signed-sent"}'));
  const sent = await post('signed', compressed, { 'content-encoding': 'gzip', ...hmacHeader(compressed) });
  t.is(sent.statusCode, 202, sent.body);
  t.is((await stored(sent.json<{ event_id: string }>().event_id))?.event_id, 'gz-signed-sent');
  const forged = await post('signed', compressed, {
    'content-encoding': 'gzip',
    ...hmacHeader('{"id":"something-else"}'),
  });
  t.is(forged.statusCode, 401);
});

test('compressed bodies: a zip bomb is 413, an unknown coding 415, corrupt data 400; nothing stored', async (t) => {
  // 64 KiB of JSON-looking text decodes past the limit from a few hundred bytes.
  const bomb = zlib.gzipSync(Buffer.from(`{"id":"bomb","pad":"${'a'.repeat(MAX_BODY * 4)}"}`));
  t.true(bomb.length < MAX_BODY);
  const big = await post('plain', bomb, { 'content-encoding': 'gzip' });
  t.is(big.statusCode, 413, big.body);
  t.is(big.json<{ error: { code: string } }>().error.code, 'PAYLOAD_TOO_LARGE');
  const layered = zlib.gzipSync(zlib.gzipSync(Buffer.from('a'.repeat(MAX_BODY * 8))));
  t.is((await post('plain', layered, { 'content-encoding': 'gzip, gzip' })).statusCode, 413);

  const unknown = await post('plain', Buffer.from('{"id":"zstd"}'), { 'content-encoding': 'zstd' });
  t.is(unknown.statusCode, 415);
  t.is(unknown.json<{ error: { code: string } }>().error.code, 'UNSUPPORTED_MEDIA_TYPE');
  t.regex(unknown.json<{ error: { message: string } }>().error.message, /"zstd" is not supported; send gzip/);

  const corrupt = await post('plain', Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
  t.is(corrupt.statusCode, 400);
  t.is(corrupt.json<{ error: { code: string } }>().error.code, 'MALFORMED_BODY');

  // identity is no coding at all.
  t.is((await post('plain', '{"id":"ident"}', { 'content-encoding': 'identity' })).statusCode, 202);
  const after = await ctx.db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM webhook_events WHERE source = 'plain' AND event_id IN ('bomb','zstd')",
  );
  t.is(after.rows[0]?.n, 0);
});

test('credential headers by less common names are not stored; ordinary ones are', async (t) => {
  const res = await post('plain', '{"id":"cred-headers"}', {
    'x-authentication': 'a',
    'x-authorisation': 'b',
    'x-pwd': 'c',
    'x-passcode': 'd',
    'x-bearer': 'e',
    'x-cred': 'f',
    'x-client-creds': 'g',
    'x-passphrase': 'h',
    'x-author': 'kept',
    'x-credit-limit': 'kept',
    'x-monkey': 'kept',
  });
  t.is(res.statusCode, 202, res.body);
  const headers = (await stored(res.json<{ event_id: string }>().event_id))?.headers ?? {};
  for (const name of [
    'x-authentication',
    'x-authorisation',
    'x-pwd',
    'x-passcode',
    'x-bearer',
    'x-cred',
    'x-client-creds',
    'x-passphrase',
  ]) {
    t.false(name in headers, name);
  }
  t.like(headers, { 'x-author': 'kept', 'x-credit-limit': 'kept', 'x-monkey': 'kept' });
});
