/**
 * Every signature scheme, signed with the provider's own library (stripe,
 * standardwebhooks) or its documented recipe (GitHub, HMAC, Drive headers).
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import test from 'ava';
import Stripe from 'stripe';
import { Webhook } from 'standardwebhooks';
import { AppError } from '../../src/domain/errors.js';
import { activeSecrets, type WebhookSource } from '../../src/domain/source.js';
import { safeEqual, safeIncludes } from '../../src/providers/constant-time.js';
import { createVerifier, InvalidSourceOptions, type WebhookRequest } from '../../src/providers/index.js';
import { checkStandardWebhooksSecret } from '../../src/providers/standard-webhooks.js';
import { storedHeaders } from '../../src/domain/webhook-body.js';

const NOW = new Date('2026-11-26T12:00:00Z');
const sha256 = (body: string) => `sha256:${createHash('sha256').update(body).digest('hex')}`;
const SECONDS = Math.floor(NOW.getTime() / 1000);
const TOLERANCE = 300;

function req(body: string | Buffer, headers: Record<string, string>, now = NOW): WebhookRequest {
  return { rawBody: Buffer.isBuffer(body) ? body : Buffer.from(body), headers, now };
}

function code(fn: () => void): string | undefined {
  try {
    fn();
    return undefined;
  } catch (err) {
    return err instanceof AppError ? err.code : `not an AppError: ${String(err)}`;
  }
}

// ---------------------------------------------------------------- stripe
const stripeSecret = 'whsec_test_secret_one';
const stripeBody = JSON.stringify({ id: 'evt_123', object: 'event', type: 'payment_intent.succeeded' });
const stripe = createVerifier('stripe', {}, TOLERANCE);
const stripeSig = (body = stripeBody, secret = stripeSecret, timestamp = SECONDS) =>
  Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp });

test('stripe: a signature from the stripe library verifies, and the dedup key is the event id', (t) => {
  const r = req(stripeBody, { 'stripe-signature': stripeSig() });
  t.notThrows(() => stripe.verify(r, [stripeSecret]));
  t.deepEqual(stripe.identify(r, JSON.parse(stripeBody)), { eventId: 'evt_123', dedupKey: 'evt_123' });
});

test('stripe: any of several secrets verifies (rotation)', (t) => {
  const r = req(stripeBody, { 'stripe-signature': stripeSig(stripeBody, 'whsec_new_secret') });
  t.notThrows(() => stripe.verify(r, [stripeSecret, 'whsec_new_secret']));
  t.is(
    code(() => stripe.verify(r, [stripeSecret])),
    'INVALID_SIGNATURE',
  );
});

for (const [name, headers, body] of [
  ['missing header', {}, stripeBody],
  ['empty header', { 'stripe-signature': '' }, stripeBody],
  ['malformed header', { 'stripe-signature': 'garbage' }, stripeBody],
  ['no v1 entry', { 'stripe-signature': `t=${SECONDS}` }, stripeBody],
  ['wrong secret', { 'stripe-signature': stripeSig(stripeBody, 'whsec_other') }, stripeBody],
  ['signature over a different body', { 'stripe-signature': stripeSig('{"id":"evt_other"}') }, stripeBody],
  ['body altered by one byte', { 'stripe-signature': stripeSig() }, stripeBody.replace('evt_123', 'evt_124')],
  ['truncated signature', { 'stripe-signature': stripeSig().slice(0, -10) }, stripeBody],
  ['non-ASCII in the header', { 'stripe-signature': `t=${SECONDS},v1=caf\u00e9` }, stripeBody],
] as const) {
  test(`stripe: ${name} is INVALID_SIGNATURE`, (t) => {
    t.is(
      code(() => stripe.verify(req(body, headers), [stripeSecret])),
      'INVALID_SIGNATURE',
    );
  });
}

test('stripe: stale and future timestamps beyond the tolerance are refused; within it they pass', (t) => {
  const at = (offset: number) =>
    req(stripeBody, { 'stripe-signature': stripeSig(stripeBody, stripeSecret, SECONDS + offset) });
  t.is(
    code(() => stripe.verify(at(-301), [stripeSecret])),
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
  t.is(
    code(() => stripe.verify(at(+301), [stripeSecret])),
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
  t.notThrows(() => stripe.verify(at(-299), [stripeSecret]));
  t.notThrows(() => stripe.verify(at(+299), [stripeSecret]));
});

test('stripe: a replayed header with a fresh timestamp put in front is refused', (t) => {
  // A day-old delivery, signed by Stripe's library then: refused as stale.
  const old = stripeSig(stripeBody, stripeSecret, SECONDS - 86_400);
  t.is(
    code(() => stripe.verify(req(stripeBody, { 'stripe-signature': old }), [stripeSecret])),
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
  // The stripe package reads the last t=, so a fresh one in front must not pass the window check.
  for (const replayed of [`t=${SECONDS},${old}`, `${old},t=${SECONDS}`]) {
    t.is(
      code(() => stripe.verify(req(stripeBody, { 'stripe-signature': replayed }), [stripeSecret])),
      'INVALID_SIGNATURE',
      replayed,
    );
  }
});

test('stripe: takes no options', (t) => {
  t.throws(() => createVerifier('stripe', { header: 'x' }, TOLERANCE), { instanceOf: InvalidSourceOptions });
});

// ---------------------------------------------------------------- standard webhooks
const swSecret = `whsec_${randomBytes(24).toString('base64')}`;
const swBody = '{"type":"invoice.paid","data":{"id":1}}';
const sw = createVerifier('standard-webhooks', {}, TOLERANCE);
const swHeaders = (id = 'msg_1', at = NOW, secret = swSecret, body = swBody) => ({
  'webhook-id': id,
  'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
  'webhook-signature': new Webhook(secret).sign(id, at, body),
});

test('standard-webhooks: a signature from the standardwebhooks package verifies; dedup by webhook-id', (t) => {
  const r = req(swBody, swHeaders());
  t.notThrows(() => sw.verify(r, [swSecret]));
  t.deepEqual(sw.identify(r, undefined), { eventId: 'msg_1', dedupKey: 'msg_1' });
});

test('standard-webhooks: one valid entry in a space-separated list is enough', (t) => {
  const h = swHeaders();
  const other = new Webhook(`whsec_${randomBytes(24).toString('base64')}`).sign('msg_1', NOW, swBody);
  t.notThrows(() =>
    sw.verify(req(swBody, { ...h, 'webhook-signature': `${other} ${h['webhook-signature']}` }), [swSecret]),
  );
});

test('standard-webhooks: wrong, missing, altered and out-of-window deliveries are refused', (t) => {
  t.is(
    code(() =>
      sw.verify(req(swBody, swHeaders('msg_1', NOW, `whsec_${randomBytes(24).toString('base64')}`)), [
        swSecret,
      ]),
    ),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => sw.verify(req(swBody, { 'webhook-id': 'msg_1' }), [swSecret])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => sw.verify(req(`${swBody} `, swHeaders()), [swSecret])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => sw.verify(req(swBody, { ...swHeaders(), 'webhook-id': 'msg_2' }), [swSecret])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => sw.verify(req(swBody, { ...swHeaders(), 'webhook-signature': 'v2,abc' }), [swSecret])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => sw.verify(req(swBody, { ...swHeaders(), 'webhook-timestamp': 'soon' }), [swSecret])),
    'INVALID_SIGNATURE',
  );
  const stale = new Date(NOW.getTime() - 301_000);
  const future = new Date(NOW.getTime() + 301_000);
  t.is(
    code(() => sw.verify(req(swBody, swHeaders('msg_1', stale)), [swSecret])),
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
  t.is(
    code(() => sw.verify(req(swBody, swHeaders('msg_1', future)), [swSecret])),
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
});

// ---------------------------------------------------------------- github
const ghSecret = 'github-secret-123';
const ghBody = '{"action":"opened","number":7}';
const gh = createVerifier('github', {}, TOLERANCE);
const ghSig = (body = ghBody, secret = ghSecret) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

test("github: GitHub's documented X-Hub-Signature-256 recipe verifies; dedup by X-GitHub-Delivery", (t) => {
  const r = req(ghBody, {
    'x-hub-signature-256': ghSig(),
    'x-github-delivery': 'd-1',
    'x-github-event': 'pull_request',
  });
  t.notThrows(() => gh.verify(r, [ghSecret]));
  // GitHub signs the body, not X-GitHub-Delivery: the key binds the delivery id to the body.
  t.deepEqual(gh.identify(r, JSON.parse(ghBody)), { eventId: 'd-1', dedupKey: `d-1:${sha256(ghBody)}` });
  t.is(
    code(() =>
      gh.verify(req(ghBody, { 'x-hub-signature-256': ghSig().replace('sha256=', 'sha1=') }), [ghSecret]),
    ),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => gh.verify(req(ghBody, { 'x-hub-signature-256': ghSig(ghBody, 'nope') }), [ghSecret])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => gh.verify(req(ghBody, {}), [ghSecret])),
    'INVALID_SIGNATURE',
  );
});

// ---------------------------------------------------------------- hmac
test('hmac: algorithm, header, encoding, prefix and a signed timestamp are honoured', (t) => {
  const v = createVerifier(
    'hmac',
    { algorithm: 'sha512', header: 'X-Sig', encoding: 'base64', prefix: 'v1=', timestampHeader: 'X-Ts' },
    TOLERANCE,
  );
  const body = '{"event_id":"e-1","event_type":"order.created"}';
  const sign = (ts: number, secret = 'hmac-secret-1') =>
    `v1=${createHmac('sha512', secret).update(`${ts}.${body}`).digest('base64')}`;
  t.notThrows(() =>
    v.verify(req(body, { 'x-sig': sign(SECONDS), 'x-ts': String(SECONDS) }), ['hmac-secret-1']),
  );
  t.is(
    code(() =>
      v.verify(req(body, { 'x-sig': sign(SECONDS), 'x-ts': String(SECONDS + 1) }), ['hmac-secret-1']),
    ),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() =>
      v.verify(req(body, { 'x-sig': sign(SECONDS - 400), 'x-ts': String(SECONDS - 400) }), ['hmac-secret-1']),
    ),
    'TIMESTAMP_OUT_OF_TOLERANCE',
  );
  t.is(
    code(() => v.verify(req(body, { 'x-sig': sign(SECONDS) }), ['hmac-secret-1'])),
    'INVALID_SIGNATURE',
  );
  t.deepEqual(v.identify(req(body, {}), JSON.parse(body)), { eventId: 'e-1', dedupKey: 'e-1' });
});

test('hmac: sha1 hex without prefix, and the dedup rule: header, path, event_id, id, body hash', (t) => {
  const v = createVerifier('hmac', { algorithm: 'sha1' }, TOLERANCE);
  const body = '{"id":42}';
  t.notThrows(() =>
    v.verify(req(body, { 'x-signature': createHmac('sha1', 's3cr3t-value').update(body).digest('hex') }), [
      's3cr3t-value',
    ]),
  );
  t.deepEqual(v.identify(req(body, {}), { id: 42 }), { eventId: '42', dedupKey: '42' });
  const anon = v.identify(req('{"x":1}', {}), { x: 1 });
  t.is(anon.eventId, null);
  t.regex(anon.dedupKey, /^sha256:[0-9a-f]{64}$/);
  const byPath = createVerifier('hmac', { dedupPath: 'data.id' }, TOLERANCE);
  t.is(byPath.identify(req('', {}), { data: { id: 'p-1' }, id: 'ignored' }).dedupKey, 'p-1');
  const byHeader = createVerifier('hmac', { dedupHeader: 'X-Delivery' }, TOLERANCE);
  t.is(byHeader.identify(req('', { 'x-delivery': 'h-1' }), { id: 'ignored' }).dedupKey, `h-1:${sha256('')}`);
});

test('dedup keys: a replayed body under another header id neither passes as its twin nor shadows the real event', (t) => {
  const v = createVerifier('hmac', { dedupHeader: 'X-Delivery' }, TOLERANCE);
  const captured = v.identify(req('{"n":1}', { 'x-delivery': '1001' }), undefined);
  const redelivered = v.identify(req('{"n":1}', { 'x-delivery': '1001' }), undefined);
  const replayedAsNext = v.identify(req('{"n":1}', { 'x-delivery': '1002' }), undefined);
  const realNext = v.identify(req('{"n":2}', { 'x-delivery': '1002' }), undefined);
  t.is(redelivered.dedupKey, captured.dedupKey, 'a true redelivery is a duplicate');
  t.not(replayedAsNext.dedupKey, realNext.dedupKey, 'the replay does not claim the coming event');
  t.is(realNext.eventId, '1002');
  // token and none sign nothing: their header ids stay bare.
  const token = createVerifier('token', { dedupHeader: 'X-Delivery' }, TOLERANCE);
  t.is(token.identify(req('{"n":1}', { 'x-delivery': '1001' }), undefined).dedupKey, '1001');
});

test('dedup keys: ids that differ only past 500 characters or in control characters stay apart', (t) => {
  const v = createVerifier('none', {}, TOLERANCE);
  const long = 'e'.repeat(500);
  const a = v.identify(req('', {}), { id: `${long}a` });
  const b = v.identify(req('', {}), { id: `${long}b` });
  t.not(a.dedupKey, b.dedupKey);
  t.is(a.eventId, long, 'shown cut to 500 characters');
  const c = v.identify(req('', {}), { id: 'x\u0001y' });
  const d = v.identify(req('', {}), { id: 'x\u0002y' });
  t.not(c.dedupKey, d.dedupKey);
  t.is(v.identify(req('', {}), { id: 'evt_1' }).dedupKey, 'evt_1', 'plain ids are their own key');
});

test('hmac: bad options are refused when the source is built, naming the option', (t) => {
  for (const [options, pattern] of [
    [{ algorithm: 'md5' }, /algorithm must be one of sha1, sha256, sha512/],
    [{ encoding: 'hexadecimal' }, /encoding must be one of hex, base64/],
    [{ header: 'bad header' }, /header must be/],
    [{ colour: 'blue' }, /no option "colour"/],
    ['not an object', /must be a JSON object/],
  ] as const) {
    const err = t.throws(() => createVerifier('hmac', options, TOLERANCE), {
      instanceOf: InvalidSourceOptions,
    });
    t.regex(err.message, pattern);
  }
});

test('every other scheme refuses bad options when the source is built, naming the option', (t) => {
  for (const [scheme, options, pattern] of [
    ['google-drive', { channelIds: 'chan-1' }, /channelIds must be a list of channel id strings/],
    ['google-drive', { channelIds: ['chan-1', ''] }, /channelIds must be a list of channel id strings/],
    ['google-drive', { appsScript: { algorithm: 'md5' } }, /algorithm must be one of sha1, sha256, sha512/],
    ['google-drive', { channel: 'x' }, /no option "channel"/],
    ['token', { header: 'bad header' }, /header must be/],
    ['token', { secretHeader: 'x' }, /no option "secretHeader"/],
    ['none', { dedupHeader: 'bad header' }, /dedupHeader must be/],
    ['standard-webhooks', { tolerance: 5 }, /no option "tolerance"/],
    ['github', { header: 'x' }, /no option "header"/],
  ] as const) {
    const err = t.throws(() => createVerifier(scheme, options, TOLERANCE), {
      instanceOf: InvalidSourceOptions,
    });
    t.regex(err.message, pattern, `${scheme} ${JSON.stringify(options)}`);
  }
  t.throws(() => checkStandardWebhooksSecret('not-a-whsec'), { message: /whsec_ followed by base64/ });
  // Keys too short to be secret (the package cannot even load "ab").
  t.throws(() => checkStandardWebhooksSecret('whsec_ab'), { message: /at least 16 bytes/ });
  t.throws(() => checkStandardWebhooksSecret(`whsec_${randomBytes(8).toString('base64')}`), {
    message: /at least 16 bytes/,
  });
  t.notThrows(() => checkStandardWebhooksSecret(swSecret));
  // Unpadded base64 is what some providers issue; the package loads it.
  t.notThrows(() =>
    checkStandardWebhooksSecret(`whsec_${randomBytes(25).toString('base64').replace(/=+$/, '')}`),
  );
});

test('a standard-webhooks secret the package cannot load does not stop the next one from verifying', (t) => {
  const r = req(swBody, swHeaders());
  t.notThrows(() => sw.verify(r, ['whsec_ab', swSecret]));
  t.is(
    code(() => sw.verify(r, ['whsec_ab'])),
    'INVALID_SIGNATURE',
  );
});

test('stripe and standard-webhooks refuse bodies that are not UTF-8, which their libraries would sign as U+FFFD', (t) => {
  // Signed over text holding U+FFFD, then sent with a lone 0xFF in its place:
  // the packages decode both to the same text, so only this check tells them apart.
  const text = '{"id":"evt_fffd","note":"\ufffd"}';
  const sent = Buffer.concat([
    Buffer.from('{"id":"evt_fffd","note":"'),
    Buffer.from([0xff]),
    Buffer.from('"}'),
  ]);
  t.is(
    code(() => stripe.verify(req(sent, { 'stripe-signature': stripeSig(text) }), [stripeSecret])),
    'INVALID_SIGNATURE',
  );
  t.notThrows(() => stripe.verify(req(text, { 'stripe-signature': stripeSig(text) }), [stripeSecret]));
  t.is(
    code(() => sw.verify(req(sent, swHeaders('msg_fffd', NOW, swSecret, text)), [swSecret])),
    'INVALID_SIGNATURE',
  );
  t.notThrows(() => sw.verify(req(text, swHeaders('msg_fffd', NOW, swSecret, text)), [swSecret]));
});

test("a source's own signature headers are never stored, the Apps Script one included", (t) => {
  const drive = createVerifier('google-drive', { appsScript: { header: 'X-Apps-Check' } }, TOLERANCE);
  const hmac = createVerifier('hmac', { header: 'X-Digest', timestampHeader: 'X-Ts' }, TOLERANCE);
  const headers = {
    'x-apps-check': 'abc',
    'x-digest': 'def',
    'x-ts': '123',
    'stripe-signature': 'x',
    'user-agent': 'ua',
  };
  t.deepEqual(JSON.parse(storedHeaders(headers, drive.secretHeaders ?? [])), {
    'x-digest': 'def',
    'x-ts': '123',
    'user-agent': 'ua',
  });
  t.deepEqual(JSON.parse(storedHeaders(headers, hmac.secretHeaders ?? [])), {
    'x-apps-check': 'abc',
    'x-ts': '123',
    'user-agent': 'ua',
  });
  // Nor anything whose name says it holds a credential.
  const credentials = {
    'proxy-authorization': 'Basic x',
    'x-api-key': 'k',
    'api-key': 'k',
    'x-auth-token': 't',
    'x-webhook-secret': 's',
    'x-shopify-hmac-sha256': 'h',
    'x-functions-key': 'k',
    'ocp-apim-subscription-key': 'k',
    'cf-access-jwt-assertion': 'j',
    'x-request-id': 'r-1',
    // Names that only look like it are kept.
    'x-author': 'ada',
    authority: 'example.com',
    'x-keyword': 'kw',
  };
  t.deepEqual(JSON.parse(storedHeaders(credentials, [])), {
    'x-request-id': 'r-1',
    'x-author': 'ada',
    authority: 'example.com',
    'x-keyword': 'kw',
  });
});

// ---------------------------------------------------------------- google drive
test('google-drive: the registered channel token and a known channel verify; sync is not published', (t) => {
  const v = createVerifier('google-drive', { channelIds: ['chan-1'] }, TOLERANCE);
  const headers = {
    'x-goog-channel-id': 'chan-1',
    'x-goog-channel-token': 'drive-token-1',
    'x-goog-resource-state': 'update',
    'x-goog-message-number': '17',
  };
  t.notThrows(() => v.verify(req('', headers), ['drive-token-1']));
  t.deepEqual(v.identify(req('', headers), undefined), { eventId: 'chan-1:17', dedupKey: 'chan-1:17' });
  t.true(v.publishable(req('', headers)));
  t.false(v.publishable(req('', { ...headers, 'x-goog-resource-state': 'sync' })));
  t.is(
    code(() => v.verify(req('', { ...headers, 'x-goog-channel-token': 'wrong' }), ['drive-token-1'])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => v.verify(req('', { ...headers, 'x-goog-channel-id': 'chan-2' }), ['drive-token-1'])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => v.verify(req('', { ...headers, 'x-goog-channel-token': '' }), ['drive-token-1'])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => v.verify(req('{}', {}), ['drive-token-1'])),
    'INVALID_SIGNATURE',
  );
  // The dedup key needs the message number: without it every such push would be one "duplicate".
  const { 'x-goog-message-number': _number, ...unnumbered } = headers;
  for (const numberless of [unnumbered, { ...headers, 'x-goog-message-number': 'seventeen' }]) {
    t.is(
      code(() => v.verify(req('', numberless), ['drive-token-1'])),
      'INVALID_SIGNATURE',
    );
  }
  // A push's body is empty by design; only then is the body left unparsed.
  t.true(v.bodyless?.(req('', headers)));
  t.false(v.bodyless?.(req('{"a":1}', headers)));
  t.false(v.bodyless?.(req('', {})));
});

test('google-drive: signed JSON from Apps Script is accepted when appsScript is configured', (t) => {
  const v = createVerifier('google-drive', { appsScript: { header: 'x-apps-script-signature' } }, TOLERANCE);
  const body = '{"eventType":"sheets.edit","event_id":"as-1"}';
  const sig = createHmac('sha256', 'apps-secret-1').update(body).digest('hex');
  t.notThrows(() => v.verify(req(body, { 'x-apps-script-signature': sig }), ['apps-secret-1']));
  t.is(v.identify(req(body, {}), JSON.parse(body)).dedupKey, 'as-1');
  t.is(
    code(() => v.verify(req(`${body} `, { 'x-apps-script-signature': sig }), ['apps-secret-1'])),
    'INVALID_SIGNATURE',
  );
});

// ---------------------------------------------------------------- token and none
test('token: the shared secret in the configured header, compared in constant time', (t) => {
  const v = createVerifier('token', { header: 'X-Yandex-Token' }, TOLERANCE);
  t.notThrows(() => v.verify(req('{}', { 'x-yandex-token': 'tok-123456' }), ['tok-123456']));
  t.is(
    code(() => v.verify(req('{}', { 'x-yandex-token': 'tok-123457' }), ['tok-123456'])),
    'INVALID_SIGNATURE',
  );
  t.is(
    code(() => v.verify(req('{}', {}), ['tok-123456'])),
    'INVALID_SIGNATURE',
  );
});

test('none: accepts without a check and needs no secret', (t) => {
  const v = createVerifier('none', {}, TOLERANCE);
  t.false(v.needsSecret);
  t.notThrows(() => v.verify(req('anything', {}), []));
});

// ---------------------------------------------------------------- helpers
test('safeEqual compares content of any length; safeIncludes finds a match among several', (t) => {
  t.true(safeEqual('abc', 'abc'));
  t.false(safeEqual('abc', 'abd'));
  t.false(safeEqual('abc', 'abcd'));
  t.false(safeEqual('', 'a'));
  t.true(safeIncludes(['x', 'y', 'z'], 'z'));
  t.false(safeIncludes([], 'z'));
});

test('a rotated-out secret stops verifying when its grace period ends', (t) => {
  const source: WebhookSource = {
    name: 's',
    scheme: 'token',
    options: {},
    secrets: [
      { value: 'old-secret-1', createdAt: '2026-01-01T00:00:00Z', expiresAt: '2026-11-26T12:00:00Z' },
      { value: 'new-secret-1', createdAt: '2026-11-25T12:00:00Z', expiresAt: null },
    ],
    tenantId: null,
    maxRetries: null,
    rateLimitPerMinute: null,
    isActive: true,
    description: null,
  };
  t.deepEqual(activeSecrets(source, new Date('2026-11-26T11:59:59Z')), ['old-secret-1', 'new-secret-1']);
  t.deepEqual(activeSecrets(source, NOW), ['new-secret-1']);
});
