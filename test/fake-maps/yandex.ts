/**
 * A fake Yandex Geocoder HTTP API 1.x (GET /1.x/), driven through our fetch
 * client pointed at it.
 *
 * Like Yandex: apikey other than the one it was started with → 403
 * {"statusCode":403,"error":"Forbidden","message":"Invalid api key"}; no
 * geocode → 400; format other than json → XML (Yandex's default); a geocode
 * of two numbers is a point read as "longitude,latitude" unless
 * sco=latlong, and finds the nearest known house within 300 m, then its city
 * (results= cuts the list); other text is an address. Positions are written
 * "longitude latitude". Found nothing → featureMember [] with found "0".
 */
import { PLACES, type Place } from './places.js';
import { distanceMetres, FakeHttpServer, json, normalise, type FakeRequest, type Reply } from './http.js';

export const YANDEX_PATH = '/1.x/';
const REVERSE_RADIUS_M = 300;
const POINT = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Yandex has no fault kinds of its own: HTTP statuses say it all. */
export type YandexFault = { kind: 'never' };

function error(status: number, error: string, message: string): Reply {
  return json(status, { statusCode: status, error, message });
}

function member(p: Place): Record<string, unknown> {
  const y = p.yandex;
  const [lon = 0, lat = 0] = y.pos.split(' ').map(Number);
  return {
    GeoObject: {
      metaDataProperty: {
        GeocoderMetaData: {
          precision: y.precision,
          text: y.formatted,
          kind: y.kind,
          Address: {
            country_code: y.country_code,
            formatted: y.formatted,
            ...(y.postal_code === undefined ? {} : { postal_code: y.postal_code }),
            Components: y.components,
          },
          AddressDetails: { Country: { AddressLine: y.formatted, CountryNameCode: y.country_code } },
        },
      },
      name: y.name,
      description: y.description,
      boundedBy: {
        Envelope: {
          lowerCorner: `${(lon - 0.004).toFixed(6)} ${(lat - 0.002).toFixed(6)}`,
          upperCorner: `${(lon + 0.004).toFixed(6)} ${(lat + 0.002).toFixed(6)}`,
        },
      },
      uri: y.uri,
      Point: { pos: y.pos },
    },
  };
}

/** The locality around a place, as Yandex lists it after the house in a reverse answer. */
function cityMember(p: Place): Record<string, unknown> {
  const y = p.yandex;
  const components = y.components.filter((c) => ['country', 'province', 'area', 'locality'].includes(c.kind));
  const city = components.find((c) => c.kind === 'locality')?.name ?? '';
  const country = components.find((c) => c.kind === 'country')?.name ?? '';
  const text = `${country}, ${city}`;
  return {
    GeoObject: {
      metaDataProperty: {
        GeocoderMetaData: {
          precision: 'other',
          text,
          kind: 'locality',
          Address: { country_code: y.country_code, formatted: text, Components: components },
        },
      },
      name: city,
      description: country,
      uri: `ymapsbm1://geo?data=city-${p.id}`,
      Point: { pos: y.pos },
    },
  };
}

function collection(request: string, members: Record<string, unknown>[], limit: number): Reply {
  const shown = members.slice(0, limit);
  return json(200, {
    response: {
      GeoObjectCollection: {
        metaDataProperty: {
          GeocoderResponseMetaData: { request, results: String(limit), found: String(members.length) },
        },
        featureMember: shown,
      },
    },
  });
}

export class FakeYandexMaps extends FakeHttpServer<YandexFault> {
  constructor(readonly apiKey: string) {
    super();
  }

  geocodeRequests(): FakeRequest[] {
    return this.requests.filter((r) => r.path === YANDEX_PATH);
  }

  protected ownFault(): Reply {
    throw new Error('the Yandex fake has no faults of its own');
  }

  protected answer(r: FakeRequest): Reply {
    if (r.path !== YANDEX_PATH && r.path !== '/1.x') return error(404, 'Not Found', 'Not Found');
    if (r.query.apikey !== this.apiKey) return error(403, 'Forbidden', 'Invalid api key');
    const geocode = r.query.geocode;
    if (geocode === undefined || geocode.trim() === '')
      return error(400, 'Bad Request', 'Missing "geocode" parameter');
    if (r.query.format !== 'json') {
      return {
        status: 200,
        body: '<?xml version="1.0" encoding="utf-8"?><ymaps xmlns="http://maps.yandex.ru/ymaps/1.x"></ymaps>',
        contentType: 'text/xml; charset=utf-8',
      };
    }
    const limit = Math.max(1, Math.min(50, Number(r.query.results ?? '10') || 10));
    const point = POINT.exec(geocode);
    if (point) {
      const [a, b] = [Number(point[1]), Number(point[2])];
      const [lat, lng] = r.query.sco === 'latlong' ? [a, b] : [b, a];
      const near = PLACES.filter((p) => p.reverse)
        .map((p) => ({ p, d: distanceMetres(lat, lng, p.lat, p.lng) }))
        .filter((x) => x.d <= REVERSE_RADIUS_M)
        .sort((x, y) => x.d - y.d)[0]?.p;
      return collection(geocode, near ? [member(near), cityMember(near)] : [], limit);
    }
    const wanted = normalise(geocode);
    const place = PLACES.find((p) => p.aliases.some((alias) => normalise(alias) === wanted));
    return collection(geocode, place ? [member(place)] : [], limit);
  }
}

export async function startFakeYandexMaps(apiKey: string): Promise<FakeYandexMaps> {
  const fake = new FakeYandexMaps(apiKey);
  await fake.start();
  return fake;
}
