/**
 * Indicators for a territory, in exactly the shape of `maillage coverage --json`, plus the
 * uncovered cantons and the deployment timeline. Method: docs/COVERAGE.md and the method page.
 */

import { DomainError } from '../shared/errors.js';
import type { Network } from './network.js';
import type { Canton } from './reference-files.js';
import type { City } from './reference-geography.js';
import type { Territory } from './territory.js';
import type { TravelModel, TravelTimeMatrix } from './travel-time.js';

export interface CoverageIndicators {
  territory: string;
  structures: { total: number; fixed: number; antennes: number; mobile: number };
  cantons: { total: number; covered: number };
  share: { rural: number; zrr: number };
  qpv: { total: number; covered: number };
  population: { total: number; within10: number; within20: number; within30: number };
  distanceKm: { mean: number; p95: number };
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

/**
 * True cantons (type C) covered by the network. A structure in a commune wholly inside a canton
 * covers it (COG). A structure in a city split between cantons (pseudo-canton V, or canton fictif
 * N) covers the canton whose outline holds its address (a bus counts at its address). Without the
 * outlines, it covers the true cantons whose bureau centralisateur is that city: an upper bound.
 */
export function coveredCantons(network: Network): Set<string> {
  const outlines = network.ref.cantonOutlines;
  if (outlines) {
    const covered = new Set<string>();
    for (const p of network.placed) {
      const city = p.city;
      if (!city.canton) continue;
      if (city.cantonType === 'C') covered.add(city.canton);
      else {
        const code = outlines.locate(city.departement, p.lon, p.lat);
        if (code) covered.add(code);
      }
    }
    return covered;
  }
  return boundByBureau(network);
}

/** The commune-based upper bound (docs/COVERAGE.md keeps it as a cross-check). */
export function boundByBureau(network: Network): Set<string> {
  const covered = new Set<string>();
  const byBureau = new Map<string, string[]>();
  for (const c of network.ref.cantons.values()) {
    if (c.type !== 'C' || !c.bureauCentralisateur) continue;
    const list = byBureau.get(c.bureauCentralisateur) ?? [];
    list.push(c.code);
    byBureau.set(c.bureauCentralisateur, list);
  }
  for (const ci of network.hostCities) {
    const city = network.ref.cities[ci] as City;
    if (!city.canton) continue;
    if (city.cantonType === 'C') covered.add(city.canton);
    else for (const code of byBureau.get(city.code) ?? []) covered.add(code);
  }
  return covered;
}

export function computeCoverage(
  network: Network,
  territory: Territory,
  model: TravelModel,
): CoverageIndicators {
  const ref = network.ref;
  const structures = { total: 0, fixed: 0, antennes: 0, mobile: 0 };
  let rural = 0;
  let zrr = 0;
  for (const p of network.placed) {
    if (!territory.hasCity(p.city)) continue;
    structures.total++;
    if (p.site.kind === 'fixed') structures.fixed++;
    else if (p.site.kind === 'antenne') structures.antennes++;
    else structures.mobile++;
    if (p.city.rural) rural++;
    if (p.city.zrr) zrr++;
  }
  const covered = coveredCantons(network);
  const cantons = { total: 0, covered: 0 };
  for (const c of ref.cantons.values()) {
    if (!territory.hasCanton(c)) continue;
    cantons.total++;
    if (covered.has(c.code)) cantons.covered++;
  }
  const qpv = { total: 0, covered: 0 };
  for (const q of ref.qpv) {
    const cities = q.communes.map((code) => ref.city(code)).filter((c): c is City => c !== undefined);
    if (!cities.some((c) => territory.hasCity(c))) continue;
    qpv.total++;
    if (cities.some((c) => network.hostCities.has(c.index))) qpv.covered++;
  }
  const d = ref.demand;
  const population = { total: 0, within10: 0, within20: 0, within30: 0 };
  const units: number[] = [];
  let weighted = 0;
  for (let i = 0; i < d.n; i++) {
    const city = ref.cities[d.city[i] as number] as City;
    if (!territory.hasCity(city)) continue;
    const pop = d.population[i] as number;
    const km = network.nearestKm[i] as number;
    population.total += pop;
    if (!Number.isFinite(km)) continue;
    units.push(i);
    weighted += pop * km;
    const minutes = model.minutes(km, d.grille7[i] as City['grille7']);
    if (minutes <= 10) population.within10 += pop;
    if (minutes <= 20) population.within20 += pop;
    if (minutes <= 30) population.within30 += pop;
  }
  units.sort((a, b) => (network.nearestKm[a] as number) - (network.nearestKm[b] as number));
  let reached = 0;
  let reachable = 0;
  for (const i of units) reachable += d.population[i] as number;
  let p95 = 0;
  for (const i of units) {
    reached += d.population[i] as number;
    p95 = network.nearestKm[i] as number;
    if (reached >= 0.95 * reachable) break;
  }
  return {
    territory: territory.code,
    structures,
    cantons,
    share: {
      rural: structures.total ? round(rural / structures.total, 4) : 0,
      zrr: structures.total ? round(zrr / structures.total, 4) : 0,
    },
    qpv,
    population,
    distanceKm: { mean: reachable ? round(weighted / reachable, 2) : 0, p95: round(p95, 2) },
  };
}

export interface UncoveredCanton {
  code: string;
  nom: string;
  departement: string;
  /** Population of the communes wholly in the canton (null when it holds only fractions). */
  population: number | null;
  /** Population-weighted distance (km) from its communes to their nearest structure. */
  distanceKm: number | null;
}

export function uncoveredCantons(network: Network, territory: Territory): UncoveredCanton[] {
  const ref = network.ref;
  const covered = coveredCantons(network);
  const kmOfCity = new Map<number, { pop: number; w: number }>();
  for (let i = 0; i < ref.demand.n; i++) {
    const c = ref.demand.city[i] as number;
    const e = kmOfCity.get(c) ?? { pop: 0, w: 0 };
    e.pop += ref.demand.population[i] as number;
    e.w += (ref.demand.population[i] as number) * (network.nearestKm[i] as number);
    kmOfCity.set(c, e);
  }
  const out: UncoveredCanton[] = [];
  for (const c of ref.cantons.values()) {
    if (!territory.hasCanton(c) || covered.has(c.code)) continue;
    const cities = ref.citiesOfCanton.get(c.code) ?? [];
    let pop = 0;
    let w = 0;
    for (const ci of cities) {
      const e = kmOfCity.get(ci);
      if (!e) continue;
      pop += e.pop;
      w += e.w;
    }
    out.push({
      code: c.code,
      nom: c.nom,
      departement: c.departement,
      population: cities.length ? pop : null,
      distanceKm: pop > 0 ? round(w / pop, 1) : null,
    });
  }
  return out.sort((a, b) => a.code.localeCompare(b.code));
}

export interface TimelineMonth {
  month: string; // YYYY-MM
  added: number;
  cumulative: number;
}

export interface DeploymentTimeline {
  months: TimelineMonth[];
  /** Structures with no labellisation date (not in the months). */
  undated: number;
  goals: {
    /** The national goal, 2,500 by the end of 2022 (nation only). */
    national: { count: number; by: string; reachedIn: string | null } | null;
    /** One per canton: the number of true cantons of the territory. */
    onePerCanton: { count: number; reachedIn: string | null };
  };
}

export const NATIONAL_GOAL = { count: 2500, by: '2022-12' } as const;

export function deploymentTimeline(
  network: Network,
  territory: Territory,
  cantonsTotal: number,
): DeploymentTimeline {
  const byMonth = new Map<string, number>();
  let undated = 0;
  for (const p of network.placed) {
    if (!territory.hasCity(p.city)) continue;
    const m = p.site.labelledOn && /^\d{4}-\d{2}/.exec(p.site.labelledOn)?.[0];
    if (!m) undated++;
    else byMonth.set(m, (byMonth.get(m) ?? 0) + 1);
  }
  let cumulative = 0;
  const months = [...byMonth.keys()].sort().map((month) => {
    const added = byMonth.get(month) as number;
    cumulative += added;
    return { month, added, cumulative };
  });
  const reached = (count: number) => months.find((m) => m.cumulative >= count)?.month ?? null;
  return {
    months,
    undated,
    goals: {
      national:
        territory.kind === 'FR' ? { ...NATIONAL_GOAL, reachedIn: reached(NATIONAL_GOAL.count) } : null,
      onePerCanton: { count: cantonsTotal, reachedIn: reached(cantonsTotal) },
    },
  };
}

/** Population-weighted quantile helper exposed for tests. */
export function weightedQuantile(values: readonly number[], weights: readonly number[], q: number): number {
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const total = weights.reduce((s, w) => s + w, 0);
  let acc = 0;
  for (const i of order) {
    acc += weights[i] as number;
    if (acc >= q * total) return values[i] as number;
  }
  return order.length ? (values[order[order.length - 1] as number] as number) : 0;
}

export type { Canton };

/**
 * Population within 10, 20 and 30 minutes by road, from a travel-time matrix (OSRM `/table`):
 * each commune's time is the shortest among its `neighbours` nearest structures (great circle),
 * asked in batches of `batch` communes. Limited to `maxUnits` communes (a department or a region).
 */
export async function roadPopulation(
  network: Network,
  territory: Territory,
  matrix: TravelTimeMatrix,
  options: { neighbours?: number; batch?: number; maxUnits?: number } = {},
): Promise<CoverageIndicators['population']> {
  const neighbours = options.neighbours ?? 3;
  const batch = options.batch ?? 20;
  const maxUnits = options.maxUnits ?? 5000;
  const ref = network.ref;
  const d = ref.demand;
  const units: number[] = [];
  for (let i = 0; i < d.n; i++) if (territory.hasCity(ref.cities[d.city[i] as number] as City)) units.push(i);
  if (units.length > maxUnits) {
    throw new DomainError(
      'too_large',
      `Trop de communes pour des temps routiers (${units.length}, au plus ${maxUnits}) : choisissez un département ou une région, ou gardez l’estimation.`,
      'travel',
    );
  }
  const population = { total: 0, within10: 0, within20: 0, within30: 0 };
  for (let b = 0; b < units.length; b += batch) {
    const chunk = units.slice(b, b + batch);
    const near = chunk.map((i) => network.index.nearestK(d.lon[i] as number, d.lat[i] as number, neighbours));
    const dest = [...new Set(near.flat())];
    const column = new Map(dest.map((j, c) => [j, c]));
    const table = dest.length
      ? await matrix.table(
          chunk.map((i) => ({ lat: d.lat[i] as number, lon: d.lon[i] as number })),
          dest.map((j) => ({ lat: network.placed[j]?.lat as number, lon: network.placed[j]?.lon as number })),
        )
      : chunk.map(() => []);
    chunk.forEach((i, r) => {
      const pop = d.population[i] as number;
      population.total += pop;
      let best = Number.POSITIVE_INFINITY;
      for (const j of near[r] as number[]) {
        const m = table[r]?.[column.get(j) as number];
        if (typeof m === 'number' && m < best) best = m;
      }
      if (best <= 10) population.within10 += pop;
      if (best <= 20) population.within20 += pop;
      if (best <= 30) population.within30 += pop;
    });
  }
  return population;
}
