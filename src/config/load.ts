import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../lib/package-root.js';
import { redactUrl } from '../lib/redact.js';
import { schema, type Config, type ConfigKey, type Setting } from './schema.js';

/** Exit code for configuration errors (EX_CONFIG from sysexits.h), per SPEC.md. */
export const EXIT_CONFIG = 78;

/** A bad configuration value; its message is one line naming the key, the value and what is allowed. */
export class ConfigError extends Error {
  readonly exitCode = EXIT_CONFIG;
}

/** Where config/default.json and config/<ENVIRONMENT>.json live: the package's own config/ folder. */
export const DEFAULT_CONFIG_DIR = path.join(PACKAGE_ROOT, 'config');

export interface LoadOptions {
  /** Values from command-line flags, by schema key; undefined entries are ignored. */
  flags?: Partial<Record<ConfigKey, unknown>>;
  env?: NodeJS.ProcessEnv;
  /** A --config FILE; sits between the environment and config/<ENVIRONMENT>.json. */
  configFile?: string;
  configDir?: string;
}

type Layer = { name: string; values: Record<string, unknown> };

function readJsonLayer(file: string, required: boolean): Layer | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`config file ${file} cannot be read: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${file} must hold one JSON object of settings`);
  }
  const known = new Set(
    Object.values(schema).flatMap((s: Setting<unknown>) => [s.env, ...(s.aliases ?? [])]),
  );
  for (const key of Object.keys(parsed)) {
    if (!known.has(key)) {
      throw new ConfigError(
        `config file ${file}: unknown key ${key}; keys are the environment names of the settings`,
      );
    }
  }
  return { name: file, values: parsed as Record<string, unknown> };
}

function envLayer(env: NodeJS.ProcessEnv): Layer {
  const values: Record<string, unknown> = {};
  for (const setting of Object.values(schema) as Setting<unknown>[]) {
    for (const name of [...(setting.aliases ?? []).slice().reverse(), setting.env]) {
      const v = env[name];
      if (v !== undefined) values[setting.env] = v;
    }
  }
  return { name: 'environment', values };
}

function lookup(layer: Layer, setting: Setting<unknown>): unknown {
  if (setting.env in layer.values) return layer.values[setting.env];
  for (const alias of setting.aliases ?? []) if (alias in layer.values) return layer.values[alias];
  return undefined;
}

function show(setting: Setting<unknown>, raw: unknown): string {
  if (setting.secret) return '***';
  return typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw));
}

/**
 * Builds the effective configuration. Precedence: flag > environment > --config FILE >
 * config/<ENVIRONMENT>.json > config/default.json > built-in default. Throws ConfigError.
 */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const configDir = options.configDir ?? DEFAULT_CONFIG_DIR;
  const flagValues: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options.flags ?? {})) {
    if (value !== undefined) flagValues[schema[key as ConfigKey].env] = value;
  }
  const flags: Layer = { name: 'command line', values: flagValues };
  const fromEnv = envLayer(env);
  const defaults = readJsonLayer(path.join(configDir, 'default.json'), false);
  const explicit = options.configFile ? readJsonLayer(options.configFile, true) : undefined;

  // ENVIRONMENT decides which per-environment file is read, so it is resolved first.
  const early = [flags, fromEnv, explicit, defaults].filter((l): l is Layer => l !== undefined);
  const environment = resolve('environment', early) as Config['environment'];
  const perEnv = readJsonLayer(path.join(configDir, `${environment}.json`), false);
  const layers = [flags, fromEnv, explicit, perEnv, defaults].filter((l): l is Layer => l !== undefined);

  const out: Record<string, unknown> = {};
  for (const key of Object.keys(schema) as ConfigKey[]) out[key] = resolve(key, layers);
  const config = out as Config;
  if (config.environment === 'production' && config.adminToken === undefined) {
    throw new ConfigError('ADMIN_TOKEN is required when ENVIRONMENT=production (at least 16 characters)');
  }
  // The whole request includes its headers: a shorter whole cannot hold the part (Node refuses it too).
  if (config.httpHeadersTimeoutSeconds > config.httpRequestTimeoutSeconds) {
    throw new ConfigError(
      `invalid configuration: HTTP_HEADERS_TIMEOUT_SECONDS=${config.httpHeadersTimeoutSeconds} is longer than HTTP_REQUEST_TIMEOUT_SECONDS=${config.httpRequestTimeoutSeconds}, the time for the whole request`,
    );
  }
  return config;
}

function resolve(key: ConfigKey, layers: Layer[]): unknown {
  const setting = schema[key] as Setting<unknown>;
  for (const layer of layers) {
    const raw = lookup(layer, setting);
    if (raw === undefined) continue;
    try {
      return setting.parse(raw);
    } catch (err) {
      const where =
        layer.name === 'environment' || layer.name === 'command line' ? '' : ` (in ${layer.name})`;
      throw new ConfigError(
        `invalid configuration: ${setting.env}=${show(setting, raw)}${where}: ${(err as Error).message}`,
      );
    }
  }
  return setting.default;
}

/** The configuration as printable pairs, every secret replaced by ***. */
export function describeConfig(config: Config): Array<{ key: string; value: string; secret: boolean }> {
  return (Object.keys(schema) as ConfigKey[]).map((key) => {
    const setting = schema[key] as Setting<unknown>;
    const value = config[key];
    const unset = value === undefined || (Array.isArray(value) && value.length === 0);
    let shown: string;
    if (unset) shown = '';
    else if (key === 'databaseUrl' || key === 'redisUrl') shown = redactUrl(String(value));
    else if (setting.secret) shown = '***';
    else shown = Array.isArray(value) ? value.join(',') : String(value);
    return { key: setting.env, value: shown, secret: setting.secret === true };
  });
}
