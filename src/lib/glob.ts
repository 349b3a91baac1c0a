/**
 * Redis glob patterns (SCAN MATCH, KEYS, PSUBSCRIBE) as a RegExp, so the
 * in-process cache backend and bus match exactly what Redis would: `*` any run (`:` included), `?` one
 * byte, `[abc]`, `[^abc]`, `[a-z]`, and `\x` for a literal x. A test
 * compares this against a real Redis on the same patterns.
 */
const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|/-]/g;

function literal(c: string): string {
  return c.replace(REGEX_SPECIAL, '\\$&');
}

/** Compiles one class body starting after '['; returns [regex source, index after ']']. */
function compileClass(pattern: string, start: number): [string, number] {
  let i = start;
  let negate = false;
  if (pattern[i] === '^') {
    negate = true;
    i++;
  }
  const parts: string[] = [];
  // Redis treats an unclosed '[' as a class running to the end of the pattern.
  while (i < pattern.length && pattern[i] !== ']') {
    let c = pattern[i] as string;
    if (c === '\\' && i + 1 < pattern.length) {
      i++;
      c = pattern[i] as string;
      parts.push(literal(c));
      i++;
      continue;
    }
    const next = pattern[i + 1];
    const end = pattern[i + 2];
    if (next === '-' && end !== undefined && end !== ']') {
      // Redis accepts reversed ranges ([z-a]) as the same range.
      const [lo, hi] = c <= end ? [c, end] : [end, c];
      parts.push(`${literal(lo)}-${literal(hi)}`);
      i += 3;
      continue;
    }
    parts.push(literal(c));
    i++;
  }
  const body = parts.join('');
  const source = body === '' ? (negate ? '[\\s\\S]' : '(?!)') : `[${negate ? '^' : ''}${body}]`;
  return [source, Math.min(i + 1, pattern.length + 1)];
}

export function globToRegExp(pattern: string): RegExp {
  let source = '';
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '*') {
      source += '[\\s\\S]*';
      while (pattern[i + 1] === '*') i++;
      i++;
    } else if (c === '?') {
      source += '[\\s\\S]';
      i++;
    } else if (c === '[') {
      const [cls, next] = compileClass(pattern, i + 1);
      source += cls;
      i = next;
    } else if (c === '\\' && i + 1 < pattern.length) {
      source += literal(pattern[i + 1] as string);
      i += 2;
    } else {
      source += literal(c);
      i++;
    }
  }
  return new RegExp(`^${source}$`);
}

/** Redis compares bytes: both sides become one character per UTF-8 byte first. */
function bytes(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

/** A predicate that matches keys exactly as Redis matches them against pattern. */
export function globMatcher(pattern: string): (key: string) => boolean {
  const re = globToRegExp(bytes(pattern));
  return (key) => re.test(bytes(key));
}
