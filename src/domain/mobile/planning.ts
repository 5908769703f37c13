import { invalid } from '../shared/errors.js';
import type { LatLng } from '../shared/geo.js';
import {
  areaServed,
  type CommunePoint,
  DEFAULT_TRAVEL,
  estimateMinutes,
  type Reach,
  type StopPoint,
  type TravelModel,
} from './area.js';
import { formatDay, parseDay, weekday } from './days.js';
import type { Schedule } from './model.js';
import { expandOccurrences } from './occurrences.js';

/**
 * Planning help: propose a tour over a cycle of N weeks that maximises the population served.
 *
 * Problem. Candidate stops each serve the communes within reach (see area.ts). A day is a route
 * depot → stops → depot; its driving time must stay under `maxDrivingMinutes`, and its hours on site
 * (one `visitHours` per stop) under `hoursOnSite`. A stop in the tour is visited at least once per
 * cycle of `weeks` weeks, i.e. at least every N weeks. Objective: the population of the union of the
 * catchments of the stops in the tour (a maximum-coverage problem, NP-hard in general).
 *
 * Heuristic (greedy with cheapest insertion, the classic (1 − 1/e) approach for coverage):
 * 1. repeatedly take the candidate with the largest marginal population (ties: the cheaper
 *    insertion), and insert it at the cheapest feasible position of any day of the cycle;
 * 2. stop when no candidate adds population or none fits;
 * 3. spend the capacity left on second visits of the stops with the largest catchments
 *    (more frequent passages where more people live), without breaking a limit.
 * Travel times are estimates (great circle × detour / speed) unless `travelMinutes` is given.
 */
export interface PlanningInput {
  readonly depot: LatLng;
  readonly candidates: readonly StopPoint[];
  readonly communes: readonly CommunePoint[];
  readonly reach: Reach;
  readonly weeks: number; // N: each stop of the tour is visited at least every N weeks
  readonly daysPerWeek?: number; // default 5 (Monday to Friday)
  readonly maxDrivingMinutes: number; // per day
  readonly hoursOnSite: number; // per day
  readonly visitHours?: number; // per stop visit, default 3
  readonly travel?: TravelModel;
  readonly travelMinutes?: (a: LatLng, b: LatLng) => number;
}

export interface PlannedDay {
  readonly week: number; // 0-based in the cycle
  readonly day: number; // 0 = Monday
  readonly stops: readonly string[];
  readonly drivingMinutes: number;
  readonly onSiteHours: number;
}

export interface TourSummary {
  readonly stops: readonly string[];
  readonly population: number;
  readonly visitsPerCycle: number;
  readonly totalDrivingMinutes: number;
  readonly maxDailyDrivingMinutes: number;
  readonly maxDailyOnSiteHours: number;
  /** Days that break a limit (for the current tour: it was not planned with these limits). */
  readonly daysOverLimit: number;
}

export interface PlanningResult {
  readonly days: readonly PlannedDay[];
  readonly proposed: TourSummary;
  readonly unvisited: readonly string[];
}

interface Route {
  week: number;
  day: number;
  stops: StopPoint[];
  driving: number;
}

function checkInput(p: PlanningInput): void {
  if (!Number.isInteger(p.weeks) || p.weeks < 1 || p.weeks > 8)
    throw invalid('weeks', 'N doit être un entier entre 1 et 8 semaines.');
  const d = p.daysPerWeek ?? 5;
  if (!Number.isInteger(d) || d < 1 || d > 7) throw invalid('daysPerWeek', 'Entre 1 et 7 jours par semaine.');
  if (!(p.maxDrivingMinutes > 0 && p.maxDrivingMinutes <= 720))
    throw invalid('maxDrivingMinutes', 'Temps de conduite quotidien entre 1 et 720 minutes.');
  if (!(p.hoursOnSite > 0 && p.hoursOnSite <= 14))
    throw invalid('hoursOnSite', 'Heures sur place par jour entre 0 et 14.');
  const v = p.visitHours ?? 3;
  if (!(v > 0 && v <= p.hoursOnSite))
    throw invalid('visitHours', 'La durée d’une visite doit tenir dans les heures sur place.');
  if (p.candidates.length > 2000) throw invalid('candidates', '2 000 arrêts candidats au plus.');
}

export function catchments(
  candidates: readonly StopPoint[],
  communes: readonly CommunePoint[],
  reach: Reach,
  model: TravelModel = DEFAULT_TRAVEL,
): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const s of candidates) {
    const area = areaServed([s], communes, reach, model);
    out.set(s.id, new Map(area.communes.map((c) => [c.code, c.population])));
  }
  return out;
}

const routeMinutes = (
  depot: LatLng,
  stops: readonly LatLng[],
  t: (a: LatLng, b: LatLng) => number,
): number => {
  let total = 0;
  let at = depot;
  for (const s of stops) {
    total += t(at, s);
    at = s;
  }
  return stops.length > 0 ? total + t(at, depot) : 0;
};

function coverage(ids: Iterable<string>, catch_: Map<string, Map<string, number>>): number {
  const seen = new Map<string, number>();
  for (const id of ids) for (const [c, pop] of catch_.get(id) ?? []) seen.set(c, pop);
  let sum = 0;
  for (const pop of seen.values()) sum += pop;
  return sum;
}

export function planTour(input: PlanningInput): PlanningResult {
  checkInput(input);
  const model = input.travel ?? DEFAULT_TRAVEL;
  const t = input.travelMinutes ?? ((a: LatLng, b: LatLng) => estimateMinutes(a, b, model));
  const visit = input.visitHours ?? 3;
  const perDay = Math.floor(input.hoursOnSite / visit + 1e-9);
  const catch_ = catchments(input.candidates, input.communes, input.reach, model);
  const routes: Route[] = [];
  for (let w = 0; w < input.weeks; w++) {
    for (let d = 0; d < (input.daysPerWeek ?? 5); d++)
      routes.push({ week: w, day: d, stops: [], driving: 0 });
  }
  const cheapest = (s: StopPoint, exclude?: (r: Route) => boolean) => {
    let best: { route: Route; pos: number; added: number } | undefined;
    for (const r of routes) {
      if (r.stops.length >= perDay || exclude?.(r)) continue;
      for (let pos = 0; pos <= r.stops.length; pos++) {
        const next = [...r.stops.slice(0, pos), s, ...r.stops.slice(pos)];
        const minutes = routeMinutes(input.depot, next, t);
        if (minutes > input.maxDrivingMinutes) continue;
        const added = minutes - r.driving;
        if (!best || added < best.added) best = { route: r, pos, added };
      }
    }
    return best;
  };
  const insert = (s: StopPoint, at: { route: Route; pos: number; added: number }) => {
    at.route.stops.splice(at.pos, 0, s);
    at.route.driving += at.added;
  };

  // 1–2. Greedy maximum coverage with cheapest insertion.
  const covered = new Set<string>();
  const chosen = new Set<string>();
  for (;;) {
    let pick: { s: StopPoint; gain: number; at: NonNullable<ReturnType<typeof cheapest>> } | undefined;
    for (const s of input.candidates) {
      if (chosen.has(s.id)) continue;
      let gain = 0;
      for (const [c, pop] of catch_.get(s.id) ?? []) if (!covered.has(c)) gain += pop;
      if (gain <= 0 || (pick && gain < pick.gain)) continue;
      const at = cheapest(s);
      if (!at) continue;
      if (!pick || gain > pick.gain || at.added < pick.at.added) pick = { s, gain, at };
    }
    if (!pick) break;
    insert(pick.s, pick.at);
    chosen.add(pick.s.id);
    for (const c of (catch_.get(pick.s.id) ?? new Map()).keys()) covered.add(c);
  }

  // 3. Second visits, largest catchments first, in a week of the cycle the stop is not yet visited.
  const byPop = input.candidates
    .filter((s) => chosen.has(s.id))
    .sort((a, b) => coverage([b.id], catch_) - coverage([a.id], catch_));
  for (const s of byPop) {
    const at = cheapest(
      s,
      (r) =>
        r.stops.some((x) => x.id === s.id) ||
        routes.some((o) => o.week === r.week && o.stops.some((x) => x.id === s.id)),
    );
    if (at) insert(s, at);
  }

  const days: PlannedDay[] = routes.map((r) => ({
    week: r.week,
    day: r.day,
    stops: r.stops.map((s) => s.id),
    drivingMinutes: Math.round(r.driving),
    onSiteHours: r.stops.length * visit,
  }));
  return {
    days,
    proposed: summarise(days, catch_, input),
    unvisited: input.candidates.filter((s) => !chosen.has(s.id)).map((s) => s.id),
  };
}

function summarise(
  days: readonly PlannedDay[],
  catch_: Map<string, Map<string, number>>,
  input: PlanningInput,
): TourSummary {
  const ids = new Set(days.flatMap((d) => d.stops));
  return {
    stops: [...ids],
    population: coverage(ids, catch_),
    visitsPerCycle: days.reduce((n, d) => n + d.stops.length, 0),
    totalDrivingMinutes: days.reduce((n, d) => n + d.drivingMinutes, 0),
    maxDailyDrivingMinutes: Math.max(0, ...days.map((d) => d.drivingMinutes)),
    maxDailyOnSiteHours: Math.max(0, ...days.map((d) => d.onSiteHours)),
    daysOverLimit: days.filter(
      (d) => d.drivingMinutes > input.maxDrivingMinutes || d.onSiteHours > input.hoursOnSite,
    ).length,
  };
}

export interface CurrentDay {
  readonly week: number;
  readonly day: number;
  readonly stops: readonly StopPoint[];
  readonly onSiteHours: number;
}

/** The current tour of a unit over N weeks from a Monday, day by day, stops in time order. */
export function currentTourDays(
  schedule: Schedule,
  unit: string,
  monday: string,
  weeks: number,
): CurrentDay[] {
  const lo = parseDay(monday);
  if (lo === undefined || weekday(lo) !== 0)
    throw invalid('monday', 'Un lundi au format AAAA-MM-JJ est attendu.');
  const stops = new Map(schedule.stops.map((s) => [s.id, s]));
  const occ = expandOccurrences(schedule, monday, formatDay(lo + 7 * weeks - 1), {
    unit,
    includeCancelled: false,
  });
  const days = new Map<number, CurrentDay & { stops: StopPoint[]; onSiteHours: number }>();
  for (const o of occ) {
    const d = (parseDay(o.date) ?? lo) - lo;
    const stop = stops.get(o.stop);
    if (!stop) continue;
    const day = days.get(d) ?? { week: Math.floor(d / 7), day: d % 7, stops: [], onSiteHours: 0 };
    day.stops.push({ id: stop.id, lat: stop.lat, lon: stop.lon });
    day.onSiteHours += (o.end.getTime() - o.start.getTime()) / 3_600_000;
    days.set(d, day);
  }
  return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** The current tour, measured with the same yardstick (catchments, travel model, limits). */
export function summariseCurrentTour(current: readonly CurrentDay[], input: PlanningInput): TourSummary {
  const model = input.travel ?? DEFAULT_TRAVEL;
  const t = input.travelMinutes ?? ((a: LatLng, b: LatLng) => estimateMinutes(a, b, model));
  const stops = new Map<string, StopPoint>();
  for (const d of current) for (const s of d.stops) stops.set(s.id, s);
  const catch_ = catchments([...stops.values()], input.communes, input.reach, model);
  const days: PlannedDay[] = current.map((d) => ({
    week: d.week,
    day: d.day,
    stops: d.stops.map((s) => s.id),
    drivingMinutes: Math.round(routeMinutes(input.depot, d.stops, t)),
    onSiteHours: d.onSiteHours,
  }));
  return summarise(days, catch_, input);
}

export interface TourComparison {
  readonly current: TourSummary;
  readonly proposed: TourSummary;
  readonly populationGain: number;
  readonly drivingMinutesChange: number;
}

export const compareTours = (current: TourSummary, proposed: TourSummary): TourComparison => ({
  current,
  proposed,
  populationGain: proposed.population - current.population,
  drivingMinutesChange: proposed.totalDrivingMinutes - current.totalDrivingMinutes,
});
