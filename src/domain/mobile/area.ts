import { invalid } from '../shared/errors.js';
import { greatCircleKm, type LatLng } from '../shared/geo.js';

/**
 * Area served by a unit: the communes within a distance, or an estimated driving time,
 * of one of its stops. Pure: commune points come in as input (the reference centroids).
 *
 * Driving time is estimated from the great-circle distance × a detour factor at an average
 * speed (defaults 1.3 and 60 km/h, ANCT-style estimates for rural roads). A caller with a router
 * (OSRM) passes `travelMinutes` instead.
 */
export interface CommunePoint {
  readonly code: string;
  readonly name: string;
  readonly lat: number;
  readonly lon: number;
  readonly population: number;
}

export interface TravelModel {
  readonly detourFactor: number;
  readonly speedKmh: number;
}
export const DEFAULT_TRAVEL: TravelModel = { detourFactor: 1.3, speedKmh: 60 };

export const estimateMinutes = (a: LatLng, b: LatLng, model: TravelModel = DEFAULT_TRAVEL): number =>
  (greatCircleKm(a, b) * model.detourFactor * 60) / model.speedKmh;

export type Reach = { readonly maxKm: number } | { readonly maxMinutes: number };

export interface ServedCommune {
  readonly code: string;
  readonly name: string;
  readonly population: number;
  readonly nearestStop: string;
  readonly distanceKm: number;
  readonly minutes: number;
}

export interface AreaServed {
  readonly communes: readonly ServedCommune[];
  readonly population: number;
}

export interface StopPoint extends LatLng {
  readonly id: string;
}

export function areaServed(
  stops: readonly StopPoint[],
  communes: readonly CommunePoint[],
  reach: Reach,
  model: TravelModel = DEFAULT_TRAVEL,
): AreaServed {
  const maxKm =
    'maxKm' in reach ? reach.maxKm : (reach.maxMinutes * model.speedKmh) / 60 / model.detourFactor;
  if (!Number.isFinite(maxKm) || maxKm <= 0 || maxKm > 500) {
    throw invalid(
      'maxKm' in reach ? 'maxKm' : 'maxMinutes',
      'La portée doit être positive et raisonnable (500 km au plus).',
    );
  }
  // Bounding-box prefilter: 1° of latitude ≈ 111 km; longitude shrinks with cos(lat).
  const dLat = maxKm / 110;
  const served: ServedCommune[] = [];
  let population = 0;
  for (const c of communes) {
    let best: StopPoint | undefined;
    let bestKm = Number.POSITIVE_INFINITY;
    for (const s of stops) {
      if (Math.abs(c.lat - s.lat) > dLat) continue;
      const dLon = maxKm / (111 * Math.max(0.1, Math.cos((s.lat * Math.PI) / 180)));
      if (Math.abs(c.lon - s.lon) > dLon) continue;
      const km = greatCircleKm(s, c);
      if (km < bestKm) {
        bestKm = km;
        best = s;
      }
    }
    if (best && bestKm <= maxKm) {
      const pop = Number.isFinite(c.population) && c.population > 0 ? c.population : 0;
      population += pop;
      served.push({
        code: c.code,
        name: c.name,
        population: pop,
        nearestStop: best.id,
        distanceKm: Math.round(bestKm * 10) / 10,
        minutes: Math.round((bestKm * model.detourFactor * 60) / model.speedKmh),
      });
    }
  }
  served.sort((a, b) => a.distanceKm - b.distanceKm || (a.code < b.code ? -1 : 1));
  return { communes: served, population };
}
