/**
 * The OpenAPI document is built from the schemas the routes validate with:
 * every path of SPEC.md's HTTP API is in it, a request body carries the same
 * constraints the route enforces, and /docs is a page that reads it.
 */
import test from 'ava';
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
  t.falsy(doc.paths['/docs'], 'the docs routes document nothing about themselves');
  const read = doc.paths['/api/v1/google-sheets/read']?.post?.requestBody?.content['application/json']
    ?.schema as {
    required?: string[];
    properties?: Record<string, { pattern?: string }>;
  };
  t.deepEqual(read.required, [...readBody.required]);
  t.is(read.properties?.spreadsheet_id?.pattern, readBody.properties.spreadsheet_id.pattern);
});

test('/docs is an HTML page that reads /docs/json', async (t) => {
  const ctx = await testRuntime();
  t.teardown(() => ctx.close());
  const res = await ctx.runtime.app.inject({ url: '/docs' });
  t.is(res.statusCode, 200);
  t.regex(String(res.headers['content-type']), /^text\/html/);
  t.regex(res.body, /fetch\('\/docs\/json'\)/);
});
