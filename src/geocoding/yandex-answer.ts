/**
 * A typed parser of Yandex Geocoder HTTP API 1.x JSON (format=json):
 *
 *   response.GeoObjectCollection.featureMember[].GeoObject
 *     .Point.pos                      "longitude latitude" (this order: GeoJSON's, not ours)
 *     .uri                            ymapsbm1://geo?… → place_id
 *     .metaDataProperty.GeocoderMetaData
 *        .precision, .kind, .text
 *        .Address.formatted, .country_code, .postal_code, .Components[{kind, name}]
 *
 * An empty featureMember is not-found. Only the first member is used (Yandex
 * orders by relevance; for a reverse lookup the first is the most precise
 * object at the point). Anything off this shape is a ShapeError, which the
 * provider reports as malformed.
 *
 * Components by kind: country; region = the last province (Yandex lists the
 * federal district first, then the subject: "Центральный федеральный округ",
 * "Москва"), else area; city = the first locality; street; house.
 * Precision and confidence: precision.ts.
 */
import { confidenceOf, yandexPrecision } from './precision.js';
import { array, latitude, longitude, object, optionalString, ShapeError, string } from './shape.js';
import type { AddressComponents, ForwardResult, ProviderAnswer, ReverseResult } from './types.js';

export interface YandexObject {
  latitude: number;
  longitude: number;
  formatted_address: string;
  components: AddressComponents;
  uri: string | null;
  precision: string | undefined;
  kind: string | undefined;
}

/** "37.584716 55.752149" → longitude 37.584716, latitude 55.752149. */
export function readPos(value: unknown, path: string): { latitude: number; longitude: number } {
  const parts = string(value, path).trim().split(/\s+/);
  if (parts.length !== 2) throw new ShapeError(path, '"longitude latitude"');
  const [lon, lat] = parts.map(Number);
  return { longitude: longitude(lon, `${path} (longitude)`), latitude: latitude(lat, `${path} (latitude)`) };
}

function readComponents(address: Record<string, unknown>, path: string): AddressComponents {
  const list = array(address.Components ?? [], `${path}.Components`).map((c, i) => {
    const o = object(c, `${path}.Components[${i}]`);
    return {
      kind: string(o.kind, `${path}.Components[${i}].kind`),
      name: string(o.name, `${path}.Components[${i}].name`),
    };
  });
  const first = (kind: string) => list.find((c) => c.kind === kind)?.name ?? null;
  const last = (kind: string) => list.filter((c) => c.kind === kind).at(-1)?.name ?? null;
  const countryCode = optionalString(address.country_code, `${path}.country_code`);
  return {
    country: first('country'),
    country_code: countryCode === undefined ? null : countryCode.toUpperCase(),
    region: last('province') ?? first('area'),
    city: first('locality'),
    street: first('street'),
    house_number: first('house'),
    postal_code: optionalString(address.postal_code, `${path}.postal_code`) ?? null,
  };
}

function readObject(value: unknown, path: string): YandexObject {
  const member = object(value, path);
  const geo = object(member.GeoObject, `${path}.GeoObject`);
  const meta = object(
    object(geo.metaDataProperty, `${path}.GeoObject.metaDataProperty`).GeocoderMetaData,
    `${path}.GeoObject.metaDataProperty.GeocoderMetaData`,
  );
  const metaPath = `${path}.GeoObject.metaDataProperty.GeocoderMetaData`;
  const address = object(meta.Address, `${metaPath}.Address`);
  const point = readPos(object(geo.Point, `${path}.GeoObject.Point`).pos, `${path}.GeoObject.Point.pos`);
  const formatted =
    optionalString(address.formatted, `${metaPath}.Address.formatted`) ??
    string(meta.text, `${metaPath}.text`);
  return {
    ...point,
    formatted_address: formatted,
    components: readComponents(address, `${metaPath}.Address`),
    uri: optionalString(geo.uri, `${path}.GeoObject.uri`) ?? null,
    precision: optionalString(meta.precision, `${metaPath}.precision`),
    kind: optionalString(meta.kind, `${metaPath}.kind`),
  };
}

/** The first GeoObject of an answer, or undefined when Yandex found nothing. */
export function firstObject(data: unknown): YandexObject | undefined {
  const response = object(object(data, 'answer').response, 'response');
  const collection = object(response.GeoObjectCollection, 'response.GeoObjectCollection');
  const members = array(collection.featureMember, 'response.GeoObjectCollection.featureMember');
  return members.length === 0
    ? undefined
    : readObject(members[0], 'response.GeoObjectCollection.featureMember[0]');
}

export function forwardAnswer(data: unknown): ProviderAnswer<ForwardResult> {
  const o = firstObject(data);
  if (o === undefined) return { status: 'not_found' };
  const precision = yandexPrecision(o.precision);
  return {
    status: 'found',
    result: {
      latitude: o.latitude,
      longitude: o.longitude,
      formatted_address: o.formatted_address,
      components: o.components,
      place_id: o.uri,
      precision,
      confidence: confidenceOf(precision),
    },
  };
}

export function reverseAnswer(data: unknown): ProviderAnswer<ReverseResult> {
  const o = firstObject(data);
  if (o === undefined) return { status: 'not_found' };
  const c = o.components;
  return {
    status: 'found',
    result: {
      formatted_address: o.formatted_address,
      street: c.street,
      house_number: c.house_number,
      city: c.city,
      postal_code: c.postal_code,
      country: c.country,
      latitude: o.latitude,
      longitude: o.longitude,
    },
  };
}
