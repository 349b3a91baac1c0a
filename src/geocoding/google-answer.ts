/**
 * Google Geocoding API answers (status OK or ZERO_RESULTS) into our results.
 * Only the first result is used: Google orders them by relevance.
 *
 * address_components → components, by type:
 *   country            long_name → country, short_name → country_code
 *   administrative_area_level_1 → region
 *   locality, else postal_town (UK addresses name the town there), else
 *     administrative_area_level_3 → city
 *   route → street; street_number, else premise → house_number; postal_code
 * Precision and confidence: precision.ts.
 */
import { confidenceOf, googlePrecision } from './precision.js';
import {
  array,
  latitude,
  longitude,
  object,
  optionalString,
  string,
  stringArray,
  type Json,
} from './shape.js';
import type { AddressComponents, ForwardResult, ProviderAnswer, ReverseResult } from './types.js';

interface GoogleComponent {
  long_name: string;
  short_name: string;
  types: string[];
}

interface GoogleResult {
  latitude: number;
  longitude: number;
  formatted_address: string;
  components: AddressComponents;
  place_id: string | null;
  location_type: string | undefined;
  types: string[];
  partial_match: boolean;
}

function readComponents(value: unknown, path: string): AddressComponents {
  const list: GoogleComponent[] = array(value, path).map((c, i) => {
    const o = object(c, `${path}[${i}]`);
    return {
      long_name: string(o.long_name, `${path}[${i}].long_name`),
      short_name: string(o.short_name, `${path}[${i}].short_name`),
      types: stringArray(o.types, `${path}[${i}].types`),
    };
  });
  const find = (...types: string[]): GoogleComponent | undefined => {
    for (const type of types) {
      const hit = list.find((c) => c.types.includes(type));
      if (hit) return hit;
    }
    return undefined;
  };
  const country = find('country');
  return {
    country: country?.long_name ?? null,
    country_code: country ? country.short_name.toUpperCase() : null,
    region: find('administrative_area_level_1')?.long_name ?? null,
    city: find('locality', 'postal_town', 'administrative_area_level_3')?.long_name ?? null,
    street: find('route')?.long_name ?? null,
    house_number: find('street_number', 'premise')?.long_name ?? null,
    postal_code: find('postal_code')?.long_name ?? null,
  };
}

function readResult(value: unknown): GoogleResult {
  const r = object(value, 'results[0]');
  const geometry = object(r.geometry, 'results[0].geometry');
  const location = object(geometry.location, 'results[0].geometry.location');
  const partial = r.partial_match;
  return {
    latitude: latitude(location.lat, 'results[0].geometry.location.lat'),
    longitude: longitude(location.lng, 'results[0].geometry.location.lng'),
    formatted_address: string(r.formatted_address, 'results[0].formatted_address'),
    components: readComponents(r.address_components, 'results[0].address_components'),
    place_id: optionalString(r.place_id, 'results[0].place_id') ?? null,
    location_type: optionalString(geometry.location_type, 'results[0].geometry.location_type'),
    types: r.types === undefined ? [] : stringArray(r.types, 'results[0].types'),
    partial_match: partial === true,
  };
}

/** The first result of an OK answer; undefined for ZERO_RESULTS or an OK with no results. */
function firstResult(data: Json): GoogleResult | undefined {
  if (data.status === 'ZERO_RESULTS') return undefined;
  const results = array(data.results, 'results');
  return results.length === 0 ? undefined : readResult(results[0]);
}

export function forwardAnswer(data: Json): ProviderAnswer<ForwardResult> {
  const r = firstResult(data);
  if (r === undefined) return { status: 'not_found' };
  const precision = googlePrecision(r.location_type, r.types);
  return {
    status: 'found',
    result: {
      latitude: r.latitude,
      longitude: r.longitude,
      formatted_address: r.formatted_address,
      components: r.components,
      place_id: r.place_id,
      precision,
      confidence: confidenceOf(precision, r.partial_match),
    },
  };
}

export function reverseAnswer(data: Json): ProviderAnswer<ReverseResult> {
  const r = firstResult(data);
  if (r === undefined) return { status: 'not_found' };
  const c = r.components;
  return {
    status: 'found',
    result: {
      formatted_address: r.formatted_address,
      street: c.street,
      house_number: c.house_number,
      city: c.city,
      postal_code: c.postal_code,
      country: c.country,
      latitude: r.latitude,
      longitude: r.longitude,
    },
  };
}
