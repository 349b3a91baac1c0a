/**
 * Queries checked before anything is sent: an empty address or a point off
 * the globe would only spend budget on an answer we know (bad_request, with
 * no attempt, no audit row and no budget spent).
 */
import { ProviderFailure, type ForwardQuery, type ProviderName, type ReverseQuery } from './types.js';

/** Longer than any real address; Google's URL limit is 16 kB. */
const MAX_ADDRESS_LENGTH = 2000;

function refuse(provider: ProviderName, detail: string): ProviderFailure {
  return new ProviderFailure({ provider, kind: 'bad_request', providerStatus: 'not sent', detail });
}

export function checkForward(provider: ProviderName, query: ForwardQuery): string {
  const address = query.address.trim();
  if (address === '') throw refuse(provider, 'the address is empty');
  if (address.length > MAX_ADDRESS_LENGTH)
    throw refuse(provider, `the address is longer than ${MAX_ADDRESS_LENGTH} characters`);
  return address;
}

export function checkReverse(provider: ProviderName, query: ReverseQuery): void {
  const { latitude, longitude } = query;
  if (!Number.isFinite(latitude) || Math.abs(latitude) > 90)
    throw refuse(provider, 'latitude must be a number from -90 to 90');
  if (!Number.isFinite(longitude) || Math.abs(longitude) > 180)
    throw refuse(provider, 'longitude must be a number from -180 to 180');
}

/** A coordinate as decimal degrees with at most 7 places (about 1 cm), never in exponent form. */
export function coordinate(value: number): string {
  const fixed = value.toFixed(7).replace(/\.?0+$/, '');
  return fixed === '-0' ? '0' : fixed;
}
