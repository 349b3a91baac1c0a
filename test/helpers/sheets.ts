/**
 * The Sheets API end to end for tests: the fake Google Sheets server, a real
 * service-account key file, the real adapter on @googleapis/sheets pointed at
 * the fake, a cache (either backend), and the app, driven with inject().
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { AuditSink } from '../../src/audit/audit-log.js';
import { loadConfig } from '../../src/config/load.js';
import { buildApp } from '../../src/http/app.js';
import { createLogger } from '../../src/lib/logger.js';
import type { OutboundRateLimiter } from '../../src/ratelimit/outbound-limiter.js';
import type { IntegrationEventSink } from '../../src/services/integration-ports.js';
import { loadServiceAccount } from '../../src/sheets/credentials.js';
import { GoogleSheetsGateway } from '../../src/sheets/google-gateway.js';
import type { SheetsGateway } from '../../src/sheets/types.js';
import { startFakeSheets, type FakeSheets } from '../fake-sheets/server.js';
import { createTestServiceAccount, type TestServiceAccount } from '../fake-sheets/service-account.js';
import { backendVariants, type BackendVariant, type CacheFixture } from './cache.js';

export const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
export const ADMIN = { authorization: `Bearer ${ADMIN_TOKEN}` };
export const SHEET_ID = '1AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-sheet';

export interface SheetsFixture {
  fake: FakeSheets;
  account: TestServiceAccount;
  gateway: SheetsGateway;
  cache: CacheFixture;
  app: FastifyInstance;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface SheetsFixtureOptions {
  variant?: BackendVariant;
  audit?: AuditSink;
  limiter?: OutboundRateLimiter;
  deadlineMs?: number;
  /** A different key than the one the fake trusts, to see Google refuse it. */
  foreignKey?: boolean;
  gateway?: SheetsGateway;
  /** Where writes and appends are announced (integration.sheets.data.updated). */
  events?: IntegrationEventSink;
}

export function memoryVariant(): BackendVariant {
  const v = backendVariants().find((b) => b.name === 'memory');
  if (v === undefined) throw new Error('no memory variant');
  return v;
}

export async function sheetsFixture(options: SheetsFixtureOptions = {}): Promise<SheetsFixture> {
  const account = createTestServiceAccount();
  const trusted = options.foreignKey ? createTestServiceAccount({ ownKey: true }) : account;
  const fake = await startFakeSheets({
    serviceAccountEmail: account.email,
    privateKeyPem: trusted.privateKeyPem,
  });
  fake.addSpreadsheet(SHEET_ID, 'Residents', {
    Sheet1: [
      ['name', 'flat', 'paid'],
      ['Alice', 12, true],
      ['Bob', 7, false],
    ],
    'Meter readings': [['meter', 'value']],
  });
  const gateway =
    options.gateway ??
    new GoogleSheetsGateway({
      account: await loadServiceAccount(account.file),
      rootUrl: fake.url,
      deadlineMs: options.deadlineMs ?? 10_000,
      audit: options.audit ?? { record: () => undefined },
      limiter: options.limiter,
    });
  const cache = await (options.variant ?? memoryVariant()).open();
  const config = loadConfig({ env: { ADMIN_TOKEN, CACHE_DEFAULT_TTL: '300' } });
  const app = buildApp({
    config,
    logger: createLogger('silent'),
    version: '0.1.0',
    integrations: { cache: cache.service, sheets: gateway, events: options.events },
  });
  await app.ready();
  return {
    fake,
    account,
    gateway,
    cache,
    app,
    post: (path, body, headers = {}) =>
      app.inject({
        method: 'POST',
        url: `/api/v1/google-sheets${path}`,
        payload: body as object,
        headers: { ...ADMIN, ...headers },
      }),
    async close() {
      await app.close();
      await cache.close();
      await fake.close();
    },
  };
}

export function errorOf(res: LightMyRequestResponse): { code: string; message: string } {
  return res.json<{ error: { code: string; message: string } }>().error;
}
