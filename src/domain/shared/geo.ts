import { invalid } from './errors.js';

export interface LatLng {
  readonly lat: number;
  readonly lon: number;
}

const EARTH_RADIUS_KM = 6371.0088;
const toRad = (deg: number) => (deg * Math.PI) / 180;

/** Smart constructor: the error names the field at fault. */
export function latLng(lat: unknown, lon: unknown, field = 'coordonnees'): LatLng {
  if (typeof lat !== 'number' || !Number.isFinite(lat) || lat < -90 || lat > 90) {
    throw invalid(`${field}.lat`, 'La latitude doit être un nombre entre -90 et 90.');
  }
  if (typeof lon !== 'number' || !Number.isFinite(lon) || lon < -180 || lon > 180) {
    throw invalid(`${field}.lon`, 'La longitude doit être un nombre entre -180 et 180.');
  }
  return Object.freeze({ lat, lon });
}

/** Great-circle distance in kilometres (haversine). */
export function greatCircleKm(a: LatLng, b: LatLng): number {
  const dLat = toRad(b.lat - a.lat);
  const dLon = toRad(b.lon - a.lon);
  const h =
    Math.sin(dLat / 2) ** 2 + Math.cos(toRad(a.lat)) * Math.cos(toRad(b.lat)) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Rough boxes for France: metropolitan France with Corsica, and each DROM.
 * Used to reject coordinates that are clearly outside the country (swapped lat/lon, zeros, typos).
 */
const FRANCE_BOXES: ReadonlyArray<readonly [minLat: number, maxLat: number, minLon: number, maxLon: number]> =
  [
    [41.2, 51.2, -5.3, 9.7], // métropole + Corse
    [15.8, 16.6, -61.9, -60.9], // Guadeloupe
    [14.3, 14.95, -61.3, -60.75], // Martinique
    [2.0, 6.0, -54.7, -51.5], // Guyane
    [-21.5, -20.8, 55.1, 55.9], // La Réunion
    [-13.1, -12.5, 44.9, 45.4], // Mayotte
    [46.7, 47.2, -56.5, -56.0], // Saint-Pierre-et-Miquelon
    [17.8, 18.2, -63.2, -62.7], // Saint-Martin, Saint-Barthélemy
    [-23, -8, -155, -134], // Polynésie française
    [-23, -19, 163, 169], // Nouvelle-Calédonie
    [-14.5, -13, -178.5, -176], // Wallis-et-Futuna
  ];

export function isInFrance(p: LatLng): boolean {
  return FRANCE_BOXES.some(([a, b, c, d]) => p.lat >= a && p.lat <= b && p.lon >= c && p.lon <= d);
}
