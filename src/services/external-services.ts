/**
 * Managing external_services (integctl services …): the outbound services,
 * their keys, budgets, timeouts and priorities. A known service
 * (google_sheets, google_maps, yandex_maps) is listed and can be updated,
 * enabled or disabled without a row: the first change makes its row, from the
 * built-in defaults. Everything is checked before it is stored, with a message
 * that names the setting; a key is stored, never returned (describeSettings).
 * Running daemons see a change within 5 seconds (service-catalog.ts).
 */
import type { Config } from '../config/schema.js';
import type {
  ExternalServiceChange,
  ExternalServiceRecord,
  ExternalServiceStore,
} from './integration-ports.js';
import {
  describeSettings,
  effectiveSettings,
  KNOWN_SERVICES,
  knownService,
  type DescribedService,
  type Setting,
} from './service-settings.js';

export class ServiceError extends Error {}

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const TYPE = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const MAX_INT = 2_147_483_647;

/** What an operator sets; undefined = leave as is; null = clear (back to the configuration). */
export interface ServiceInput {
  type?: string;
  baseUrl?: string | null;
  apiKey?: string | null;
  rateLimitPerMinute?: number | null;
  rateLimitPerHour?: number | null;
  rateLimitPerDay?: number | null;
  timeoutSeconds?: number;
  priority?: number;
  active?: boolean;
}

export function checkServiceName(name: string): void {
  if (!NAME.test(name))
    throw new ServiceError(
      `service name ${JSON.stringify(name.slice(0, 80))} is not allowed: 1-63 of a-z, 0-9, _, . and -, starting with a letter or digit`,
    );
}

/** A base URL: http(s), no credentials and no query string (keys go in --api-key-stdin). */
export function checkBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ServiceError('--base-url must be a URL like https://maps.googleapis.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new ServiceError('--base-url must be an http:// or https:// URL');
  if (url.username !== '' || url.password !== '' || url.search !== '')
    throw new ServiceError(
      '--base-url may hold no credentials or query string; give the key with --api-key-stdin',
    );
  return text.replace(/\/+$/, '');
}

export function checkApiKey(key: string): void {
  // The message never quotes the key.
  if (key.length < 8 || key.length > 512 || /\s/.test(key))
    throw new ServiceError('an API key must be 8-512 characters without spaces');
}

function checkInput(input: ServiceInput): void {
  if (input.type !== undefined && !TYPE.test(input.type))
    throw new ServiceError('--type must be 1-63 of a-z, 0-9, _, . and -');
  if (typeof input.baseUrl === 'string') input.baseUrl = checkBaseUrl(input.baseUrl);
  if (typeof input.apiKey === 'string') checkApiKey(input.apiKey);
  for (const [flag, v] of [
    ['--rate-limit-per-minute', input.rateLimitPerMinute],
    ['--rate-limit-per-hour', input.rateLimitPerHour],
    ['--rate-limit-per-day', input.rateLimitPerDay],
  ] as const) {
    if (typeof v === 'number' && (!Number.isInteger(v) || v < 1 || v > MAX_INT))
      throw new ServiceError(
        `${flag} must be a whole number from 1 to ${MAX_INT} (0 = the configured default)`,
      );
  }
  const t = input.timeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || t < 1 || t > 300))
    throw new ServiceError('--timeout must be a whole number of seconds from 1 to 300');
  const p = input.priority;
  if (p !== undefined && (!Number.isInteger(p) || p < 0 || p > 1_000_000))
    throw new ServiceError('--priority must be a whole number from 0 to 1000000 (lower is tried first)');
}

/** The settings an input touches, to refuse those a known service does not take from a row. */
function touched(input: ServiceInput): Setting[] {
  const out: Setting[] = [];
  if (input.baseUrl !== undefined) out.push('base_url');
  if (input.apiKey !== undefined) out.push('api_key');
  if (input.timeoutSeconds !== undefined) out.push('timeout');
  if (input.priority !== undefined) out.push('priority');
  if ([input.rateLimitPerMinute, input.rateLimitPerHour, input.rateLimitPerDay].some((v) => v !== undefined))
    out.push('budgets');
  if (input.active !== undefined) out.push('active');
  return out;
}

function checkSettable(name: string, input: ServiceInput): void {
  const known = knownService(name);
  if (known === undefined) return;
  const refused = touched(input).filter((s) => !known.settable.includes(s));
  if (refused.length > 0)
    throw new ServiceError(
      `${name} takes only ${known.settable.join(', ')} from external_services (not ${refused.join(', ')}): its client is configured by the daemon's settings`,
    );
}

/** Every rule an input must meet, before anything is opened: integctl calls it for its usage errors. */
export function checkServiceInput(name: string, input: ServiceInput): void {
  checkServiceName(name);
  checkInput(input);
  checkSettable(name, input);
}

/** What add needs beyond checkServiceInput: a type, unless the service is a known one. */
export function checkNewService(name: string, input: ServiceInput): void {
  checkServiceInput(name, input);
  if (input.type === undefined && knownService(name) === undefined)
    throw new ServiceError('--type is needed for a service other than the known ones');
}

function changeOf(input: ServiceInput): ExternalServiceChange {
  return {
    serviceType: input.type,
    baseUrl: input.baseUrl,
    apiKey: input.apiKey,
    rateLimitPerMinute: input.rateLimitPerMinute,
    rateLimitPerHour: input.rateLimitPerHour,
    rateLimitPerDay: input.rateLimitPerDay,
    timeoutSeconds: input.timeoutSeconds,
    priority: input.priority,
    isActive: input.active,
  };
}

export class ExternalServices {
  constructor(
    private readonly store: ExternalServiceStore,
    private readonly config: Config,
  ) {}

  private describe(name: string, record: ExternalServiceRecord | undefined): DescribedService {
    return describeSettings(effectiveSettings(name, record, this.config));
  }

  /** The known services (with or without a row) and every other row, in priority order. */
  async list(): Promise<DescribedService[]> {
    const rows = await this.store.list();
    const names = [...new Set([...KNOWN_SERVICES.map((k) => k.name), ...rows.map((r) => r.name)])];
    return names
      .map((n) =>
        this.describe(
          n,
          rows.find((r) => r.name === n),
        ),
      )
      .sort((a, b) => a.priority.value - b.priority.value || a.name.localeCompare(b.name));
  }

  async show(name: string): Promise<DescribedService> {
    checkServiceName(name);
    const record = await this.store.find(name);
    if (record === undefined && knownService(name) === undefined)
      throw new ServiceError(`no service named ${JSON.stringify(name)}; see integctl services list`);
    return this.describe(name, record);
  }

  async add(name: string, input: ServiceInput): Promise<DescribedService> {
    checkNewService(name, input);
    const known = knownService(name);
    const type = input.type ?? known?.type ?? 'custom';
    const record = {
      name,
      serviceType: type,
      baseUrl: input.baseUrl ?? null,
      apiKey: input.apiKey ?? null,
      isActive: input.active ?? true,
      rateLimitPerMinute: input.rateLimitPerMinute ?? null,
      rateLimitPerHour: input.rateLimitPerHour ?? null,
      rateLimitPerDay: input.rateLimitPerDay ?? null,
      timeoutSeconds: input.timeoutSeconds ?? known?.defaultTimeoutSeconds ?? 30,
      priority: input.priority ?? known?.defaultPriority ?? 100,
    };
    if (!(await this.store.create(record)))
      throw new ServiceError(`service ${name} exists; use integctl services update ${name}`);
    return this.show(name);
  }

  /** Changes a service; a known service without a row gets one first. */
  async update(name: string, input: ServiceInput): Promise<DescribedService> {
    checkServiceName(name);
    checkInput(input);
    checkSettable(name, input);
    if ((await this.store.find(name)) === undefined) {
      if (knownService(name) === undefined)
        throw new ServiceError(`no service named ${JSON.stringify(name)}; add it with integctl services add`);
      return this.add(name, input).catch(async (err: unknown) => {
        // Someone else made the row meanwhile: change it instead.
        if (!(err instanceof ServiceError) || (await this.store.find(name)) === undefined) throw err;
        return this.update(name, input);
      });
    }
    const after = await this.store.update(name, changeOf(input));
    if (after === undefined) throw new ServiceError(`service ${name} was removed meanwhile`);
    return this.describe(name, after);
  }

  async remove(name: string): Promise<void> {
    checkServiceName(name);
    if (!(await this.store.remove(name)))
      throw new ServiceError(
        knownService(name) === undefined
          ? `no service named ${JSON.stringify(name)}`
          : `${name} has no row to remove; it runs on the configuration's settings`,
      );
  }
}
