/**
 * JSON for cached values, strictly: what comes back out of the cache must be
 * what went in. Plain JSON.stringify would silently turn NaN into null, drop
 * functions, store a Map as {} and turn undefined array items into null; each of
 * those is refused here with the path of the offending value. (Object
 * properties holding undefined are dropped, as JSON always does.) BigInt and
 * cycles make JSON.stringify throw; the message is kept.
 */
export class CacheValueError extends TypeError {}

export function serialise(value: unknown): string {
  if (value === undefined) throw new CacheValueError('undefined cannot be cached; cache null instead');
  let text: string | undefined;
  try {
    text = JSON.stringify(value, function strict(this: unknown, key: string, v: unknown) {
      const where = key === '' ? 'the value' : `property ${JSON.stringify(key)}`;
      if (typeof v === 'function' || typeof v === 'symbol') {
        throw new CacheValueError(`${where} is a ${typeof v}, which JSON cannot hold`);
      }
      if (typeof v === 'number' && !Number.isFinite(v)) {
        throw new CacheValueError(`${where} is ${v}, which JSON would turn into null`);
      }
      if (v === undefined && Array.isArray(this)) {
        throw new CacheValueError(`array item ${key} is undefined, which JSON would turn into null`);
      }
      if (v instanceof Map || v instanceof Set) {
        throw new CacheValueError(`${where} is a ${v.constructor.name}, which JSON would store as {}`);
      }
      return v;
    });
  } catch (err) {
    if (err instanceof CacheValueError) throw err;
    throw new CacheValueError(`value is not JSON-serialisable: ${(err as Error).message}`);
  }
  if (text === undefined) throw new CacheValueError('value is not JSON-serialisable');
  return text;
}
