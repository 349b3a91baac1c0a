/**
 * The OpenAPI document is built from the schemas the routes validate with:
 * every path of SPEC.md's HTTP API is in it, a request body carries the same
 * constraints the route enforces, and /docs is Swagger UI reading it, with its
 * files served by the daemon (docs-browser.test.ts opens it in Chromium).
 */
import test from 'ava';
import { forwardBody } from '../../src/http/routes/geocoding-schemas.js';
import { readBody } from '../../src/http/routes/sheets-schemas.js';
import { testRuntime } from '../helpers/runtime.js';

interface OpenApiDoc {
  openapi: string;
  info: { version: string };
  paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> } }>>;
}

const SPEC_PATHS: Array<[string, string]> = [
  ['get', '/health'],
  ['get', '/health/detailed'],
  ['get', '/metrics'],
  ['get', '/cache/stats'],
  ['post', '/api/v1/webhooks/stripe'],
  ['post', '/api/v1/webhooks/google/sheets'],
  ['post', '/api/v1/webhooks/yandex/maps'],
  ['post', '/api/v1/webhooks/generic/{source}'],
  ['get', '/api/v1/webhooks/events/{event_id}'],
  ['post', '/api/v1/webhooks/events/{event_id}/retry'],
  ['get', '/api/v1/webhooks/health'],
  ['get', '/api/v1/google-sheets/health'],
  ['post', '/api/v1/google-sheets/read'],
  ['post', '/api/v1/google-sheets/write'],
  ['post', '/api/v1/google-sheets/append'],
  ['post', '/api/v1/google-sheets/batch'],
  ['get', '/api/v1/google-sheets/metadata/{spreadsheet_id}'],
  ['post', '/api/v1/geocoding/forward'],
  ['post', '/api/v1/geocoding/reverse'],
  ['post', '/api/v1/geocoding/batch'],
  ['post', '/api/v1/geocoding/distance'],
  ['get', '/api/v1/geocoding/health'],
];

test('/docs/json documents every SPEC.md path with the schemas the routes validate with', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const res = await ctx.runtime.app.inject({ url: '/docs/json' });
  t.is(res.statusCode, 200);
  const doc = res.json<OpenApiDoc>();
  t.regex(doc.openapi, /^3\./);
  t.is(doc.info.version, '0.1.0');
  for (const [method, path] of SPEC_PATHS) t.truthy(doc.paths[path]?.[method], `${method} ${path}`);
  t.deepEqual(
    Object.keys(doc.paths).filter((path) => path.startsWith('/docs')),
    [],
    'the docs routes document nothing about themselves',
  );
  const read = doc.paths['/api/v1/google-sheets/read']?.post?.requestBody?.content['application/json']
    ?.schema as {
    required?: string[];
    properties?: Record<string, { pattern?: string }>;
  };
  t.deepEqual(read.required, [...readBody.required]);
  t.is(read.properties?.spreadsheet_id?.pattern, readBody.properties.spreadsheet_id.pattern);
  const forward = doc.paths['/api/v1/geocoding/forward']?.post?.requestBody?.content['application/json']
    ?.schema as { required?: string[]; properties?: Record<string, { maxLength?: number; enum?: string[] }> };
  t.deepEqual(forward.required, [...forwardBody.required]);
  t.is(forward.properties?.address?.maxLength, 500);
  t.deepEqual(forward.properties?.provider?.enum, ['auto', 'google_maps', 'yandex_maps']);
});

test('/docs is Swagger UI, pointed at /docs/json, loading nothing from elsewhere', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const res = await ctx.runtime.app.inject({ url: '/docs' });
  t.is(res.statusCode, 200);
  t.regex(String(res.headers['content-type']), /^text\/html/);
  t.regex(String(res.headers['content-security-policy']), /default-src 'self'.*connect-src 'self'/);
  t.regex(res.body, /<div id="swagger-ui"><\/div>/);
  t.regex(res.body, /<script src="\/docs\/static\/swagger-ui-bundle\.js"><\/script>/);
  t.notRegex(res.body, /\/\/[a-z0-9.-]+\.[a-z]{2,}\//i, 'no URL with a host');
  const init = await ctx.runtime.app.inject({ url: '/docs/swagger-initializer.js' });
  t.is(init.statusCode, 200);
  t.regex(String(init.headers['content-type']), /^text\/javascript/);
  t.regex(init.body, /url: '\/docs\/json'/);
  t.regex(init.body, /validatorUrl: null/);
});

test('/docs/static serves the allow-listed swagger-ui-dist files, revalidated by ETag, and nothing else', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const app = ctx.runtime.app;
  const types: Array<[string, RegExp]> = [
    ['swagger-ui.css', /^text\/css/],
    ['swagger-ui-bundle.js', /^text\/javascript/],
    ['favicon-32x32.png', /^image\/png$/],
    ['favicon-16x16.png', /^image\/png$/],
  ];
  for (const [name, type] of types) {
    const res = await app.inject({ url: `/docs/static/${name}` });
    t.is(res.statusCode, 200, name);
    t.regex(String(res.headers['content-type']), type, name);
    t.is(res.headers['cache-control'], 'no-cache', name);
    t.is(res.headers['x-content-type-options'], 'nosniff', name);
    t.true(res.rawPayload.length > 500, name);
    const etag = String(res.headers.etag);
    t.regex(etag, /^"[\w-]+"$/, name);
    const again = await app.inject({ url: `/docs/static/${name}`, headers: { 'if-none-match': etag } });
    t.is(again.statusCode, 304, name);
    t.is(again.rawPayload.length, 0, name);
  }
  const stale = await app.inject({
    url: '/docs/static/swagger-ui.css',
    headers: { 'if-none-match': '"old"' },
  });
  t.is(stale.statusCode, 200);
  for (const url of [
    '/docs/static/index.html',
    '/docs/static/package.json',
    '/docs/static/swagger-ui-bundle.js.map',
    '/docs/static/../package.json',
    '/docs/static/%2e%2e/%2e%2e/package.json',
    '/docs/static/..%2f..%2fpackage.json',
  ]) {
    const res = await app.inject({ url });
    t.is(res.statusCode, 404, url);
    t.notRegex(res.body, /"name":\s*"(swagger-ui-dist|integration-service)"/, url);
  }
});
