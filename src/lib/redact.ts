/** Replaces the password of a URL with ***, so a connection string can be shown to an operator. */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '***';
  }
}
