/**
 * One lookup across the providers of a plan, in order, under one deadline
 * (each provider may use its share of the time left, the last all of it):
 *
 *  - found: the answer, naming who answered and who was tried;
 *  - not found at one provider: the next is tried (their coverage differs:
 *    Yandex is stronger in the CIS), and a not-found is not a failure;
 *  - a provider whose circuit is open, or over this tenant's budget, or
 *    switched off meanwhile, is skipped (nothing was sent to it);
 *  - a provider failure is remembered and the next is tried.
 *
 * When nothing was found, the outcome says why, as an error callers can
 * answer with: 404 GEOCODE_NOT_FOUND when a provider said so (and, then,
 * whether the answer is definitive enough to cache: only when every
 * provider of the plan was asked); 429 OUTBOUND_RATE_LIMITED when every one
 * was over budget; 400 GEOCODING_QUERY_REJECTED when each one tried refused
 * the query; else 502 GEOCODING_FAILED naming each provider and what went
 * wrong in words (no provider text, which may quote a request), with
 * Retry-After when a provider or a circuit said when.
 */
import { BrokenCircuitError, IsolatedCircuitError } from 'cockatiel';
import { AppError } from '../domain/errors.js';
import {
  ProviderFailure,
  type FailureKind,
  type GeocodingProvider,
  type ProviderAnswer,
  type ProviderCall,
  type ProviderName,
} from '../geocoding/index.js';
import type { ProviderPlan } from './geocoding-providers.js';

export type Resolution<T> =
  | { status: 'found'; result: T; provider: ProviderName; attempted: ProviderName[] }
  | { status: 'not_found'; attempted: ProviderName[]; definitive: boolean };

const SAID: Readonly<Record<FailureKind, string>> = {
  rate_limited: 'throttled our requests',
  auth: 'refused our API key',
  quota: 'has no quota left',
  bad_request: 'rejected the query',
  unavailable: 'is unavailable',
  malformed: 'answered something that is not its API',
  timeout: 'did not answer in time',
};

type Trouble =
  | { name: ProviderName; why: 'failure'; failure: ProviderFailure }
  | { name: ProviderName; why: 'circuit' | 'budget' | 'disabled'; retryAfter?: number };

function describe(t: Trouble): string {
  switch (t.why) {
    case 'failure':
      return `${t.name} ${SAID[t.failure.kind]}`;
    case 'circuit':
      return `${t.name} is paused after repeated failures`;
    case 'budget':
      return `${t.name} is over this tenant's budget`;
    case 'disabled':
      return `${t.name} is disabled`;
  }
}

function minimum(values: Array<number | undefined>): number | undefined {
  const given = values.filter((v): v is number => v !== undefined && v > 0);
  return given.length === 0 ? undefined : Math.min(...given);
}

function failedError(troubles: Trouble[]): AppError {
  const failures = troubles.filter((t) => t.why === 'failure');
  if (failures.length > 0 && failures.every((t) => t.failure.kind === 'bad_request'))
    return new AppError('GEOCODING_QUERY_REJECTED', `${troubles.map(describe).join('; ')}`);
  if (troubles.length > 0 && troubles.every((t) => t.why === 'budget'))
    return new AppError(
      'OUTBOUND_RATE_LIMITED',
      `every geocoding provider is over this tenant's budget (${troubles.map((t) => t.name).join(', ')}); retry after Retry-After`,
      minimum(troubles.map((t) => (t.why === 'budget' ? t.retryAfter : undefined))),
    );
  if (troubles.length > 0 && troubles.every((t) => t.why === 'disabled'))
    return new AppError(
      'EXTERNAL_SERVICE_DISABLED',
      `every geocoding provider with a key is disabled (${troubles.map((t) => t.name).join(', ')}); integctl services enable NAME`,
    );
  const retryAfter = minimum(
    troubles.map((t) =>
      t.why === 'failure' ? t.failure.retryAfterSeconds : t.why === 'disabled' ? undefined : t.retryAfter,
    ),
  );
  return new AppError(
    'GEOCODING_FAILED',
    `no geocoding provider answered: ${troubles.map(describe).join('; ')}; retry later`,
    retryAfter,
  );
}

export async function resolveAcross<T>(
  plan: ProviderPlan,
  call: ProviderCall,
  send: (provider: GeocodingProvider, call: ProviderCall) => Promise<ProviderAnswer<T>>,
  circuitRetryAfterSeconds: number,
): Promise<Resolution<T>> {
  const attempted: ProviderName[] = [];
  const troubles: Trouble[] = [];
  let notFound = false;
  const deadline = call.deadlineAt ?? Number.POSITIVE_INFINITY;
  for (const [index, slot] of plan.slots.entries()) {
    // Each provider gets its share of what is left, the last one all of it: a provider that
    // hangs or keeps retrying must not spend the time the next one needs.
    const share = (deadline - Date.now()) / (plan.slots.length - index);
    const own: ProviderCall = Number.isFinite(share) ? { ...call, deadlineAt: Date.now() + share } : call;
    let answer: ProviderAnswer<T>;
    try {
      answer = await slot.breaker.execute(() => {
        attempted.push(slot.name);
        return send(slot.provider, own);
      });
    } catch (err) {
      if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
        troubles.push({ name: slot.name, why: 'circuit', retryAfter: circuitRetryAfterSeconds });
        continue;
      }
      if (err instanceof AppError && err.code === 'OUTBOUND_RATE_LIMITED') {
        troubles.push({ name: slot.name, why: 'budget', retryAfter: err.retryAfterSeconds });
        continue;
      }
      if (err instanceof AppError && err.code === 'EXTERNAL_SERVICE_DISABLED') {
        troubles.push({ name: slot.name, why: 'disabled' });
        continue;
      }
      if (!(err instanceof ProviderFailure)) throw err;
      troubles.push({ name: slot.name, why: 'failure', failure: err });
      continue;
    }
    if (answer.status === 'found')
      return { status: 'found', result: answer.result, provider: slot.name, attempted };
    notFound = true;
  }
  if (notFound) return { status: 'not_found', attempted, definitive: troubles.length === 0 };
  for (const s of plan.skipped) if (s.reason === 'disabled') troubles.push({ name: s.name, why: 'disabled' });
  throw failedError(troubles);
}
