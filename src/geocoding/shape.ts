/**
 * Reading a provider's JSON without trusting it: each reader checks one value
 * and names where it was ("results[0].geometry.location.lat") when it is not
 * what the provider documents. The client libraries' types describe what
 * Google and Yandex promise, not what a proxy, a captive portal or a bad
 * deploy sends; the parsers turn a ShapeError into ProviderFailure malformed.
 */
export class ShapeError extends Error {
  constructor(
    readonly path: string,
    expected: string,
  ) {
    super(`${path} is not ${expected}`);
  }
}

export type Json = Record<string, unknown>;

export function object(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ShapeError(path, 'an object');
  return value as Json;
}

export function array(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeError(path, 'an array');
  return value;
}

export function string(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ShapeError(path, 'a string');
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : string(value, path);
}

export function stringArray(value: unknown, path: string): string[] {
  return array(value, path).map((v, i) => string(v, `${path}[${i}]`));
}

export function latitude(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 90)
    throw new ShapeError(path, 'a latitude (-90 to 90)');
  return value;
}

export function longitude(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || Math.abs(value) > 180)
    throw new ShapeError(path, 'a longitude (-180 to 180)');
  return value;
}
