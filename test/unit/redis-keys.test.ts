import test from 'ava';
import { AppError } from '../../src/domain/errors.js';
import { globMatcher } from '../../src/lib/glob.js';
import {
  escapeGlob,
  EVENTS_STREAM,
  eventsStreamKey,
  GLOBAL_TENANT,
  KeySpace,
  publishMarkerKey,
  resolveTenant,
  SHEETS_NAMESPACE,
  sheetsReadKey,
} from '../../src/redis/keys.js';

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

test('fences, counters and rate-limit keys live in reserved namespaces under the root', (t) => {
  const staging = new KeySpace('staging:integration');
  t.is(
    staging.fence('google_sheets', 'uk_company_1', 'abc'),
    'staging:integration:_fence:uk_company_1:google_sheets:abc',
  );
  t.is(staging.stats('uk_company_1'), 'staging:integration:_stats:uk_company_1:counters');
  t.true(globMatcher(staging.statsPattern())(staging.stats('t1')));
  t.false(globMatcher(staging.statsPattern())(keys.stats('t1')));
  // rate-limiter-flexible joins its prefix and key with ':'.
  t.is(
    `${staging.rateLimitPrefix('outbound')}:${staging.rateLimitKey('t1', 'google_sheets', 'minute')}`,
    'staging:integration:_ratelimit_outbound:t1:google_sheets:minute',
  );
  t.is(keys.rateLimitPrefix('ingest'), 'integration:_ratelimit_ingest');
});

test('a cached Sheets read: {spreadsheet_id}:{value_render_option}:{range} in google_sheets', (t) => {
  const key = sheetsReadKey('abc', 'FORMATTED_VALUE', "'Sheet 1'!A1:B2");
  t.is(key, "abc:FORMATTED_VALUE:'Sheet 1'!A1:B2");
  t.is(
    keys.entry(SHEETS_NAMESPACE, 'uk_company_1', key),
    "integration:google_sheets:uk_company_1:abc:FORMATTED_VALUE:'Sheet 1'!A1:B2",
  );
  // The spreadsheet is the key's first part, so a pattern over it reaches its reads only.
  const ofSheet = globMatcher(keys.pattern(SHEETS_NAMESPACE, 'uk_company_1', `${escapeGlob('abc')}:*`));
  t.true(ofSheet(keys.entry(SHEETS_NAMESPACE, 'uk_company_1', key)));
  t.false(ofSheet(keys.entry(SHEETS_NAMESPACE, 'uk_company_1', sheetsReadKey('abcd', 'FORMULA', 'A1'))));
});

/** What Redis Cluster hashes: the first non-empty {…} of a key, else the whole key. */
function hashedPart(key: string): string {
  const open = key.indexOf('{');
  const close = open < 0 ? -1 : key.indexOf('}', open + 1);
  return close > open + 1 ? key.slice(open + 1, close) : key;
}

test('the event stream keeps the old name; a prefix is for tests sharing one Redis', (t) => {
  t.is(EVENTS_STREAM, 'integration:events');
  t.is(eventsStreamKey(), 'integration:events');
  t.is(eventsStreamKey('test-1a2b:'), 'test-1a2b:integration:events');
});

test('publish markers share their stream hash slot, so the publish script runs on Redis Cluster', (t) => {
  for (const stream of [eventsStreamKey(), eventsStreamKey('test-1a2b:')]) {
    const marker = publishMarkerKey(stream, '8d3c0e6a-0000-4000-8000-000000000001');
    t.is(marker, `{${stream}}:published:8d3c0e6a-0000-4000-8000-000000000001`);
    t.is(hashedPart(marker), hashedPart(stream));
    t.is(hashedPart(stream), stream, 'the stream key holds no hash tag of its own');
  }
  t.not(publishMarkerKey(EVENTS_STREAM, 'a'), publishMarkerKey(EVENTS_STREAM, 'b'));
});
