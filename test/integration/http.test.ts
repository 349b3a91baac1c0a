import test from 'ava';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';

const app = buildApp({ config: loadConfig({ env: {} }), logger: createLogger('silent'), version: '0.1.0' });
test.after.always(() => app.close());

test('GET /health answers without I/O in the SPEC.md shape', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/health' });
  t.is(res.statusCode, 200);
  t.deepEqual(res.json(), { status: 'healthy', service: 'integration-service', version: '0.1.0' });
});

test('X-Request-ID is echoed when sane and generated otherwise', async (t) => {
  const echoed = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'req-123' } });
  t.is(echoed.headers['x-request-id'], 'req-123');
  const generated = await app.inject({ method: 'GET', url: '/health' });
  t.regex(String(generated.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  const hostile = await app.inject({
    method: 'GET',
    url: '/health',
    headers: { 'x-request-id': 'a b\u00ff<script>' },
  });
  t.regex(String(hostile.headers['x-request-id']), /^[0-9a-f-]{36}$/);
});

test('unknown routes get the JSON error shape with a stable code', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/nope?x=1' });
  t.is(res.statusCode, 404);
  t.deepEqual(res.json(), { error: { code: 'NOT_FOUND', message: 'no route GET /nope' } });
  t.truthy(res.headers['x-request-id']);
});
