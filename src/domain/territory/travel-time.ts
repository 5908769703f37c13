/**
 * Travel time estimated from great-circle distance: minutes = km × detour / speed × 60.
 * Detour factor (road length / straight line) and mean door-to-door car speed depend on the
 * density class of the commune people start from (INSEE grille communale à 7 niveaux).
 *
 * Default values, and why:
 * - detour 1.3 is the usual road-network circuity measured in France and Europe (1.2–1.4);
 *   it is higher in dense cities (street grid, one-way systems) and in "rural très dispersé"
 *   (mountain roads), lower on the open road of bourgs ruraux;
 * - speeds are averages including parking and town crossings: ~20 km/h in the large urban
 *   centres, ~60–65 km/h on rural departmental roads, a little less where habitat is very
 *   dispersed (mountain).
 * They are meant to be overridden (config, CLI) or replaced by an OSRM `/table` adapter.
 */
import { invalid } from '../shared/errors.js';
import type { LatLng } from '../shared/geo.js';
import type { DensiteGrille4, DensiteGrille7 } from './reference-files.js';

export interface TravelClassParams {
  readonly detour: number;
  readonly speedKmh: number;
}

export type TravelModelParams = Readonly<Record<DensiteGrille7, TravelClassParams>>;

export const DENSITE7_LABELS: Readonly<Record<DensiteGrille7, string>> = {
  1: 'Grands centres urbains',
  2: 'Centres urbains intermédiaires',
  3: 'Petites villes',
  4: 'Ceintures urbaines',
  5: 'Bourgs ruraux',
  6: 'Rural à habitat dispersé',
  7: 'Rural à habitat très dispersé',
};

export const DEFAULT_TRAVEL_PARAMS: TravelModelParams = Object.freeze({
  1: { detour: 1.4, speedKmh: 20 },
  2: { detour: 1.35, speedKmh: 32 },
  3: { detour: 1.3, speedKmh: 42 },
  4: { detour: 1.3, speedKmh: 50 },
  5: { detour: 1.25, speedKmh: 62 },
  6: { detour: 1.25, speedKmh: 65 },
  7: { detour: 1.35, speedKmh: 60 },
});

/** A 4-level class (when only the 4-level grid is known) read as its most common 7-level class. */
export const GRILLE7_OF_GRILLE4: Readonly<Record<DensiteGrille4, DensiteGrille7>> = {
  1: 1,
  2: 4,
  3: 6,
  4: 7,
};

/** Class used where the density grid says nothing (COM, unknown code): intermediate. */
export const FALLBACK_CLASS: DensiteGrille7 = 4;

export interface TravelModel {
  readonly params: TravelModelParams;
  /** Estimated minutes for a great-circle distance, starting from a commune of class `c`. */
  minutes(km: number, c: DensiteGrille7): number;
  /** The great-circle radius reachable within `minutes` from class `c`. */
  radiusKm(minutes: number, c: DensiteGrille7): number;
}

/** Builds a model, overriding any class's detour or speed; every value is checked. */
export function travelModel(
  overrides: Partial<Record<DensiteGrille7, Partial<TravelClassParams>>> = {},
): TravelModel {
  const params = {} as Record<DensiteGrille7, TravelClassParams>;
  for (const c of [1, 2, 3, 4, 5, 6, 7] as const) {
    const p = { ...DEFAULT_TRAVEL_PARAMS[c], ...(overrides[c] ?? {}) };
    if (!Number.isFinite(p.detour) || p.detour < 1 || p.detour > 3) {
      throw invalid(`travel.${c}.detour`, `Le facteur de détour doit être entre 1 et 3 (classe ${c}).`);
    }
    if (!Number.isFinite(p.speedKmh) || p.speedKmh < 5 || p.speedKmh > 130) {
      throw invalid(`travel.${c}.speedKmh`, `La vitesse doit être entre 5 et 130 km/h (classe ${c}).`);
    }
    params[c] = Object.freeze(p);
  }
  Object.freeze(params);
  return {
    params,
    minutes: (km, c) => ((km * params[c].detour) / params[c].speedKmh) * 60,
    radiusKm: (minutes, c) => ((minutes / 60) * params[c].speedKmh) / params[c].detour,
  };
}

/**
 * Parses overrides written as `7:1.35:60,1:1.4:18` (class:detour:speed), the form used by the
 * config key and the CLI. Returns a model.
 */
export function travelModelFromString(spec: string, field = 'travel'): TravelModel {
  const overrides: Partial<Record<DensiteGrille7, TravelClassParams>> = {};
  for (const part of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([1-7]):([\d.]+):([\d.]+)$/.exec(part);
    if (!m)
      throw invalid(
        field,
        `Paramètre de trajet illisible : « ${part} » (attendu classe:détour:vitesse, ex. 7:1.35:60).`,
      );
    overrides[Number(m[1]) as DensiteGrille7] = { detour: Number(m[2]), speedKmh: Number(m[3]) };
  }
  return travelModel(overrides);
}

/**
 * A travel-time matrix provider: OSRM `/table` is one (infrastructure adapter, configured by
 * URL); `estimatedMatrix` below is the built-in one. Durations are in minutes; `null` when no
 * route was found.
 */
export interface TravelTimeMatrix {
  table(sources: readonly LatLng[], destinations: readonly LatLng[]): Promise<(number | null)[][]>;
}

/** The model as a matrix provider, with each source's density class given by `classOf`. */
export function estimatedMatrix(
  model: TravelModel,
  classOf: (sourceIndex: number) => DensiteGrille7,
  distanceKm: (a: LatLng, b: LatLng) => number,
): TravelTimeMatrix {
  return {
    table: async (sources, destinations) =>
      sources.map((s, i) => destinations.map((d) => model.minutes(distanceKm(s, d), classOf(i)))),
  };
}
