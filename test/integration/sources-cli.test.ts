import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from '../../src/store/embedded.js';
import { integctl } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/db.js';
import { testRuntime, type TestRuntime } from '../helpers/runtime.js';

let db: TestDatabase;
let env: NodeJS.ProcessEnv;
test.before(async () => {
  db = await createTestDatabase();
  env = { DATABASE_URL: db.url };
});
test.after.always(() => db?.drop());

test('sources add generates a secret shown once; list and show never print it', async (t) => {
  const add = await integctl(
    [
      'sources',
      'add',
      'acme',
      '--scheme',
      'hmac',
      '--prefix',
      'sha256=',
      '--header',
      'X-Acme-Signature',
      '--tenant',
      't1',
    ],
    env,
  );
  t.is(add.code, 0, add.stderr);
  const secret = /^secret: (\S+)$/m.exec(add.stdout)?.[1] ?? '';
  t.regex(secret, /^[0-9a-f]{64}$/);
  const list = await integctl(['sources', 'list'], env);
  t.is(list.code, 0);
  t.regex(list.stdout, /acme\s+│ hmac/);
  const show = await integctl(['sources', 'show', 'acme', '--json'], env);
  const shown = JSON.parse(show.stdout) as {
    options: Record<string, string>;
    active_secrets: number;
    tenant_id: string;
  };
  t.deepEqual(shown.options, { prefix: 'sha256=', header: 'X-Acme-Signature' });
  t.is(shown.active_secrets, 1);
  t.is(shown.tenant_id, 't1');
  for (const out of [list.stdout, show.stdout, list.stderr, show.stderr]) t.false(out.includes(secret));
});

test('bad source definitions are usage errors (exit 2) with the reason', async (t) => {
  const algorithm = await integctl(['sources', 'add', 'bad1', '--scheme', 'hmac', '--algorithm', 'md5'], env);
  t.is(algorithm.code, 2);
  t.regex(
    algorithm.stderr,
    /'--algorithm <alg>' argument 'md5' is invalid\. Allowed choices are sha1, sha256, sha512/,
  );
  const name = await integctl(['sources', 'add', '../etc', '--scheme', 'none'], env);
  t.is(name.code, 2);
  t.regex(name.stderr, /source name "..\/etc" is not allowed/);
  const scheme = await integctl(['sources', 'add', 'bad2', '--scheme', 'rot13'], env);
  t.is(scheme.code, 2);
  t.regex(scheme.stderr, /Allowed choices are stripe, standard-webhooks/);
  const stripe = await integctl(
    ['sources', 'add', 'bad3', '--scheme', 'stripe', '--secret', 'not-a-whsec'],
    env,
  );
  t.is(stripe.code, 2);
  t.regex(stripe.stderr, /stripe secrets start with whsec_/);
  const tenant = await integctl(['sources', 'add', 'bad4', '--scheme', 'none', '--tenant', 'a:b*'], env);
  t.is(tenant.code, 2);
  t.regex(tenant.stderr, /tenant "a:b\*": use 1-128 of A-Z a-z 0-9/);
  const options = await integctl(['sources', 'add', 'bad5', '--scheme', 'token', '--prefix', 'x'], env);
  t.is(options.code, 2);
  t.regex(options.stderr, /invalid options for token: token has no option "prefix"/);
  const dup = await integctl(['sources', 'add', 'twice', '--scheme', 'none'], env);
  t.is(dup.code, 0);
  const again = await integctl(['sources', 'add', 'twice', '--scheme', 'none'], env);
  t.is(again.code, 1);
  t.regex(again.stderr, /exists/);
  const list = JSON.parse((await integctl(['sources', 'list', '--json'], env)).stdout) as Array<{
    name: string;
  }>;
  t.false(
    list.some((s) => s.name.startsWith('bad')),
    'none of the bad ones was stored',
  );
});

test('bad source values are usage errors found before any connection (exit 2 with the database down)', async (t) => {
  const down = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/x' };
  for (const args of [
    ['sources', 'add', 'a b', '--scheme', 'none'],
    ['sources', 'add', 'Upper', '--scheme', 'none'],
    ['sources', 'add', 'ok', '--scheme', 'hmac', '--algorithm', 'md5'],
    ['sources', 'add', 'ok', '--scheme', 'hmac', '--encoding', 'base32'],
    ['sources', 'add', 'ok', '--scheme', 'none', '--tenant', 'a*'],
    ['sources', 'add', 'ok', '--scheme', 'hmac', '--header', 'bad header'],
    ['sources', 'add', 'ok', '--scheme', 'hmac', '--options', '{"algorithm":"md5"}'],
    ['sources', 'add', 'ok', '--scheme', 'none', '--max-retries', '99999999999'],
    ['sources', 'add', 'ok', '--scheme', 'none', '--rate-limit-per-minute', '0'],
    ['sources', 'add', 'ok', '--scheme', 'token', '--secret', 'short'],
    ['sources', 'add', 'ok', '--scheme', 'token', '--secret', 'long-enough', '--secret-stdin'],
    ['sources', 'update', 'ok', '--tenant', 'a*'],
    ['sources', 'update', 'ok', '--algorithm', 'md5'],
    ['sources', 'update', 'ok', '--options', '[1]'],
    ['sources', 'update', 'ok', '--max-retries', '-1'],
    ['sources', 'update', 'a b', '--disable'],
    ['sources', 'rotate-secret', 'ok', '--grace', '999999999w'],
    ['sources', 'rotate-secret', 'ok', '--secret', 'has a space'],
    ['webhooks', 'send', 'ok', '--tenant', 'a*'],
    ['webhooks', 'send', 'ok', '--url', 'ftp://127.0.0.1'],
  ]) {
    const r = await integctl(args, down);
    t.is(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    t.notRegex(r.stderr, /cannot connect to Postgres/, args.join(' '));
  }
});

test('update and rotate-secret check what they set against the source scheme: exit 2', async (t) => {
  await integctl(['sources', 'add', 'tok2', '--scheme', 'token', '--secret', 'first-secret-123'], env);
  const prefix = await integctl(['sources', 'update', 'tok2', '--prefix', 'sha256='], env);
  t.is(prefix.code, 2);
  t.regex(prefix.stderr, /invalid options for token: token has no option "prefix"/);
  await integctl(['sources', 'add', 'stripe2', '--scheme', 'stripe'], env);
  const weak = await integctl(['sources', 'rotate-secret', 'stripe2', '--secret', 'not-a-whsec'], env);
  t.is(weak.code, 2);
  t.regex(weak.stderr, /stripe secrets start with whsec_/);
  const missing = await integctl(['sources', 'update', 'nosuch', '--prefix', 'x'], env);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no source named "nosuch"/);
});

test('rotate-secret prints the new secret once and keeps the old one for the grace period', async (t) => {
  await integctl(['sources', 'add', 'rot', '--scheme', 'token', '--secret', 'first-secret-123'], env);
  const r = await integctl(['sources', 'rotate-secret', 'rot', '--grace', '2h', '--json'], env);
  t.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { secret: string; old_secrets_valid_until: string };
  t.regex(out.secret, /^[0-9a-f]{64}$/);
  const graceMs = Date.parse(out.old_secrets_valid_until) - Date.now();
  t.true(graceMs > 7_000_000 && graceMs <= 7_200_000);
  const show = JSON.parse((await integctl(['sources', 'show', 'rot', '--json'], env)).stdout) as {
    active_secrets: number;
  };
  t.is(show.active_secrets, 2);
  const bad = await integctl(['sources', 'rotate-secret', 'rot', '--grace', 'forever'], env);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /is not a duration like 30s, 15m, 1h, 30d or 2w/);
});

test('remove asks for confirmation: refused without a terminal, --dry-run changes nothing, --yes removes', async (t) => {
  await integctl(['sources', 'add', 'gone', '--scheme', 'none'], env);
  const refused = await integctl(['sources', 'remove', 'gone'], env);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /Refusing without --yes/);
  const dry = await integctl(['sources', 'remove', 'gone', '--dry-run'], env);
  t.is(dry.code, 0);
  t.regex(dry.stdout, /would remove source gone/);
  t.is((await integctl(['sources', 'show', 'gone'], env)).code, 0);
  const yes = await integctl(['sources', 'remove', 'gone', '--yes'], env);
  t.is(yes.code, 0);
  const after = await integctl(['sources', 'show', 'gone'], env);
  t.is(after.code, 1);
  t.regex(after.stderr, /no source named "gone"/);
});

test('sources add --secret-stdin stores what standard input holds, trimmed, and never prints it', async (t) => {
  const piped = 'piped-secret-0123456789';
  const add = await integctl(['sources', 'add', 'piped', '--scheme', 'token', '--secret-stdin'], env, {
    stdin: `  ${piped}\n`,
  });
  t.is(add.code, 0, add.stderr);
  t.false(add.stdout.includes(piped));
  t.notRegex(add.stdout, /^secret:/m);
  const stored = await db.pool.query<{ value: string }>(
    "SELECT secrets->0->>'value' AS value FROM webhook_configs WHERE name = 'piped'",
  );
  t.is(stored.rows[0]?.value, piped);

  const empty = await integctl(['sources', 'add', 'unpiped', '--scheme', 'token', '--secret-stdin'], env, {
    stdin: ' \n',
  });
  t.is(empty.code, 2);
  t.regex(empty.stderr, /--secret-stdin read an empty secret/);
  const weak = await integctl(['sources', 'add', 'unpiped', '--scheme', 'token', '--secret-stdin'], env, {
    stdin: 'short',
  });
  t.is(weak.code, 2);
  t.regex(weak.stderr, /a secret must be 8-512 characters/);
  t.is((await integctl(['sources', 'show', 'unpiped'], env)).code, 1);
});

test('update changes options and can disable a source', async (t) => {
  await integctl(['sources', 'add', 'upd', '--scheme', 'hmac'], env);
  const r = await integctl(
    ['sources', 'update', 'upd', '--algorithm', 'sha512', '--max-retries', '7', '--disable', '--json'],
    env,
  );
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { options: { algorithm: 'sha512' }, max_retries: 7, is_active: false });
  const bad = await integctl(['sources', 'update', 'upd', '--max-retries', '-1'], env);
  t.is(bad.code, 2);
});

test('a source saved under older rules (weak secret, odd tenant) can still be updated and disabled', async (t) => {
  await db.pool.query(
    `INSERT INTO webhook_configs (name, scheme, tenant_id, secrets)
     VALUES ('legacy', 'stripe', 'acme corp',
             jsonb_build_array(jsonb_build_object('value', 'whsec_abcdefgh12', 'createdAt', now(), 'expiresAt', null)))`,
  );
  const disabled = await integctl(['sources', 'update', 'legacy', '--disable', '--json'], env);
  t.is(disabled.code, 0, disabled.stderr);
  t.like(JSON.parse(disabled.stdout), { is_active: false });
  // What the update sets is checked: a new tenant must follow the rule.
  const tenant = await integctl(['sources', 'update', 'legacy', '--tenant', 'still odd'], env);
  t.is(tenant.code, 2);
  t.regex(tenant.stderr, /tenant "still odd": use 1-128 of A-Z a-z 0-9/);
  t.is((await integctl(['sources', 'update', 'legacy', '--tenant', 'acme_corp'], env)).code, 0);
});

test('webhooks send signs a sample as the provider would and the daemon accepts it', async (t) => {
  const rt: TestRuntime = await testRuntime({}, db);
  t.teardown(() => rt.close());
  const address = await rt.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  for (const [name, scheme, extra] of [
    ['stripe', 'stripe', []],
    ['sw', 'standard-webhooks', []],
    ['gh', 'github', []],
    ['hm', 'hmac', ['--timestamp-header', 'x-ts', '--algorithm', 'sha1', '--encoding', 'base64']],
    ['google_sheets', 'google-drive', ['--channel-id', 'chan-1']],
    ['tok', 'token', []],
  ] as const) {
    const add = await integctl(['sources', 'add', name, '--scheme', scheme, ...extra], env);
    t.is(add.code, 0, add.stderr);
    const sent = await integctl(['webhooks', 'send', name, '--url', address, '--json'], env);
    t.is(sent.code, 0, `${scheme}: ${sent.stdout} ${sent.stderr}`);
    t.is((JSON.parse(sent.stdout) as { status: number }).status, 202, scheme);
  }
  const typed = await integctl(
    ['webhooks', 'send', 'stripe', '--url', address, '--event', 'charge.refunded'],
    env,
  );
  t.regex(typed.stdout, /-> 202/);
  const stored = await db.pool.query<{ event_type: string }>(
    "SELECT event_type FROM webhook_events WHERE source = 'stripe' ORDER BY received_at",
  );
  t.deepEqual(
    stored.rows.map((r) => r.event_type),
    ['payment_intent.succeeded', 'charge.refunded'],
  );
});

test('webhooks send --payload FILE sends those bytes, signed; a Stripe payload must be UTF-8', async (t) => {
  const rt: TestRuntime = await testRuntime({}, db);
  t.teardown(() => rt.close());
  const address = await rt.runtime.app.listen({ port: 0, host: '127.0.0.1' });
  const dir = mkdtempSync(path.join(tmpdir(), 'integctl-payload-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'event.json');
  const bytes = Buffer.from(JSON.stringify({ id: 'evt_from_file_1', type: 'invoice.paid', note: 'café ✓' }));
  writeFileSync(file, bytes);
  t.is((await integctl(['sources', 'add', 'filed', '--scheme', 'stripe'], env)).code, 0);
  const sent = await integctl(
    ['webhooks', 'send', 'filed', '--url', address, '--payload', file, '--json'],
    env,
  );
  t.is(sent.code, 0, sent.stderr);
  t.is((JSON.parse(sent.stdout) as { status: number }).status, 202);
  const stored = await db.pool.query<{ raw_body: Buffer; event_type: string }>(
    "SELECT raw_body, event_type FROM webhook_events WHERE source = 'filed'",
  );
  t.true(stored.rows[0]?.raw_body.equals(bytes));
  t.is(stored.rows[0]?.event_type, 'invoice.paid');
  const latin1 = path.join(dir, 'latin1.json');
  writeFileSync(latin1, Buffer.from('{"id":"evt_2","note":"caf\xe9"}', 'latin1'));
  const refused = await integctl(['webhooks', 'send', 'filed', '--url', address, '--payload', latin1], env);
  t.is(refused.code, 2);
  t.regex(refused.stderr, /stripe events are UTF-8 text; this file is not UTF-8/);
});

test('webhooks send to a URL where nothing listens is a clear failure', async (t) => {
  await integctl(['sources', 'add', 'nolisten', '--scheme', 'none'], env);
  const port = await freePort();
  const r = await integctl(['webhooks', 'send', 'nolisten', '--url', `http://127.0.0.1:${port}`], env);
  t.is(r.code, 1);
  t.true(r.stderr.includes(`cannot reach the daemon at http://127.0.0.1:${port} (ECONNREFUSED)`), r.stderr);
  const unknown = await integctl(['webhooks', 'send', 'missing-source', '--url', 'http://127.0.0.1:1'], env);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /no source named "missing-source"/);
});
