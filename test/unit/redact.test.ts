/**
 * redactSecrets: every credential a URL (or the text around one) can carry is
 * masked, the rest of the text is left as written, and a JSON log line stays
 * valid JSON with the same structure.
 */
import { PassThrough } from 'node:stream';
import test from 'ava';
import { createLogger } from '../../src/lib/logger.js';
import { isSecretName, redactDeep, redactSecrets, redactUrl } from '../../src/lib/redact.js';

const S = 'Xs3cr3tX';

test('URL userinfo: the password goes, the user stays; an http(s) user alone is a token', (t) => {
  t.is(redactSecrets(`postgres://app:${S}@db:5432/app`), 'postgres://app:***@db:5432/app');
  t.is(redactSecrets(`redis://:${S}@127.0.0.1:1/0`), 'redis://:***@127.0.0.1:1/0');
  t.is(redactSecrets(`rediss://default:${S}@h:6380`), 'rediss://default:***@h:6380');
  t.is(redactSecrets('postgres://app@db/app'), 'postgres://app@db/app');
  t.is(redactSecrets(`https://${S}@github.com/o/r.git`), 'https://***@github.com/o/r.git');
  // A password holding @, / or # as typed (drivers fail on these, and print them).
  t.is(redactSecrets(`postgres://u:p@ss${S}@db/app`), 'postgres://u:***@db/app');
  t.is(redactSecrets(`postgres://u:a/b${S}@db/app`), 'postgres://u:***@db/app');
  // host:port/path with an @ later is not userinfo.
  t.is(redactSecrets('https://h:8080/users/a@b.example'), 'https://h:8080/users/a@b.example');
});

test('URL query and fragment: every parameter named like a credential, whatever the scheme', (t) => {
  t.is(redactSecrets(`redis://h:6399/0?password=${S}`), 'redis://h:6399/0?password=***');
  t.is(
    redactSecrets(`postgres://u@h/db?sslmode=require&password=${S}&application_name=x`),
    'postgres://u@h/db?sslmode=require&password=***&application_name=x',
  );
  for (const name of [
    'password',
    'pass',
    'pwd',
    'passwd',
    'sslpassword',
    'sslkey',
    'token',
    'access_token',
    'refresh_token',
    'key',
    'apikey',
    'api_key',
    'api-key',
    'secret',
    'client_secret',
    'auth',
    'sig',
    'signature',
    'X-Amz-Signature',
    'X-Amz-Security-Token',
    'X-Goog-Credential',
    'PASSWORD',
    'pass%77ord',
  ]) {
    const out = redactSecrets(`https://api.example.com/v1/x?a=1&${name}=${S}&b=2#c`);
    t.false(out.includes(S), name);
    t.is(out, `https://api.example.com/v1/x?a=1&${name}=***&b=2#c`, name);
  }
  // Map providers: Google's key=, Yandex's apikey=.
  t.is(
    redactSecrets(`https://maps.googleapis.com/maps/api/geocode/json?address=Moscow&key=AIza${S}`),
    'https://maps.googleapis.com/maps/api/geocode/json?address=Moscow&key=***',
  );
  t.is(
    redactSecrets(`https://geocode-maps.yandex.ru/1.x/?apikey=${S}&geocode=Moscow&format=json`),
    'https://geocode-maps.yandex.ru/1.x/?apikey=***&geocode=Moscow&format=json',
  );
  t.is(
    redactSecrets(`https://app.example/cb#access_token=${S}&token_type=bearer`),
    'https://app.example/cb#access_token=***&token_type=bearer',
  );
  t.is(redactSecrets('https://h/x?page=2&sort=asc'), 'https://h/x?page=2&sort=asc');
});

test('URLs inside free text, with the punctuation around them kept', (t) => {
  t.is(
    redactSecrets(`cannot connect to Redis at redis://:${S}@h:6399/0?password=${S}: connect ECONNREFUSED`),
    'cannot connect to Redis at redis://:***@h:6399/0?password=***: connect ECONNREFUSED',
  );
  t.is(redactSecrets(`(see https://u:${S}@h/x?token=${S}).`), '(see https://u:***@h/x?token=***).');
  t.is(
    redactSecrets(`two: redis://a:${S}@h1 and postgres://b:${S}@h2/db`),
    'two: redis://a:***@h1 and postgres://b:***@h2/db',
  );
});

test('credentials outside URLs: name=value, JSON, util.inspect, Bearer, JWT, PEM, known key shapes', (t) => {
  t.is(redactSecrets(`host=h password=${S} dbname=x`), 'host=h password=*** dbname=x');
  t.is(redactSecrets(`host=h password='${S} two' dbname=x`), "host=h password='***' dbname=x");
  t.is(redactSecrets(`?password=${S}&db=2`), '?password=***&db=2');
  t.is(redactSecrets(`{"user":"u","password":"${S}"}`), '{"user":"u","password":"***"}');
  t.is(redactSecrets(`{ user: 'u', password: '${S}' }`), "{ user: 'u', password: '***' }");
  t.is(redactSecrets(`Authorization: Bearer abc.${S}`), 'Authorization: Bearer ***');
  t.is(redactSecrets('a Bearer token is required'), 'a Bearer token is required');
  t.is(redactSecrets('Basic authentication failed'), 'Basic authentication failed');
  t.is(redactSecrets('got eyJhbGciOi.eyJzdWIiOi.c2lnbmF0dXJl back'), 'got *** back');
  t.is(redactSecrets(`token ya29.${S} expired`), 'token *** expired');
  t.is(redactSecrets(`secret whsec_${S}abc`), 'secret whsec_***');
  t.is(
    redactSecrets(`key -----BEGIN PRIVATE KEY-----\nMIIE${S}\n-----END PRIVATE KEY----- end`),
    'key *** end',
  );
});

test('ordinary text is left exactly as written', (t) => {
  for (const text of [
    'connect ECONNREFUSED 127.0.0.1:6399',
    'password authentication failed for user "app"',
    'duplicate key value violates unique constraint "webhook_events_source_dedup_key"',
    'Key (source, dedup_key)=(s, k) already exists.',
    'listening on integration.webhook.* at redis://127.0.0.1:6379/0; Ctrl-C to stop',
    'no REDIS_URL is set',
    'signal=SIGTERM',
    '--since "2026-02-30" is not a date',
    'invalid options for token: token has no option "prefix"',
    'secret: must be 8-512 characters',
  ])
    t.is(redactSecrets(text), text);
});

test('secret names: what ends like a credential, not what merely contains one', (t) => {
  for (const name of ['password', 'sslpassword', 'apikey', 'x-api-key', 'access_token', 'auth', 'sig', 'pw'])
    t.true(isSecretName(name), name);
  for (const name of ['user', 'host', 'db', 'signal', 'tokens', 'keyspace', 'passage', 'sslmode', 'author'])
    t.false(isSecretName(name), name);
});

test('a JSON document stays valid JSON with the same keys, whatever sits in its strings', (t) => {
  const tricky = {
    a: `password=`,
    b: `"password":"${S}"`,
    c: `x 'token': `,
    d: `y password="`,
    e: `redis://h/0?password=${S}\\`,
    f: `-----BEGIN RSA PRIVATE KEY-----\n${S}`,
    g: `{"api_key":"${S}","n":1}`,
    h: `password=\\"${S}\\" and key='${S}'`,
    nested: { deeper: { password: S, url: `postgres://u:${S}@h/db?sslpassword=${S}` } },
    list: [`token=${S}`, `Bearer ${S}.z`],
  };
  const line = JSON.stringify(tricky);
  const out = redactSecrets(line);
  const parsed = JSON.parse(out) as Record<string, unknown>;
  t.deepEqual(Object.keys(parsed), Object.keys(tricky));
  t.false(out.includes(S), out);
  t.is(parsed.a, 'password=');
});

test('redactUrl masks a connection string; text that is not a URL is all ***', (t) => {
  t.is(redactUrl(`postgres://u@h/db?password=${S}`), 'postgres://u@h/db?password=***');
  t.is(redactUrl('not a url'), '***');
});

test('redactDeep masks strings at any depth and fields named like a secret', (t) => {
  t.deepEqual(redactDeep({ a: [{ error: `at redis://:${S}@h` }], token: S, n: 1 }), {
    a: [{ error: 'at redis://:***@h' }],
    token: '***',
    n: 1,
  });
});

test('every log line goes through redactSecrets: message, fields at any depth, errors', (t) => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c: Buffer) => (text += c.toString('utf8')));
  const log = createLogger('info', stream);
  const url = `redis://h:6399/0?password=${S}`;
  log.warn({ redis: url, nested: { deeper: { dsn: `postgres://u:${S}@h/db` } } }, `failing at ${url}`);
  log.error({ err: new Error(`cannot connect to ${url}`) }, 'boom');
  log.error(new Error(`{"password":"${S}"}`));
  log.child({ target: url }).info('child');
  const lines = text.trim().split('\n');
  t.is(lines.length, 4);
  for (const line of lines) {
    t.notThrows(() => void JSON.parse(line), line);
    t.false(line.includes(S), line);
  }
  t.regex(lines[0] ?? '', /redis:\/\/h:6399\/0\?password=\*\*\*/);
});

test('what audit rows took before still goes: labelled credentials, tokens in any form', (t) => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
  const text = [
    'Authorization: Bearer ya29.a0AfH6SMBxyz',
    `token ${jwt}`,
    'url?access_token=abc123&x=1',
    '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEv\\n-----END PRIVATE KEY-----"}',
    'client_secret=s3cr3t password: hunter2 api_key: k3y',
  ].join(' | ');
  const clean = redactSecrets(text);
  for (const secret of ['ya29.a0AfH6SMBxyz', jwt, 'abc123', 'MIIEv', 's3cr3t', 'hunter2', 'k3y'])
    t.false(clean.includes(secret), secret);
  t.regex(clean, /access_token=\*\*\*/);
  t.regex(clean, /password: \*\*\*/);
});

test('long inputs take linear time (a log line with a big payload stays cheap)', (t) => {
  for (const text of [
    `${'a+'.repeat(50_000)} https://h/?key=${S}`,
    `${'a.'.repeat(50_000)}://x`,
    `password=${'x.'.repeat(50_000)}`,
    `"${'k'.repeat(100_000)}"`,
    `${'Bearer '.repeat(10_000)}`,
    `https://${':'.repeat(100_000)}@h`,
    `password=${'.'.repeat(100_000)}a`,
    `password: '${"password: '".repeat(10_000)}`,
  ]) {
    const started = performance.now();
    redactSecrets(text);
    t.true(performance.now() - started < 500, `${text.slice(0, 20)}...`);
  }
});
