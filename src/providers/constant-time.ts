import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality for secrets and signatures of any length: both sides
 * are hashed first, so neither the content nor the length leaks through timing.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** True when `candidate` equals any of `expected`; every comparison runs, whatever matches. */
export function safeIncludes(expected: readonly (string | Buffer)[], candidate: string | Buffer): boolean {
  let found = false;
  for (const e of expected) found = safeEqual(e, candidate) || found;
  return found;
}
