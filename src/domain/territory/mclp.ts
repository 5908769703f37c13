/**
 * Maximal covering location problem (Church & ReVelle 1974): choose k candidate sites to
 * maximise the demand weight within reach. Demand already reached by existing structures has
 * weight 0, so the objective is the population *newly* reached.
 *
 * The instance is a compressed sparse row list, candidate → demand points it reaches, built once
 * with a kd-tree. Greedy with lazy evaluation (CELF: marginal gains only shrink, so a stale upper
 * bound that still tops the heap after refresh is the true best) gives a (1 − 1/e) guarantee;
 * a best-improvement swap search then removes most of the remaining gap.
 */
import { invalid } from '../shared/errors.js';
import { checkPoints, type Points, SiteIndex } from './nearest.js';

export interface CoveringInstance {
  readonly nDemand: number;
  readonly weight: Float64Array;
  readonly nCand: number;
  /** Demand points reached by candidate j: items[offsets[j] .. offsets[j+1]). */
  readonly offsets: Int32Array;
  readonly items: Int32Array;
}

/**
 * Candidate j reaches demand point i when their great-circle distance is at most radiusKm[i]
 * (the radius may differ per demand point: travel time depends on the density class).
 */
export function buildInstance(
  demand: Points,
  weight: Float64Array,
  radiusKm: Float64Array,
  candidates: Points,
): CoveringInstance {
  checkPoints(demand, 'demand');
  checkPoints(candidates, 'candidates');
  const n = demand.lon.length;
  if (!(weight instanceof Float64Array) || weight.length !== n) {
    throw invalid('weight', `weight doit être un Float64Array de ${n} éléments.`);
  }
  if (!(radiusKm instanceof Float64Array) || radiusKm.length !== n) {
    throw invalid('radiusKm', `radiusKm doit être un Float64Array de ${n} éléments.`);
  }
  for (let i = 0; i < n; i++) {
    if (!((weight[i] as number) >= 0))
      throw invalid(`weight[${i}]`, `Poids négatif ou invalide : ${weight[i]}.`);
    if (!((radiusKm[i] as number) >= 0))
      throw invalid(`radiusKm[${i}]`, `Rayon négatif ou invalide : ${radiusKm[i]}.`);
  }
  const m = candidates.lon.length;
  const index = new SiteIndex(candidates);
  const pairsD: number[] = [];
  const pairsC: number[] = [];
  const count = new Int32Array(m);
  for (let i = 0; i < n; i++) {
    if ((weight[i] as number) === 0) continue;
    for (const j of index.within(demand.lon[i] as number, demand.lat[i] as number, radiusKm[i] as number)) {
      pairsD.push(i);
      pairsC.push(j);
      count[j] = (count[j] as number) + 1;
    }
  }
  const offsets = new Int32Array(m + 1);
  for (let j = 0; j < m; j++) offsets[j + 1] = (offsets[j] as number) + (count[j] as number);
  const fill = offsets.slice(0, m);
  const items = new Int32Array(pairsD.length);
  for (let p = 0; p < pairsD.length; p++) {
    const j = pairsC[p] as number;
    items[fill[j] as number] = pairsD[p] as number;
    fill[j] = (fill[j] as number) + 1;
  }
  return { nDemand: n, weight, nCand: m, offsets, items };
}

/** Builds an instance from explicit lists (tests, hand-made cases). */
export function instanceFromSets(
  weight: readonly number[],
  sets: readonly (readonly number[])[],
): CoveringInstance {
  const offsets = new Int32Array(sets.length + 1);
  sets.forEach((s, j) => {
    offsets[j + 1] = (offsets[j] as number) + s.length;
  });
  const items = Int32Array.from(sets.flat());
  for (const i of items)
    if (i < 0 || i >= weight.length) throw invalid('sets', `Point de demande ${i} hors limites.`);
  return { nDemand: weight.length, weight: Float64Array.from(weight), nCand: sets.length, offsets, items };
}

function checkK(inst: CoveringInstance, k: number) {
  if (!Number.isInteger(k) || k <= 0)
    throw invalid('k', `k doit être un entier strictement positif (reçu ${k}).`);
  return Math.min(k, inst.nCand);
}

export function objective(inst: CoveringInstance, chosen: readonly number[]): number {
  const seen = new Uint8Array(inst.nDemand);
  let total = 0;
  for (const j of chosen) {
    for (let p = inst.offsets[j] as number; p < (inst.offsets[j + 1] as number); p++) {
      const i = inst.items[p] as number;
      if (!seen[i]) {
        seen[i] = 1;
        total += inst.weight[i] as number;
      }
    }
  }
  return total;
}

export interface Solution {
  /** Chosen candidates, in the order of their marginal gain. */
  readonly chosen: number[];
  /** Marginal gain of each chosen candidate given the ones before it; they sum to `objective`. */
  readonly gains: number[];
  readonly objective: number;
}

/** Orders a set of sites by successive marginal gain, so that the gains add up to the objective. */
export function orderByMarginalGain(inst: CoveringInstance, set: readonly number[]): Solution {
  const covered = new Uint8Array(inst.nDemand);
  const remaining = [...set];
  const chosen: number[] = [];
  const gains: number[] = [];
  while (remaining.length) {
    let best = -1;
    let bestGain = -1;
    for (const j of remaining) {
      let g = 0;
      for (let p = inst.offsets[j] as number; p < (inst.offsets[j + 1] as number); p++) {
        const i = inst.items[p] as number;
        if (!covered[i]) g += inst.weight[i] as number;
      }
      if (g > bestGain || (g === bestGain && j < best)) {
        bestGain = g;
        best = j;
      }
    }
    remaining.splice(remaining.indexOf(best), 1);
    for (let p = inst.offsets[best] as number; p < (inst.offsets[best + 1] as number); p++)
      covered[inst.items[p] as number] = 1;
    chosen.push(best);
    gains.push(bestGain);
  }
  return { chosen, gains, objective: gains.reduce((s, g) => s + g, 0) };
}

/** Greedy with lazy evaluation. Ties go to the lower candidate index (deterministic). */
export function greedy(inst: CoveringInstance, k: number): Solution {
  const kk = checkK(inst, k);
  const m = inst.nCand;
  const covered = new Uint8Array(inst.nDemand);
  // Max-heap of (upper bound, candidate).
  const key = new Float64Array(m);
  const id = new Int32Array(m);
  const stamp = new Int32Array(m);
  let size = 0;
  const better = (a: number, b: number) =>
    (key[a] as number) > (key[b] as number) ||
    ((key[a] as number) === (key[b] as number) && (id[a] as number) < (id[b] as number));
  const swap = (a: number, b: number) => {
    const k0 = key[a] as number;
    key[a] = key[b] as number;
    key[b] = k0;
    const i0 = id[a] as number;
    id[a] = id[b] as number;
    id[b] = i0;
  };
  const down = (pos: number) => {
    for (;;) {
      const l = 2 * pos + 1;
      const r = l + 1;
      let top = pos;
      if (l < size && better(l, top)) top = l;
      if (r < size && better(r, top)) top = r;
      if (top === pos) return;
      swap(pos, top);
      pos = top;
    }
  };
  const gain = (j: number) => {
    let g = 0;
    for (let p = inst.offsets[j] as number; p < (inst.offsets[j + 1] as number); p++) {
      const i = inst.items[p] as number;
      if (!covered[i]) g += inst.weight[i] as number;
    }
    return g;
  };
  for (let j = 0; j < m; j++) {
    key[size] = gain(j);
    id[size] = j;
    size++;
  }
  for (let pos = (size >> 1) - 1; pos >= 0; pos--) down(pos);
  const chosen: number[] = [];
  const gains: number[] = [];
  let round = 0;
  while (chosen.length < kk && size > 0) {
    const j = id[0] as number;
    if (stamp[j] === round) {
      chosen.push(j);
      gains.push(key[0] as number);
      for (let p = inst.offsets[j] as number; p < (inst.offsets[j + 1] as number); p++)
        covered[inst.items[p] as number] = 1;
      size--;
      key[0] = key[size] as number;
      id[0] = id[size] as number;
      down(0);
      round++;
    } else {
      key[0] = gain(j);
      stamp[j] = round;
      down(0);
    }
  }
  return { chosen, gains, objective: gains.reduce((s, g) => s + g, 0) };
}

/**
 * Best-improvement swap local search: repeatedly replaces the chosen site s by the candidate c
 * that increases the objective most, until no swap helps (or `maxRounds`).
 * For each c, gain(c, s) = uncovered(c) + sole(c, s) − loss(s), where sole(c, s) is the weight c
 * reaches that only s reaches, and loss(s) the weight only s reaches: one pass over the instance
 * per round.
 */
export function swapSearch(
  inst: CoveringInstance,
  start: readonly number[],
  maxRounds = 100,
): Solution & { swaps: number } {
  const chosen = [...start];
  const isChosen = new Uint8Array(inst.nCand);
  for (const j of chosen) isChosen[j] = 1;
  const cnt = new Int32Array(inst.nDemand);
  const sole = new Int32Array(inst.nDemand);
  const loss = new Float64Array(inst.nCand);
  const extra = new Float64Array(inst.nCand);
  let swaps = 0;
  for (let round = 0; round < maxRounds; round++) {
    cnt.fill(0);
    loss.fill(0);
    for (const j of chosen) {
      for (let p = inst.offsets[j] as number; p < (inst.offsets[j + 1] as number); p++) {
        const i = inst.items[p] as number;
        cnt[i] = (cnt[i] as number) + 1;
        sole[i] = j;
      }
    }
    for (let i = 0; i < inst.nDemand; i++)
      if (cnt[i] === 1)
        loss[sole[i] as number] = (loss[sole[i] as number] as number) + (inst.weight[i] as number);
    let bestDelta = 1e-9;
    let bestC = -1;
    let bestS = -1;
    for (let c = 0; c < inst.nCand; c++) {
      if (isChosen[c]) continue;
      let g0 = 0;
      const touched: number[] = [];
      for (let p = inst.offsets[c] as number; p < (inst.offsets[c + 1] as number); p++) {
        const i = inst.items[p] as number;
        const w = inst.weight[i] as number;
        if (cnt[i] === 0) g0 += w;
        else if (cnt[i] === 1) {
          const s = sole[i] as number;
          if (extra[s] === 0) touched.push(s);
          extra[s] = (extra[s] as number) + w;
        }
      }
      if (g0 > 0 || touched.length) {
        for (const s of chosen) {
          const delta = g0 + (extra[s] as number) - (loss[s] as number);
          if (delta > bestDelta || (delta === bestDelta && bestC >= 0 && c < bestC)) {
            bestDelta = delta;
            bestC = c;
            bestS = s;
          }
        }
      }
      for (const s of touched) extra[s] = 0;
    }
    if (bestC < 0) break;
    chosen[chosen.indexOf(bestS)] = bestC;
    isChosen[bestS] = 0;
    isChosen[bestC] = 1;
    swaps++;
  }
  return { ...orderByMarginalGain(inst, chosen), swaps };
}
