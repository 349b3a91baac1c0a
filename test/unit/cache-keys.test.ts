import test from 'ava';
import { escapeGlob, GLOBAL_TENANT, KeySpace, resolveTenant } from '../../src/cache/keys.js';
import { globMatcher } from '../../src/lib/glob.js';
import { AppError } from '../../src/domain/errors.js';

const keys = new KeySpace();

test('entry keys keep the old service shape integration:{namespace}:{tenant_id}:{key}', (t) => {
  t.is(
    keys.entry('google_sheets', 'uk_company_1', 'abc:Sheet1!A1'),
    'integration:google_sheets:uk_company_1:abc:Sheet1!A1',
  );
  t.is(keys.entry('geocoding', undefined, 'k'), `integration:geocoding:${GLOBAL_TENANT}:k`);
  t.is(new KeySpace('staging:integration').entry('ns', 't', 'k'), 'staging:integration:ns:t:k');
});

test('tenant ids: glob characters, ":", blanks and leading "_" are refused; the global tenant is accepted', (t) => {
  for (const bad of [
    '*',
    'a*',
    'a?',
    'a[b]',
    'a]',
    'a:b',
    '',
    ' ',
    'a b',
    '_x',
    'a\\b',
    'x'.repeat(129),
    'тенант',
  ]) {
    const err = t.throws(() => resolveTenant(bad), { instanceOf: AppError });
    t.is(err?.code, 'INVALID_TENANT', JSON.stringify(bad));
  }
  t.is(resolveTenant('uk_company_1'), 'uk_company_1');
  t.is(resolveTenant('3f2c9a1e-0d4b-4f5e-9a8b-1c2d3e4f5a6b'), '3f2c9a1e-0d4b-4f5e-9a8b-1c2d3e4f5a6b');
  t.is(resolveTenant(GLOBAL_TENANT), GLOBAL_TENANT);
  t.is(resolveTenant(undefined), GLOBAL_TENANT);
});

test('the refusal names the offending character', (t) => {
  t.throws(() => keys.pattern('ns', 'a[1', '*'), { message: /tenant "a\[1" contains "\["/ });
  t.throws(() => keys.pattern('n?', 't', '*'), { message: /namespace "n\?" contains "\?"/ });
});

test('reserved namespaces (_stats, _fence, _ratelimit) cannot be named by callers', (t) => {
  for (const ns of ['_stats', '_fence', '_ratelimit_outbound']) {
    t.throws(() => keys.pattern(ns, 't', '*'), { instanceOf: AppError });
  }
});

test('a key pattern cannot reach outside its namespace and tenant', (t) => {
  const hostile = ['*', '*:*', '../*', '\\', '[', '*]', '**'];
  const victims = [
    'integration:google_sheets:other:abc',
    'integration:other_ns:t1:abc',
    'integration:_stats:t1:counters',
    'integration:_fence:t1:google_sheets:abc',
  ];
  for (const p of hostile) {
    const matches = globMatcher(keys.pattern('google_sheets', 't1', p));
    for (const victim of victims) t.false(matches(victim), `${p} must not match ${victim}`);
  }
  t.true(globMatcher(keys.pattern('google_sheets', 't1', '*'))('integration:google_sheets:t1:any:thing'));
});

test('escapeGlob makes any literal match only itself', (t) => {
  const literal = "a*b?c[d]e\\f 'Sheet 1'!A1";
  const matches = globMatcher(escapeGlob(literal));
  t.true(matches(literal));
  t.false(matches('aXb?c[d]e\\f'));
});

test('a key root with glob characters is refused', (t) => {
  t.throws(() => new KeySpace('integ*'), { message: /must be 1-64 of/ });
  t.throws(() => new KeySpace(''), { message: /must be 1-64 of/ });
});

test('stats keys round-trip to their tenant and ignore foreign keys', (t) => {
  t.is(keys.tenantOfStats(keys.stats('uk_company_1')), 'uk_company_1');
  t.is(keys.tenantOfStats('integration:_stats:a:b:counters'), undefined);
  t.is(keys.tenantOfStats('other:_stats:t:counters'), undefined);
});
