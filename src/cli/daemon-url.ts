/**
 * The daemon a HTTP-speaking command (health, loadtest) talks to: --url or the
 * positional URL, else this machine's PORT from the same configuration as the
 * daemon. Reaching failures become one line that says what to check.
 */
import type { Config } from '../config/schema.js';
import { CommandFailed, UsageError } from './io.js';

export function daemonUrl(given: string | undefined, config: Config, flag: string): URL {
  const text = given ?? `http://127.0.0.1:${config.port}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a URL like http://127.0.0.1:8009`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} ${JSON.stringify(text)} must be an http:// or https:// URL`);
  }
  return url;
}

/**
 * The message of a daemon's JSON answer: {"error":{"message"}} for errors,
 * {"message"} for stream notices; undefined when the text holds neither.
 */
export function answerMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { message?: unknown; error?: { message?: unknown } };
    const message = body.error?.message ?? body.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Why a request got no answer: the system's code (ECONNREFUSED, ...), else the message. */
export function fetchFailure(err: unknown): string {
  const inner = (err as { cause?: { code?: string; message?: string } }).cause;
  return inner?.code ?? inner?.message ?? (err instanceof Error ? err.message : String(err));
}

/** "cannot reach the daemon at http://…: ECONNREFUSED; is integrationd running?" */
export function unreachable(base: URL, err: unknown, flag: string): CommandFailed {
  return new CommandFailed(
    `cannot reach the daemon at ${base.origin} (${fetchFailure(err)}); is integrationd running there? (${flag})`,
  );
}
