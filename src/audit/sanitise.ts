/**
 * What may enter integration_logs: an endpoint without its query string (API
 * keys and access tokens travel there) and an error text with anything that
 * looks like a credential replaced by *** (lib/redact.ts, the same function
 * every log line and CLI error goes through), cut to 1,000 characters.
 */
import { redactSecrets } from '../lib/redact.js';

const MAX_ERROR_LENGTH = 1000;

export function redactCredentials(text: string): string {
  const out = redactSecrets(text);
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
