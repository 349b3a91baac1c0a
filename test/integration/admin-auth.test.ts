/**
 * The admin check every admin route shares: Bearer or X-Service-Token, and a
 * clear 401 for missing, empty, wrong, overlong and almost-right tokens.
 */
import test from 'ava';
import Fastify from 'fastify';
import { requireAdmin, tokenMatches } from '../../src/http/plugins/admin-auth.js';
import { registerErrorHandling } from '../../src/http/plugins/errors.js';

const TOKEN = 'admin-token-0123456789abcdef';

function appWithToken(token: string | undefined) {
  const app = Fastify();
  registerErrorHandling(app);
  app.get('/admin', { preHandler: requireAdmin(token) }, async () => ({ ok: true }));
  return app;
}

test('the right token passes as Bearer (any case of the scheme) or X-Service-Token', async (t) => {
  const app = appWithToken(TOKEN);
  t.teardown(() => app.close());
  for (const headers of [
    { authorization: `Bearer ${TOKEN}` },
    { authorization: `bearer ${TOKEN}` },
    { 'x-service-token': TOKEN },
  ]) {
    const res = await app.inject({ url: '/admin', headers });
    t.is(res.statusCode, 200, JSON.stringify(Object.keys(headers)));
  }
});

test('missing, empty, wrong, overlong and last-byte-different tokens get 401 with a hint', async (t) => {
  const app = appWithToken(TOKEN);
  t.teardown(() => app.close());
  const lastByte = `${TOKEN.slice(0, -1)}${TOKEN.endsWith('f') ? 'e' : 'f'}`;
  const cases: Array<Record<string, string>> = [
    {},
    { authorization: '' },
    { authorization: 'Bearer ' },
    { authorization: 'Bearer wrong-token-0123456789' },
    { authorization: `Bearer ${lastByte}` },
    { authorization: `Bearer ${TOKEN}x` },
    { authorization: `Bearer ${TOKEN.repeat(200)}` },
    { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
    { authorization: TOKEN },
    { 'x-service-token': '' },
    { 'x-service-token': lastByte },
  ];
  for (const headers of cases) {
    const res = await app.inject({ url: '/admin', headers });
    t.is(res.statusCode, 401, JSON.stringify(headers).slice(0, 80));
    const body = res.json<{ error: { code: string; message: string } }>();
    t.is(body.error.code, 'UNAUTHORIZED');
    t.regex(body.error.message, /Authorization: Bearer <ADMIN_TOKEN>/);
    t.false(res.body.includes(TOKEN.slice(0, 12)), 'the token is never echoed');
    t.is(res.headers['www-authenticate'], 'Bearer realm="integration-service"');
  }
});

test('with no ADMIN_TOKEN configured, admin routes are open (SPEC.md: "when a token is set")', async (t) => {
  const app = appWithToken(undefined);
  t.teardown(() => app.close());
  t.is((await app.inject({ url: '/admin' })).statusCode, 200);
});

test('tokenMatches compares whole values of any length', (t) => {
  t.true(tokenMatches(TOKEN, TOKEN));
  t.false(tokenMatches(TOKEN, undefined));
  t.false(tokenMatches(TOKEN, ''));
  t.false(tokenMatches(TOKEN, TOKEN.slice(0, -1)));
  t.false(tokenMatches(TOKEN, `${TOKEN}${TOKEN}`));
});
