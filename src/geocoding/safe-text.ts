/**
 * Text from a provider (Google's error_message, Yandex's message) made safe
 * for an error message, a log line and an integration_logs row. Both
 * providers take the key in the query string, and a provider or a proxy that
 * echoes the request would echo it: the key itself is replaced wherever it
 * appears, plain or URL-encoded (redactSecrets only knows `key=…` shapes),
 * then redactSecrets() masks any other credential, and the text is cut short.
 */
import { redactSecrets } from '../lib/redact.js';

const MAX_LENGTH = 500;

export function safeText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret === '') continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  out = redactSecrets(out.replace(/\s+/g, ' ').trim());
  return out.length > MAX_LENGTH ? `${out.slice(0, MAX_LENGTH - 1)}…` : out;
}
