/** The pure body readers of ingest (domain/webhook-body.ts, domain/exact-json.ts), without a server. */
import test from 'ava';
import { AppError } from '../../src/domain/errors.js';
import { numberTextAt, rewriteJson } from '../../src/domain/exact-json.js';
import {
  jsonObjectOf,
  parseBody,
  publishedPayloadText,
  storedHeaders,
} from '../../src/domain/webhook-body.js';

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

test('parseBody: JSON by label, or unlabelled when it looks like JSON; the text is stored as sent', (t) => {
  const body = Buffer.from('{"id":"e1","n":820982911946154508}');
  const parsed = parseBody(body, 'application/json; charset=utf-8');
  t.deepEqual(parsed.payload, { id: 'e1', n: 820982911946154500 });
  t.is(parsed.payloadJson, body.toString('utf8'));
  t.true(parsed.payloadIsBody);
  t.true(parsed.fromJson);
  t.true(parseBody(Buffer.from('[1]'), null).fromJson);
  t.true(parseBody(Buffer.from('{}'), 'application/cloudevents+json').fromJson);
  // Labelled as something else, a JSON-looking body is not parsed here.
  t.deepEqual(parseBody(body, 'text/plain'), {
    payload: undefined,
    payloadJson: null,
    payloadIsBody: false,
    fromJson: false,
  });
});

test('parseBody: a byte-order mark is skipped; the payload text then is not the body', (t) => {
  const parsed = parseBody(Buffer.concat([BOM, Buffer.from('{"id":"b"}')]), 'application/json');
  t.deepEqual(parsed.payload, { id: 'b' });
  t.is(parsed.payloadJson, '{"id":"b"}');
  t.false(parsed.payloadIsBody, 'the insert must not read the payload from the raw bytes');
  t.true(parseBody(Buffer.concat([BOM, Buffer.from('{"id":"b"}')]), null).fromJson);
});

test('parseBody: malformed or empty JSON is MALFORMED_BODY; a BOM alone is empty', (t) => {
  for (const raw of [Buffer.from('{"id":'), Buffer.alloc(0), BOM]) {
    const err = t.throws(() => parseBody(raw, 'application/json'));
    t.true(err instanceof AppError && err.code === 'MALFORMED_BODY', raw.toString('hex'));
  }
});

test('parseBody: JSON jsonb refuses is rewritten without NULs, numbers exact; too deep to rewrite is raw only', (t) => {
  const parsed = parseBody(Buffer.from('{"a":"x\\u0000y","n":123456789012345678901}'), 'application/json');
  t.is(parsed.payloadJson, '{"a":"xy","n":123456789012345678901}');
  t.false(parsed.payloadIsBody);
  const deep = `${'['.repeat(20_000)}"\\u0000"${']'.repeat(20_000)}`;
  t.is(parseBody(Buffer.from(deep), 'application/json').payloadJson, null);
});

test('parseBody: a form becomes an object of its fields; other bodies are raw bytes only', (t) => {
  const form = parseBody(Buffer.from('id=7&state=open'), 'application/x-www-form-urlencoded');
  t.deepEqual(form.payload, { id: '7', state: 'open' });
  t.is(form.payloadJson, '{"id":"7","state":"open"}');
  t.false(form.fromJson);
  t.is(parseBody(Buffer.from([0xff, 0x00]), 'application/octet-stream').payloadJson, null);
});

test('jsonObjectOf: a JSON object whatever its label, after whitespace or a BOM; nothing else', (t) => {
  t.deepEqual(jsonObjectOf(Buffer.from(' \n{"id":1}')), { id: 1 });
  t.deepEqual(jsonObjectOf(Buffer.concat([BOM, Buffer.from('{"id":2}')])), { id: 2 });
  t.is(jsonObjectOf(Buffer.from('[{"id":1}]')), undefined);
  t.is(jsonObjectOf(Buffer.from('{"id":')), undefined);
  t.is(jsonObjectOf(Buffer.from('id=1')), undefined);
});

test('storedHeaders: credential names are dropped, with the source’s own; arrays are joined', (t) => {
  const kept = JSON.parse(
    storedHeaders(
      {
        authorization: 'Bearer x',
        'x-authentication': 'a',
        'x-pwd': 'p',
        'x-custom-sig-header': 's',
        'x-forwarded-for': ['1.1.1.1', '2.2.2.2'],
        'x-author': 'ada',
        'x-missing': undefined,
      },
      ['x-custom-sig-header'],
    ),
  ) as Record<string, string>;
  t.deepEqual(kept, { 'x-forwarded-for': '1.1.1.1, 2.2.2.2', 'x-author': 'ada' });
});

test('numberTextAt and rewriteJson keep numbers as sent; not a number or not JSON is undefined', (t) => {
  t.is(numberTextAt('{"a":{"b":1.50}}', ['a', 'b']), '1.50');
  t.is(numberTextAt('\ufeff{"id":18446744073709551617}', ['id']), '18446744073709551617');
  t.is(numberTextAt('{"id":"x"}', ['id']), undefined);
  t.is(numberTextAt('{"id":', ['id']), undefined);
  // Repeated keys: lossless-json refuses them, so the caller falls back to the body hash.
  t.is(numberTextAt('{"id":1,"id":2}', ['id']), undefined);
  t.is(rewriteJson('{"n":9007199254740993, "s":"x"}'), '{"n":9007199254740993,"s":"x"}');
  t.is(rewriteJson('{"n":1}', undefined, 2), '{\n  "n": 1\n}');
});

test('publishedPayloadText gives what parseBody gave at ingest, for every kind of stored payload', (t) => {
  const cases: Array<[Buffer, string | null]> = [
    [Buffer.from('{"id":"e1", "n": 820982911946154508}'), 'application/json'],
    [Buffer.from('  [1, 2]\n'), null],
    [Buffer.concat([BOM, Buffer.from('{"id":"b"}')]), 'application/json; charset=utf-8'],
    [Buffer.from('{"a":"x\\u0000y","n":1e400}'), 'application/cloudevents+json'],
    [Buffer.from('id=7&state=open'), 'application/x-www-form-urlencoded'],
  ];
  for (const [raw, type] of cases) {
    t.is(publishedPayloadText(raw, type), parseBody(raw, type).payloadJson, raw.toString('utf8'));
  }
});
