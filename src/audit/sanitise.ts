/**
 * What may enter integration_logs: an endpoint without its query string (API
 * keys and access tokens travel there) and an error text with anything that
 * looks like a credential replaced by ***, cut to 1,000 characters.
 */
const CREDENTIALS: RegExp[] = [
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]+/gi,
  /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g,
  /\bya29\.[A-Za-z0-9._-]+/g,
  /\b(access_token|refresh_token|id_token|client_secret|private_key|api[_-]?key|key|token|password|secret)(["']?\s*[:=]\s*["']?)[^\s"'&,}]+/gi,
];

const MAX_ERROR_LENGTH = 1000;

export function redactCredentials(text: string): string {
  let out = text;
  for (const re of CREDENTIALS) {
    out = out.replace(re, (match: string, name?: string, sep?: string) =>
      typeof name === 'string' && typeof sep === 'string' && !match.startsWith('-----')
        ? `${name}${sep}***`
        : '***',
    );
  }
  return out.length > MAX_ERROR_LENGTH ? `${out.slice(0, MAX_ERROR_LENGTH - 1)}…` : out;
}

/** scheme://host/path of a URL, without query, fragment or userinfo. */
export function endpointOf(url: string | undefined): string | null {
  if (url === undefined || url === '') return null;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return redactCredentials(url.split(/[?#]/)[0] ?? '');
  }
}
