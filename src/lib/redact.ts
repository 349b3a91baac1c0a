/**
 * Credentials out of text that an operator or a log will see. redactSecrets()
 * is the one function for it: every log line (lib/logger.ts), every integctl
 * error and every printed connection string goes through it.
 *
 * It replaces with *** whatever a credential can be in:
 *  - a URL, anywhere in the text: the password of its userinfo (`user:***@`;
 *    for http(s) and ws(s) a lone user too, where it is a token), and every
 *    query or fragment parameter whose name says it is a secret (`password`,
 *    `sslpassword`, `pass`, `pwd`, `token`, `access_token`, `key`, `apikey`,
 *    `api_key`, `secret`, `auth`, `sig`, `signature`, ...): pg and ioredis take
 *    `?password=`, Google's APIs take `key=`, Yandex's `apikey=`;
 *  - `name=value` outside a URL (a bare query string, libpq's
 *    `password=... host=...`), `"name": "value"` (JSON, also JSON inside a
 *    JSON string) and `name: 'value'` (util.inspect), for the same names;
 *  - Bearer and Basic credentials, JWTs, Google access tokens (ya29.),
 *    Stripe and GitHub keys, PEM private keys.
 *
 * It never removes a `"` or a `\`, so a JSON document (a pino log line) stays
 * valid JSON with the same structure; the logger relies on that.
 */

/** Parameter and field names that hold a credential: those ending so (after dropping - _ . and case). */
const SECRET_NAME =
  /(?:pass|passwd|password|passphrase|pwd|secret|token|key|sig|signature|auth|authorization|credential|credentials|jwt|session|sessionid|cookie)$|^pw$/;

/** Whether a parameter or field of this name holds a credential (`password`, `sslpassword`, `apikey`, `access_token`, ...). */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name.toLowerCase().replace(/[^a-z0-9]/g, ''));
}

/**
 * Cheap first look (one regex, written so V8 runs it fast): text with none of
 * these words, and no "://", cannot hold anything redactSecrets replaces. A
 * PEM key says KEY.
 */
const MAY_HOLD_SECRET =
  /p(?:ass|wd?\b)|s(?:e(?:cret|ssion)|ig|k_)|token|key|auth|cred|jwt|cookie|b(?:earer|asic)|eyJ|ya29|whsec_|rk_|gh[pousr]_/i;

/** Schemes where a user without a password is itself a credential (https://TOKEN@host). */
const TOKEN_AS_USER = new Set(['http', 'https', 'ws', 'wss']);

const MASK = '***';

/**
 * A URL in free text: scheme://, then anything up to whitespace, a quote, <, > or a backslash.
 * The scheme is bounded so a long run of a+a+a+... costs linear time, not quadratic.
 */
const URL_IN_TEXT = /\b([a-z][a-z0-9+.-]{0,31}):\/\/([^\s"'<>`\\]*)/gi;

function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** `a=1&password=x;b` with the values of secret names masked (query strings and fragments). */
function redactParams(params: string): string {
  return params.replace(/([^&;=]*)=([^&;]*)/g, (pair, name: string, value: string) =>
    value !== '' && value !== MASK && isSecretName(decodedName(name)) ? `${name}=${MASK}` : pair,
  );
}

/** Where the userinfo of `rest` (what follows `scheme://`) ends, at its last @; -1 when there is none. */
function userinfoEnd(rest: string): number {
  const delimiter = rest.search(/[/?#]/);
  const authorityEnd = delimiter === -1 ? rest.length : delimiter;
  const at = rest.lastIndexOf('@', authorityEnd);
  if (at !== -1 && at < authorityEnd) return at;
  // A password holding a raw / ? or # (drivers fail on it, and print it): user:pa/ss@host.
  // host:port/path@x is not one (the port is digits).
  if (delimiter === -1) return -1;
  const later = rest.indexOf('@', delimiter);
  if (later === -1 || /\s/.test(rest.slice(0, later))) return -1;
  const colon = rest.indexOf(':');
  if (colon === -1 || colon > authorityEnd) return -1;
  return /^\d*$/.test(rest.slice(colon + 1, authorityEnd)) ? -1 : later;
}

/** The sentence punctuation (. , ; : ! ? ) ] }) a text ends with; a loop, as a regex would be quadratic. */
function trailingPunctuation(text: string): string {
  let start = text.length;
  while (start > 0 && '.,;:!?)]}'.includes(text.charAt(start - 1))) start--;
  return text.slice(start);
}

function redactOneUrl(scheme: string, text: string): string {
  // Sentence punctuation after a URL is not part of it.
  const trailing = trailingPunctuation(text);
  let rest = text.slice(0, text.length - trailing.length);
  let userinfo = '';
  const end = userinfoEnd(rest);
  if (end !== -1) {
    const raw = rest.slice(0, end);
    const colon = raw.indexOf(':');
    if (colon !== -1) userinfo = `${raw.slice(0, colon)}:${colon === raw.length - 1 ? '' : MASK}@`;
    else userinfo = `${TOKEN_AS_USER.has(scheme.toLowerCase()) && raw !== '' ? MASK : raw}@`;
    rest = rest.slice(end + 1);
  }
  const q = rest.search(/[?#]/);
  if (q !== -1) {
    const hash = rest.indexOf('#', q);
    const query = hash === -1 ? rest.slice(q) : rest.slice(q, hash);
    const fragment = hash === -1 ? '' : rest.slice(hash);
    rest = `${rest.slice(0, q)}${redactParams(query)}${redactParams(fragment)}`;
  }
  return `${scheme}://${userinfo}${rest}${trailing}`;
}

/**
 * Other places credentials sit in text. Values never take a `"` or `\` (see the
 * header), except inside a pair of quotes that are themselves content.
 */
type Rule = [needs: string, pattern: RegExp, replace: (match: string, ...groups: string[]) => string];

/** The rules, each with a character its matches always hold (so most are skipped at once). */
const NAMED_VALUES: Rule[] = [
  // "name": "value" (JSON) and 'name': 'value'.
  [
    '"',
    /"([A-Za-z_][\w.-]*)"(\s*:\s*)"(?:[^"\\]|\\.)*"/g,
    (m, name, sep) => (isSecretName(name) ? `"${name}"${sep}"${MASK}"` : m),
  ],
  [
    "'",
    /'([A-Za-z_][\w.-]*)'(\s*:\s*)'(?:[^'"\\\n]|\\[^"\\\n])*'/g,
    (m, name, sep) => (isSecretName(name) ? `'${name}'${sep}'${MASK}'` : m),
  ],
  // \"name\": \"value\": JSON inside a JSON string (an error message in a log line). The
  // quotes are escaped ones (an odd run of backslashes), all alike, and the value holds no
  // backslash, so the match begins and ends inside the same string.
  [
    '\\',
    /(?<!\\)((?:\\\\)*\\")([A-Za-z_][\w.-]*)\1(\s*:\s*)\1[^"\\\n]*\1/g,
    (m, q, name, sep) => (isSecretName(name) ? `${q}${name}${q}${sep}${q}${MASK}${q}` : m),
  ],
  // name: 'value' (util.inspect of an object).
  [
    "'",
    /(?<![\w.-])([A-Za-z_][\w.-]*)(\s*:\s*)'(?:[^'"\\\n]|\\[^"\\\n])*'/g,
    (m, name, sep) => (isSecretName(name) ? `${name}${sep}'${MASK}'` : m),
  ],
  // password: value, unquoted (a message that labels a credential), for the unambiguous names
  // only, and only values that look like one: "token: token has no option" is a sentence.
  [
    ':',
    /(?<![\w.-])((?:client_|private_)?(?:password|passwd|secret|api[_-]?key|apikey|private_key)|(?:access_|refresh_|id_)?token)(\s*:\s*)(?!\*\*\*)([^\s"'&,;<>()[\]{}\\]+)/gi,
    (m, name, sep, value) => (/[^A-Za-z]/.test(value) || value.length >= 12 ? `${name}${sep}${MASK}` : m),
  ],
  // name=\"value\", as the previous-but-one.
  [
    '\\',
    /(?<![\w.-])([A-Za-z_][\w.-]*)(\s*=\s*)((?:\\\\)*\\")[^"\\\n]*\3/g,
    (m, name, sep, q) => (isSecretName(name) ? `${name}${sep}${q}${MASK}${q}` : m),
  ],
  // name=value, name='value', name="value" (query strings, libpq, headers in text). A raw "
  // followed by , : } or ] closes a JSON string rather than opening a value.
  [
    '=',
    /(?<![\w.-])([A-Za-z_][\w.-]*)(\s*=\s*)('[^'"\\\n]*'|"(?![,:}\]])[^"\\\n]*"|[^\s&;,"'<>()[\]{}\\]+)/g,
    (m, name, sep, value) => {
      if (!isSecretName(name) || /^\*\*\*[.,;:!?)\]}]*$/.test(value)) return m;
      const quote = /^["']/.exec(value)?.[0];
      if (quote !== undefined) return `${name}${sep}${quote}${MASK}${quote}`;
      // Sentence punctuation after an unquoted value is not part of it.
      const trailing = trailingPunctuation(value);
      return trailing === value ? m : `${name}${sep}${MASK}${trailing}`;
    },
  ],
];

/** Credentials that say what they are by their shape, whatever names them. */
const SHAPED: Array<[RegExp, string]> = [
  // PEM private keys (never past a raw quote: in a log line the key sits inside one JSON string).
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----(?:\\.|[^"\\])*?(?:-----END [A-Z ]*PRIVATE KEY-----|(?="|$))/g, MASK],
  // Authorization: Bearer/Basic <credential>; "Bearer token" and "Basic authentication" are words, not credentials.
  [/\b(Bearer|Basic)\s+(?=[A-Za-z0-9._~+/=-]*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${MASK}`],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, MASK],
  [/\bya29\.[A-Za-z0-9._-]+/g, MASK],
  [/\b(whsec|sk_live|sk_test|rk_live|rk_test)_[A-Za-z0-9+/=]{8,}/g, `$1_${MASK}`],
  [/\b(gh[pousr])_[A-Za-z0-9]{20,}/g, `$1_${MASK}`],
];

const MAY_HOLD_SHAPE = /KEY-----|b(?:earer|asic)\s|eyJ|ya29|whsec_|[sr]k_|gh[pousr]_/i;

/** Text with every credential it carries replaced by *** (see the header for what counts). */
export function redactSecrets(text: string): string {
  if (!text.includes('://') && !MAY_HOLD_SECRET.test(text)) return text;
  let out = text.includes('://')
    ? text.replace(URL_IN_TEXT, (_m, scheme: string, rest: string) => redactOneUrl(scheme, rest))
    : text;
  for (const [needs, re, replace] of NAMED_VALUES) if (out.includes(needs)) out = out.replace(re, replace);
  if (MAY_HOLD_SHAPE.test(out)) for (const [re, replace] of SHAPED) out = out.replace(re, replace);
  return out;
}

/** Every string inside a value (objects, arrays, nested) through redactSecrets; other values as they are. */
export function redactDeep<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redactSecrets(value) as T;
  if (depth > 10 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v: unknown) => redactDeep(v, depth + 1)) as T;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k,
      isSecretName(k) && typeof v === 'string' ? MASK : redactDeep(v, depth + 1),
    ]),
  ) as T;
}

/**
 * A connection string as an operator may see it: its credentials masked (see
 * redactSecrets), the rest as written. Text that is not a URL is all ***.
 */
export function redactUrl(value: string): string {
  return URL.canParse(value) ? redactSecrets(value) : MASK;
}
