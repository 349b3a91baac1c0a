/**
 * Drives autocannon with a planned mix and attributes every answer to its
 * kind. autocannon reports latency only for the whole run; but it calls the
 * answered request's onResponse and then emits 'response' (with the latency)
 * synchronously one after the other, so the kind noted by the first is the
 * kind of the second.
 */
import autocannon from 'autocannon';
import type { PlannedRequest } from './mix.js';
import { EXPECTED, type Kind } from './mix.js';
import { LoadStats } from './stats.js';

export interface LoadOptions {
  url: URL;
  users: number;
  /** Requests per second over all users; undefined = as fast as answers come. */
  rate?: number;
  durationSeconds: number;
  requests: PlannedRequest[];
  kinds: Kind[];
  /** Called about once a second with the progress so far. */
  onTick?: (elapsedSeconds: number, stats: LoadStats) => void;
  signal?: AbortSignal;
}

export interface LoadRun {
  stats: LoadStats;
  seconds: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const stats = new LoadStats(options.kinds);
  let answered: { kind: Kind; status: number } | undefined;
  const requests: autocannon.Request[] = options.requests.map((planned) => {
    const request: autocannon.Request = {
      method: planned.method,
      path: planned.path,
      onResponse: (status: number) => {
        answered = { kind: planned.kind, status };
      },
    };
    const build = planned.build;
    if (build !== undefined) {
      request.setupRequest = (req: autocannon.Request) => {
        const { headers, body } = build();
        return { ...req, headers, body };
      };
    }
    return request;
  });
  const started = performance.now();
  return new Promise<LoadRun>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url.origin,
        connections: options.users,
        duration: options.durationSeconds,
        ...(options.rate === undefined ? {} : { overallRate: options.rate }),
        requests,
        timeout: 10,
      },
      (err: unknown) => {
        options.signal?.removeEventListener('abort', stop);
        if (err)
          reject(err instanceof Error ? err : new Error(`the load run failed: ${JSON.stringify(err)}`));
        else resolve({ stats, seconds: (performance.now() - started) / 1000 });
      },
    );
    const stop = () => instance.stop();
    options.signal?.addEventListener('abort', stop);
    instance.on('response', (_client, status, _bytes, ms) => {
      const kind = answered?.kind;
      answered = undefined;
      if (kind !== undefined) stats.record(kind, status, ms, EXPECTED[kind].includes(status));
    });
    instance.on('reqError', () => stats.transportErrors++);
    instance.on('tick', () => options.onTick?.((performance.now() - started) / 1000, stats));
  });
}
