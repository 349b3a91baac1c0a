/**
 * Great-circle distance on a sphere of the Earth's mean radius (IUGG,
 * 6371.0088 km), by the haversine formula: within 0.5 % of the ellipsoidal
 * distance anywhere, which is what "as the crow flies" promises; it is not a
 * route length.
 */
export const EARTH_MEAN_RADIUS_KM = 6371.0088;
export const KM_PER_MILE = 1.609344;

export interface Point {
  latitude: number;
  longitude: number;
}

export function greatCircleKm(a: Point, b: Point): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_MEAN_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}
