/**
 * « Où ouvrir les prochaines France Services ? » on the reference geography: the MCLP plan in
 * exactly the shape of `maillage plan --json`, « un par canton », and what-if.
 */
import { DomainError, invalid } from '../shared/errors.js';
import { type CoverageIndicators, computeCoverage, coveredCantons } from './indicators.js';
import { buildInstance, type CoveringInstance, greedy, orderByMarginalGain, swapSearch } from './mclp.js';
import {
  DEFAULT_EXACT_LIMITS,
  type ExactLimits,
  type ExactResult,
  type LpSolver,
  solveExact,
} from './mclp-exact.js';
import type { Network, SiteKind, StructureSite } from './network.js';
import type { City } from './reference-geography.js';
import type { Territory } from './territory.js';
import type { TravelModel } from './travel-time.js';

export interface PlanRequest {
  readonly k: number;
  /** Travel-time threshold in minutes (1–120), or… */
  readonly minutes?: number | undefined;
  /** …a great-circle radius in km (for comparison with other tools). */
  readonly radiusKm?: number | undefined;
  /** Candidates: communes of the territory with at least this population (default 1,000)… */
  readonly minPopulation?: number | undefined;
  /** …or bureaux centralisateurs of cantons… */
  readonly candidateSet?: 'population' | 'bureaux' | undefined;
  /** …or an explicit list of commune codes. */
  readonly candidates?: readonly string[] | undefined;
  readonly exact?: boolean | undefined;
}

export interface PlanSite {
  code: string;
  name: string;
  addedPopulation: number;
}

export interface PlanResult {
  sites: PlanSite[];
  addedPopulation: number;
  exactOptimum?: number;
  gap?: number;
  ms: number;
}

/** Business validation of a plan request; each error names its argument. */
export function checkPlanRequest(r: PlanRequest): PlanRequest {
  if (!Number.isInteger(r.k) || r.k <= 0)
    throw invalid('k', `k doit être un entier strictement positif (reçu ${r.k}).`);
  if (r.k > 1000) throw invalid('k', 'k ne peut pas dépasser 1 000.');
  if (r.minutes !== undefined && r.radiusKm !== undefined) {
    throw invalid('minutes', 'Donnez soit un temps (minutes), soit un rayon (radius-km), pas les deux.');
  }
  if (r.radiusKm === undefined) {
    const t = r.minutes ?? 20;
    if (!Number.isFinite(t) || t < 1 || t > 120)
      throw invalid('minutes', `Le temps doit être entre 1 et 120 minutes (reçu ${r.minutes}).`);
  } else if (!Number.isFinite(r.radiusKm) || r.radiusKm <= 0 || r.radiusKm > 200) {
    throw invalid('radiusKm', `Le rayon doit être entre 0 et 200 km (reçu ${r.radiusKm}).`);
  }
  const mp = r.minPopulation ?? 1000;
  if (!Number.isFinite(mp) || mp < 0)
    throw invalid('minPopulation', 'La population minimale doit être un nombre positif.');
  return r;
}

/** Per demand unit: the radius (km) reachable within the threshold, and whether already covered. */
function reach(network: Network, r: PlanRequest, model: TravelModel): Float64Array {
  const d = network.ref.demand;
  const radius = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    radius[i] = r.radiusKm ?? model.radiusKm(r.minutes ?? 20, d.grille7[i] as City['grille7']);
  }
  return radius;
}

export interface PreparedInstance {
  readonly instance: CoveringInstance;
  readonly candidates: readonly City[];
}

export function prepareInstance(
  network: Network,
  territory: Territory,
  r: PlanRequest,
  model: TravelModel,
  candidateCities?: readonly City[],
): PreparedInstance {
  const ref = network.ref;
  const d = ref.demand;
  const radius = reach(network, r, model);
  const weight = new Float64Array(d.n);
  for (let i = 0; i < d.n; i++) {
    const city = ref.cities[d.city[i] as number] as City;
    if (!territory.hasCity(city)) continue;
    if ((network.nearestKm[i] as number) <= (radius[i] as number)) continue; // already reached
    weight[i] = d.population[i] as number;
  }
  let candidates: City[];
  if (candidateCities) candidates = [...candidateCities];
  else if (r.candidates) {
    candidates = r.candidates.map((code, i) => {
      const c = ref.city(code);
      if (!c) throw invalid(`candidates[${i}]`, `Commune inconnue : « ${code} ».`);
      return c;
    });
  } else if (r.candidateSet === 'bureaux') {
    const codes = new Set<string>();
    for (const c of ref.cantons.values())
      if (c.type === 'C' && c.bureauCentralisateur) codes.add(c.bureauCentralisateur);
    candidates = ref.cities.filter((c) => codes.has(c.code) && territory.hasCity(c));
  } else {
    const mp = r.minPopulation ?? 1000;
    candidates = ref.cities.filter((c) => c.population >= mp && territory.hasCity(c));
  }
  const instance = buildInstance({ lon: d.lon, lat: d.lat }, weight, radius, {
    lon: Float64Array.from(candidates, (c) => c.lon),
    lat: Float64Array.from(candidates, (c) => c.lat),
  });
  return { instance, candidates };
}

export interface PlanOptions {
  readonly solver?: LpSolver;
  readonly exactLimits?: ExactLimits;
}

/** The heuristic plan, with the instance it solved (for the exact check). */
export function solvePlan(
  network: Network,
  territory: Territory,
  request: PlanRequest,
  model: TravelModel,
): { result: PlanResult; instance: CoveringInstance; heuristicObjective: number; t0: number } {
  const r = checkPlanRequest(request);
  const t0 = performance.now();
  const { instance, candidates } = prepareInstance(network, territory, r, model);
  if (candidates.length === 0) {
    throw invalid(
      'minPopulation',
      'Aucune commune candidate dans ce territoire : baissez la population minimale.',
    );
  }
  const g = greedy(instance, r.k);
  const s = swapSearch(instance, g.chosen);
  // A site that reaches nobody new is not proposed (k is a maximum).
  const result: PlanResult = {
    sites: s.chosen
      .map((j, n) => ({
        code: (candidates[j] as City).code,
        name: (candidates[j] as City).name,
        addedPopulation: Math.round(s.gains[n] as number),
      }))
      .filter((site) => site.addedPopulation > 0),
    addedPopulation: Math.round(s.objective),
    ms: Math.round(performance.now() - t0),
  };
  return { result, instance, heuristicObjective: s.objective, t0 };
}

/** Adds the exact optimum and the relative gap when the solver proved optimality. */
export function attachExact(result: PlanResult, heuristicObjective: number, exact: ExactResult): PlanResult {
  if (exact.status !== 'optimal') return result;
  return {
    ...result,
    exactOptimum: Math.round(exact.objective),
    gap:
      exact.objective > 0
        ? Math.max(0, Math.round(((exact.objective - heuristicObjective) / exact.objective) * 1e6) / 1e6)
        : 0,
  };
}

/** The plan in one synchronous call (CLI, tests); the server runs the exact part off-thread. */
export function plan(
  network: Network,
  territory: Territory,
  request: PlanRequest,
  model: TravelModel,
  options: PlanOptions = {},
): PlanResult {
  const { result, instance, heuristicObjective, t0 } = solvePlan(network, territory, request, model);
  let out = result;
  if (request.exact) {
    if (!options.solver) throw invalid('exact', 'Le solveur exact n’est pas chargé.');
    const ex = solveExact(options.solver, instance, request.k, options.exactLimits ?? DEFAULT_EXACT_LIMITS);
    out = attachExact(result, heuristicObjective, ex);
  }
  return { ...out, ms: Math.round(performance.now() - t0) };
}

export interface CantonSite extends PlanSite {
  canton: string;
  cantonName: string;
}

/**
 * « Un par canton »: for each uncovered true canton of the territory, the commune of that canton
 * (or, for a canton made only of city fractions, its bureau centralisateur) that would newly
 * reach the most people. `addedPopulation` of each site is its gain after the sites before it
 * (largest first), so that the sites add up to the total.
 */
export function onePerCanton(
  network: Network,
  territory: Territory,
  request: Omit<PlanRequest, 'k'>,
  model: TravelModel,
): { sites: CantonSite[]; addedPopulation: number; ms: number } {
  checkPlanRequest({ ...request, k: 1 });
  const t0 = performance.now();
  const ref = network.ref;
  const covered = coveredCantons(network);
  const cands: City[] = [];
  const cantonOf: string[] = [];
  for (const c of ref.cantons.values()) {
    if (!territory.hasCanton(c) || covered.has(c.code)) continue;
    let cities = (ref.citiesOfCanton.get(c.code) ?? []).map((i) => ref.cities[i] as City);
    if (cities.length === 0 && c.bureauCentralisateur) {
      const b = ref.city(c.bureauCentralisateur);
      cities = b ? [b] : [];
    }
    for (const city of cities) {
      cands.push(city);
      cantonOf.push(c.code);
    }
  }
  const { instance } = prepareInstance(network, territory, { ...request, k: 1 }, model, cands);
  const best = new Map<string, { j: number; gain: number }>();
  cands.forEach((city, j) => {
    let gain = 0;
    for (let p = instance.offsets[j] as number; p < (instance.offsets[j + 1] as number); p++)
      gain += instance.weight[instance.items[p] as number] as number;
    const canton = cantonOf[j] as string;
    const cur = best.get(canton);
    if (!cur || gain > cur.gain || (gain === cur.gain && city.population > (cands[cur.j] as City).population))
      best.set(canton, { j, gain });
  });
  const chosen = [...best.values()].map((b) => b.j);
  const ordered = orderByMarginalGain(instance, chosen);
  return {
    sites: ordered.chosen.map((j, n) => {
      const canton = ref.cantons.get(cantonOf[j] as string);
      return {
        canton: cantonOf[j] as string,
        cantonName: canton?.nom ?? '',
        code: (cands[j] as City).code,
        name: (cands[j] as City).name,
        addedPopulation: Math.round(ordered.gains[n] as number),
      };
    }),
    addedPopulation: Math.round(ordered.objective),
    ms: Math.round(performance.now() - t0),
  };
}

export type WhatIfChange =
  | { readonly action: 'add'; readonly code: string; readonly kind?: SiteKind; readonly name?: string }
  | { readonly action: 'remove'; readonly id: string }
  | { readonly action: 'move'; readonly id: string; readonly code: string };

type Numeric = { [key: string]: number | Numeric };

/** Subtracts every numeric leaf of `before` from `after` (same shape). */
export function diffIndicators(before: CoverageIndicators, after: CoverageIndicators): Numeric {
  const diff = (a: unknown, b: unknown): number | Numeric | undefined => {
    if (typeof a === 'number' && typeof b === 'number') return Math.round((b - a) * 1e4) / 1e4;
    if (a && b && typeof a === 'object' && typeof b === 'object') {
      const out: Numeric = {};
      for (const key of Object.keys(a)) {
        const v = diff((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]);
        if (v !== undefined) out[key] = v;
      }
      return out;
    }
    return undefined;
  };
  return diff(before, after) as Numeric;
}

export function whatIf(
  network: Network,
  territory: Territory,
  change: WhatIfChange,
  model: TravelModel,
): { before: CoverageIndicators; after: CoverageIndicators; delta: Numeric } {
  const ref = network.ref;
  const find = (id: string) => {
    const p = network.placed.find((s) => s.site.id === id);
    if (!p) throw new DomainError('not_found', `Structure inconnue : « ${id} ».`, 'id');
    return p;
  };
  const newSite = (code: string, base?: StructureSite): StructureSite => {
    const city = ref.city(code);
    if (!city) throw invalid('code', `Commune inconnue : « ${code} ».`);
    return {
      id: base?.id ?? `hypothese-${city.code}`,
      name: base?.name ?? (change.action === 'add' && change.name ? change.name : `Hypothèse à ${city.name}`),
      codeInsee: city.code,
      lat: null,
      lon: null,
      kind: base?.kind ?? (change.action === 'add' ? (change.kind ?? 'fixed') : 'fixed'),
      labelledOn: base?.labelledOn ?? null,
    };
  };
  let next: Network;
  if (change.action === 'add') next = network.with({ add: [newSite(change.code)] });
  else if (change.action === 'remove') next = network.with({ removeIds: [find(change.id).site.id] });
  else {
    const p = find(change.id);
    next = network.with({ removeIds: [p.site.id], add: [newSite(change.code, p.site)] });
  }
  const before = computeCoverage(network, territory, model);
  const after = computeCoverage(next, territory, model);
  return { before, after, delta: diffIndicators(before, after) };
}
