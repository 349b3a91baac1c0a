/**
 * The effective settings of an external service, and where each one comes
 * from: its external_services row, the configuration (environment or config
 * file), or the built-in default. One function for the daemon's catalogue
 * (service-catalog.ts) and for integctl services, so what the CLI lists is
 * what the daemon uses.
 *
 * The known services exist without a row: google_sheets (budgets and the
 * on/off switch; its credentials are GOOGLE_SHEETS_CREDENTIALS_PATH and its
 * client is built at start, so a row's URL, key or timeout would not reach
 * it and are refused), google_maps and yandex_maps (everything).
 */
import type { Config } from '../config/schema.js';
import {
  GOOGLE_MAPS_DEFAULT_ROOT,
  GOOGLE_MAPS_SERVICE,
  YANDEX_MAPS_DEFAULT_ROOT,
  YANDEX_MAPS_SERVICE,
} from '../geocoding/services.js';
import type { ExternalServiceRecord } from './integration-ports.js';

export type SettingSource = 'row' | 'env' | 'default';

export interface Sourced<T> {
  value: T;
  source: SettingSource;
}

export type Setting = 'base_url' | 'api_key' | 'timeout' | 'priority' | 'budgets' | 'active';

export interface KnownService {
  name: string;
  type: string;
  defaultBaseUrl: string;
  /** The configuration's URL override, if any. */
  baseUrlFromConfig?: (c: Config) => string | undefined;
  keyFromConfig?: (c: Config) => string | undefined;
  keyEnv?: string;
  defaultTimeoutSeconds: number;
  timeoutFromConfig?: (c: Config) => number | undefined;
  defaultPriority: number;
  /** What an operator may set for it with integctl services. */
  settable: readonly Setting[];
}

const ALL: readonly Setting[] = ['base_url', 'api_key', 'timeout', 'priority', 'budgets', 'active'];

export const KNOWN_SERVICES: readonly KnownService[] = [
  {
    name: 'google_sheets',
    type: 'sheets',
    defaultBaseUrl: 'https://sheets.googleapis.com',
    baseUrlFromConfig: (c) => c.googleSheetsRootUrl,
    defaultTimeoutSeconds: 30,
    timeoutFromConfig: (c) =>
      c.googleSheetsDeadlineSeconds === 30 ? undefined : c.googleSheetsDeadlineSeconds,
    defaultPriority: 100,
    settable: ['budgets', 'active'],
  },
  {
    name: GOOGLE_MAPS_SERVICE,
    type: 'geocoding',
    defaultBaseUrl: GOOGLE_MAPS_DEFAULT_ROOT,
    baseUrlFromConfig: (c) => c.googleMapsRootUrl,
    keyFromConfig: (c) => c.googleMapsApiKey,
    keyEnv: 'GOOGLE_MAPS_API_KEY',
    defaultTimeoutSeconds: 5,
    defaultPriority: 10,
    settable: ALL,
  },
  {
    name: YANDEX_MAPS_SERVICE,
    type: 'geocoding',
    defaultBaseUrl: YANDEX_MAPS_DEFAULT_ROOT,
    baseUrlFromConfig: (c) => c.yandexMapsRootUrl,
    keyFromConfig: (c) => c.yandexMapsApiKey,
    keyEnv: 'YANDEX_MAPS_API_KEY',
    defaultTimeoutSeconds: 5,
    defaultPriority: 20,
    settable: ALL,
  },
];

export function knownService(name: string): KnownService | undefined {
  return KNOWN_SERVICES.find((k) => k.name === name);
}

/** Everything the daemon needs of one service. The key is in here: never log this object. */
export interface ServiceSettings {
  name: string;
  known: boolean;
  hasRow: boolean;
  type: Sourced<string>;
  baseUrl: Sourced<string | null>;
  apiKey: Sourced<string | undefined>;
  /** Calls per window per tenant; 0 = no limit. */
  rateLimitPerMinute: Sourced<number>;
  rateLimitPerHour: Sourced<number>;
  rateLimitPerDay: Sourced<number>;
  timeoutSeconds: Sourced<number>;
  priority: Sourced<number>;
  active: Sourced<boolean>;
  updatedAt: Date | null;
}

const row = <T>(value: T): Sourced<T> => ({ value, source: 'row' });
const fromConfig = <T>(value: T | undefined, fallback: T): Sourced<T> =>
  value === undefined ? { value: fallback, source: 'default' } : { value, source: 'env' };

function budget(rowValue: number | null | undefined, configured: number): Sourced<number> {
  if (rowValue !== null && rowValue !== undefined) return row(rowValue);
  return configured === 0 ? { value: 0, source: 'default' } : { value: configured, source: 'env' };
}

export function effectiveSettings(
  name: string,
  record: ExternalServiceRecord | undefined,
  config: Config,
): ServiceSettings {
  const known = knownService(name);
  const r = record;
  const rowWins = (setting: Setting) =>
    r !== undefined && (known === undefined || known.settable.includes(setting));
  return {
    name,
    known: known !== undefined,
    hasRow: r !== undefined,
    type: r !== undefined ? row(r.serviceType) : { value: known?.type ?? 'custom', source: 'default' },
    baseUrl:
      rowWins('base_url') && r?.baseUrl != null
        ? row(r.baseUrl)
        : fromConfig<string | null>(known?.baseUrlFromConfig?.(config), known?.defaultBaseUrl ?? null),
    apiKey:
      rowWins('api_key') && r?.apiKey != null
        ? row<string | undefined>(r.apiKey)
        : fromConfig<string | undefined>(known?.keyFromConfig?.(config), undefined),
    rateLimitPerMinute: budget(r?.rateLimitPerMinute, config.outboundRateLimitPerMinute),
    rateLimitPerHour: budget(r?.rateLimitPerHour, config.outboundRateLimitPerHour),
    rateLimitPerDay: budget(r?.rateLimitPerDay, config.outboundRateLimitPerDay),
    timeoutSeconds:
      rowWins('timeout') && r !== undefined
        ? row(r.timeoutSeconds)
        : fromConfig(known?.timeoutFromConfig?.(config), known?.defaultTimeoutSeconds ?? 30),
    priority:
      rowWins('priority') && r !== undefined
        ? row(r.priority)
        : { value: known?.defaultPriority ?? 100, source: 'default' },
    active: r !== undefined ? row(r.isActive) : { value: true, source: 'default' },
    updatedAt: r?.updatedAt ?? null,
  };
}

/** The settings as an operator may see them: the key as set or not, and from where, never its value. */
export function describeSettings(s: ServiceSettings) {
  return {
    name: s.name,
    known: s.known,
    has_row: s.hasRow,
    type: s.type,
    base_url: s.baseUrl,
    api_key: { value: s.apiKey.value === undefined ? 'not set' : 'set', source: s.apiKey.source },
    rate_limit_per_minute: s.rateLimitPerMinute,
    rate_limit_per_hour: s.rateLimitPerHour,
    rate_limit_per_day: s.rateLimitPerDay,
    timeout_seconds: s.timeoutSeconds,
    priority: s.priority,
    active: s.active,
    updated_at: s.updatedAt?.toISOString() ?? null,
  };
}

export type DescribedService = ReturnType<typeof describeSettings>;
