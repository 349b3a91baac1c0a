/**
 * JSON numbers as their text. JSON.parse reads every number into a double, so
 * 820982911946154508 and 820982911946154507 both become 820982911946154500:
 * two events with one dedup key, and a stored id that nobody sent. These
 * helpers read numbers as the digits sent (lossless-json: a maintained parser
 * whose number parser sees each number's source text, which Node 20's
 * JSON.parse cannot give; JSON.rawJSON and the reviver's source text only
 * arrived in later V8s).
 *
 * They are for the rare paths (a numeric id, a body jsonb refuses, a payload
 * shown to a person); the hot path keeps JSON.parse, which is several times
 * faster. lossless-json recurses, so a very deep body throws RangeError here:
 * each caller says what it does then.
 */
import { isLosslessNumber, parse, stringify, type Replacer } from 'lossless-json';

/** A UTF-8 byte-order mark: RFC 8259 lets a parser ignore it, JSON.parse does not. */
export const BOM = '\ufeff';

export function withoutBom(text: string): string {
  return text.startsWith(BOM) ? text.slice(1) : text;
}

/**
 * The text of the number at `path` (object keys) in `json`, as sent, or
 * undefined when the text is not JSON, the value there is not a number, or it
 * cannot be read exactly (a body nested too deep for the parser).
 */
export function numberTextAt(json: string, path: readonly string[]): string | undefined {
  let value: unknown;
  try {
    value = parse(withoutBom(json));
  } catch {
    return undefined;
  }
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return isLosslessNumber(value) ? value.value : undefined;
}

/**
 * `json` parsed and written again with every number kept as sent; `replacer`
 * may rewrite strings. Throws like JSON.parse on bad JSON and RangeError when
 * nested too deep for it.
 */
export function rewriteJson(json: string, replacer?: Replacer, space?: number): string {
  const text = stringify(parse(withoutBom(json)), replacer, space);
  if (text === undefined) throw new SyntaxError('the JSON text holds no value');
  return text;
}
