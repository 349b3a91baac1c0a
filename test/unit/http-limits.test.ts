/**
 * The slow-client settings (issue #14, defect 2): their defaults, the one rule
 * between them, and how they reach Node's http server.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config/load.js';
import { serverOptions } from '../../src/http/server.js';

const empty = mkdtempSync(path.join(os.tmpdir(), 'integ-http-limits-'));

test('defaults: 10 s for headers, 30 s for the whole request, 72 s keep-alive, 4096 connections, backlog 2048', (t) => {
  const c = loadConfig({ env: {}, configDir: empty });
  t.like(c, {
    httpHeadersTimeoutSeconds: 10,
    httpRequestTimeoutSeconds: 30,
    httpKeepAliveTimeoutSeconds: 72,
    httpMaxConnections: 4096,
    httpListenBacklog: 2048,
  });
});

test('a headers timeout longer than the request timeout is a configuration error naming both', (t) => {
  const err = t.throws(
    () =>
      loadConfig({
        env: { HTTP_HEADERS_TIMEOUT_SECONDS: '40', HTTP_REQUEST_TIMEOUT_SECONDS: '30' },
        configDir: empty,
      }),
    { instanceOf: ConfigError },
  );
  t.regex(err?.message ?? '', /HTTP_HEADERS_TIMEOUT_SECONDS=40 .*HTTP_REQUEST_TIMEOUT_SECONDS=30/);
  t.notThrows(() =>
    loadConfig({
      env: { HTTP_HEADERS_TIMEOUT_SECONDS: '30', HTTP_REQUEST_TIMEOUT_SECONDS: '30' },
      configDir: empty,
    }),
  );
});

test('out-of-range values are refused with the allowed range', (t) => {
  for (const [key, value] of [
    ['HTTP_REQUEST_TIMEOUT_SECONDS', '0'],
    ['HTTP_MAX_CONNECTIONS', '-1'],
    ['HTTP_LISTEN_BACKLOG', '0'],
  ] as const) {
    const err = t.throws(() => loadConfig({ env: { [key]: value }, configDir: empty }), {
      instanceOf: ConfigError,
    });
    t.regex(err?.message ?? '', new RegExp(`${key}="${value}".*expected an integer from`));
  }
});

test('the timeouts reach both fastify and http.createServer, checked every second', (t) => {
  const c = loadConfig({
    env: { HTTP_HEADERS_TIMEOUT_SECONDS: '2', HTTP_REQUEST_TIMEOUT_SECONDS: '5' },
    configDir: empty,
  });
  t.deepEqual(serverOptions(c), {
    requestTimeout: 5000,
    keepAliveTimeout: 72_000,
    connectionTimeout: 0,
    http: {
      headersTimeout: 2000,
      requestTimeout: 5000,
      keepAliveTimeout: 72_000,
      connectionsCheckingInterval: 1000,
    },
  });
});
