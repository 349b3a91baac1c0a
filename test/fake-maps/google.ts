/**
 * A fake Google Geocoding API (GET /maps/api/geocode/json), driven through
 * the real @googlemaps/google-maps-services-js client pointed at it.
 *
 * Like Google it answers HTTP 200 with a status in the body: OK with results,
 * ZERO_RESULTS for an address or point it does not know, REQUEST_DENIED for a
 * key other than the one it was started with, INVALID_REQUEST without
 * address or latlng. A test queues any other status (OVER_QUERY_LIMIT,
 * OVER_DAILY_LIMIT, UNKNOWN_ERROR, …) with Google's own error_message, or an
 * HTTP fault (http.ts). A reverse lookup finds the nearest known address
 * within 300 m and, as Google does, also the city around it.
 */
import { PLACES, type GoogleComponent, type Place } from './places.js';
import {
  distanceMetres,
  FakeHttpServer,
  HTML_PAGE,
  json,
  normalise,
  type FakeRequest,
  type Reply,
} from './http.js';

export type GoogleStatus =
  | 'ZERO_RESULTS'
  | 'OVER_QUERY_LIMIT'
  | 'OVER_DAILY_LIMIT'
  | 'REQUEST_DENIED'
  | 'INVALID_REQUEST'
  | 'UNKNOWN_ERROR';

export type GoogleFault = { kind: 'status'; status: GoogleStatus; message?: string };

/** Google's error_message for each status, as its API words them. */
export const GOOGLE_MESSAGES: Readonly<Record<GoogleStatus, string | undefined>> = {
  ZERO_RESULTS: undefined,
  OVER_QUERY_LIMIT: 'You have exceeded your rate-limit for this API.',
  OVER_DAILY_LIMIT:
    'You have exceeded your daily request quota for this API. If you did not set a custom daily request quota, verify your project has an active billing account: http://g.co/dev/maps-no-account',
  REQUEST_DENIED: 'The provided API key is invalid. ',
  INVALID_REQUEST: "Invalid request. Missing the 'address', 'components', 'latlng' or 'place_id' parameter.",
  UNKNOWN_ERROR: undefined,
};

export const GEOCODE_PATH = '/maps/api/geocode/json';
const REVERSE_RADIUS_M = 300;

function statusBody(status: GoogleStatus, message = GOOGLE_MESSAGES[status]): Record<string, unknown> {
  return { ...(message === undefined ? {} : { error_message: message }), results: [], status };
}

function resultOf(p: Place): Record<string, unknown> {
  const g = p.google;
  return {
    address_components: g.address_components,
    formatted_address: g.formatted_address,
    geometry: {
      location: { lat: p.lat, lng: p.lng },
      location_type: g.location_type,
      viewport: {
        northeast: { lat: p.lat + 0.0013, lng: p.lng + 0.0013 },
        southwest: { lat: p.lat - 0.0013, lng: p.lng - 0.0013 },
      },
    },
    ...(g.partial_match ? { partial_match: true } : {}),
    place_id: g.place_id,
    types: g.types,
  };
}

/** The city around a place: what Google lists after the address in a reverse answer. */
function cityOf(p: Place): Record<string, unknown> {
  const wanted = new Set(['locality', 'postal_town', 'administrative_area_level_1', 'country']);
  const components: GoogleComponent[] = p.google.address_components.filter((c) =>
    c.types.some((t) => wanted.has(t)),
  );
  const city = components.find((c) => c.types.includes('locality') || c.types.includes('postal_town'));
  const country = components.find((c) => c.types.includes('country'));
  return {
    address_components: components,
    formatted_address: [city?.long_name, country?.long_name].filter(Boolean).join(', '),
    geometry: {
      location: { lat: p.lat + 0.003, lng: p.lng + 0.02 },
      location_type: 'APPROXIMATE',
      viewport: {
        northeast: { lat: p.lat + 0.3, lng: p.lng + 0.3 },
        southwest: { lat: p.lat - 0.3, lng: p.lng - 0.3 },
      },
    },
    place_id: `ChIJ-city-${p.id}`,
    types: ['locality', 'political'],
  };
}

export class FakeGoogleMaps extends FakeHttpServer<GoogleFault> {
  constructor(readonly apiKey: string) {
    super();
  }

  /** Requests to the geocoding endpoint. */
  geocodeRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path === GEOCODE_PATH);
  }

  protected ownFault(fault: GoogleFault): Reply {
    return json(200, statusBody(fault.status, fault.message ?? GOOGLE_MESSAGES[fault.status]));
  }

  protected answer(r: FakeRequest): Reply {
    if (r.path !== GEOCODE_PATH)
      return { status: 404, body: HTML_PAGE, contentType: 'text/html; charset=UTF-8' };
    if (r.query.key !== this.apiKey) return json(200, statusBody('REQUEST_DENIED'));
    const { address, latlng } = r.query;
    if (address !== undefined && address.trim() !== '') {
      const wanted = normalise(address);
      const place = PLACES.find((p) => p.aliases.some((a) => normalise(a) === wanted));
      return json(200, place ? { results: [resultOf(place)], status: 'OK' } : statusBody('ZERO_RESULTS'));
    }
    if (latlng !== undefined) {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/.exec(latlng);
      if (!m) return json(200, statusBody('INVALID_REQUEST', "Invalid request. Invalid 'latlng' parameter."));
      const [lat, lng] = [Number(m[1]), Number(m[2])];
      const near = PLACES.filter((p) => p.reverse)
        .map((p) => ({ p, d: distanceMetres(lat, lng, p.lat, p.lng) }))
        .filter((x) => x.d <= REVERSE_RADIUS_M)
        .sort((a, b) => a.d - b.d)[0]?.p;
      return json(
        200,
        near ? { results: [resultOf(near), cityOf(near)], status: 'OK' } : statusBody('ZERO_RESULTS'),
      );
    }
    return json(200, statusBody('INVALID_REQUEST'));
  }
}

export async function startFakeGoogleMaps(apiKey: string): Promise<FakeGoogleMaps> {
  const fake = new FakeGoogleMaps(apiKey);
  await fake.start();
  return fake;
}
