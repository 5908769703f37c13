/**
 * The MCLP as an integer programme, solved exactly by HiGHS to check the heuristic:
 *   max Σ w_i y_i  s.t.  y_i ≤ Σ_{j reaches i} x_j,  Σ x_j ≤ k,  x ∈ {0,1},  0 ≤ y ≤ 1.
 * Only demand points with weight and at least one candidate, and candidates that reach something,
 * enter the model. Instances above the size limits are refused (they would not finish in time):
 * the greedy + swap heuristic answers them.
 */
import { DomainError, invalid } from '../shared/errors.js';
import type { CoveringInstance } from './mclp.js';

/** What we need from HiGHS (npm `highs`): its one-shot LP-format `solve`. */
export interface LpSolver {
  solve(
    problem: string,
    options?: Readonly<Record<string, string | number | boolean>>,
  ): { Status: string; ObjectiveValue: number; Columns: Record<string, { Primal?: number }> };
}

export interface ExactLimits {
  /** Candidates that reach uncovered demand. */
  readonly maxCandidates: number;
  /** Non-zeros of the covering constraints (candidate–demand pairs). */
  readonly maxPairs: number;
  readonly timeLimitSeconds: number;
}

export const DEFAULT_EXACT_LIMITS: ExactLimits = Object.freeze({
  maxCandidates: 3000,
  maxPairs: 200_000,
  timeLimitSeconds: 30,
});

export interface ExactResult {
  /** 'optimal' is proved (to a relative gap of 1e-6); 'time_limit' gives the best found. */
  readonly status: 'optimal' | 'time_limit';
  readonly objective: number;
  readonly chosen: number[];
  readonly ms: number;
}

interface Reduced {
  lp: string;
  cands: number[];
  pairs: number;
}

export function exactSize(inst: CoveringInstance): { candidates: number; pairs: number } {
  let candidates = 0;
  for (let j = 0; j < inst.nCand; j++)
    if ((inst.offsets[j + 1] as number) > (inst.offsets[j] as number)) candidates++;
  return { candidates, pairs: inst.items.length };
}

export function buildLp(inst: CoveringInstance, k: number): Reduced {
  const cands: number[] = [];
  const coverers = new Map<number, number[]>();
  for (let j = 0; j < inst.nCand; j++) {
    const a = inst.offsets[j] as number;
    const b = inst.offsets[j + 1] as number;
    if (b === a) continue;
    const x = cands.length;
    cands.push(j);
    for (let p = a; p < b; p++) {
      const i = inst.items[p] as number;
      if (!((inst.weight[i] as number) > 0)) continue;
      const list = coverers.get(i);
      if (list) list.push(x);
      else coverers.set(i, [x]);
    }
  }
  const out: string[] = ['Maximize', ' obj:'];
  const demand = [...coverers.keys()].sort((a, b) => a - b);
  let line = '';
  demand.forEach((i, y) => {
    line += ` + ${inst.weight[i]} y${y}`;
    if (line.length > 200) {
      out.push(line);
      line = '';
    }
  });
  if (line || demand.length === 0) out.push(line || ' 0 x0');
  out.push('Subject To');
  let pairs = 0;
  demand.forEach((i, y) => {
    const xs = coverers.get(i) as number[];
    pairs += xs.length;
    let row = ` c${y}: y${y}`;
    for (const x of xs) {
      row += ` - x${x}`;
      if (row.length > 200) {
        out.push(row);
        row = '';
      }
    }
    out.push(`${row} <= 0`);
  });
  if (cands.length) {
    let row = ' k:';
    cands.forEach((_, x) => {
      row += ` + x${x}`;
      if (row.length > 200) {
        out.push(row);
        row = '';
      }
    });
    out.push(`${row} <= ${k}`);
  }
  out.push('Bounds');
  demand.forEach((_, y) => {
    out.push(` 0 <= y${y} <= 1`);
  });
  if (cands.length) {
    out.push('Binary');
    for (let x = 0; x < cands.length; x += 20) {
      out.push(
        ` ${cands
          .slice(x, x + 20)
          .map((_, d) => `x${x + d}`)
          .join(' ')}`,
      );
    }
  }
  out.push('End');
  return { lp: out.join('\n'), cands, pairs };
}

/** Refuses, with a French message pointing to the heuristic, an instance above the limits. */
export function checkExactSize(inst: CoveringInstance, limits: ExactLimits = DEFAULT_EXACT_LIMITS): void {
  const { candidates, pairs } = exactSize(inst);
  if (candidates > limits.maxCandidates || pairs > limits.maxPairs) {
    throw new DomainError(
      'too_large',
      `Instance trop grande pour la résolution exacte (${candidates} candidats utiles, ${pairs} couples candidat–commune ; ` +
        `limites ${limits.maxCandidates} et ${limits.maxPairs}). Utilisez l’heuristique (sans --exact), ` +
        'ou un territoire plus petit (département, région).',
      'exact',
    );
  }
}

export function solveExact(
  solver: LpSolver,
  inst: CoveringInstance,
  k: number,
  limits: ExactLimits = DEFAULT_EXACT_LIMITS,
): ExactResult {
  if (!Number.isInteger(k) || k <= 0)
    throw invalid('k', `k doit être un entier strictement positif (reçu ${k}).`);
  if (!(limits.timeLimitSeconds > 0))
    throw invalid('timeLimitSeconds', 'La limite de temps doit être positive.');
  checkExactSize(inst, limits);
  const t0 = performance.now();
  const { lp, cands } = buildLp(inst, k);
  if (cands.length === 0) return { status: 'optimal', objective: 0, chosen: [], ms: performance.now() - t0 };
  const res = solver.solve(lp, {
    time_limit: limits.timeLimitSeconds,
    mip_rel_gap: 1e-6,
    output_flag: false,
  });
  if (res.Status !== 'Optimal' && res.Status !== 'Time limit reached') {
    throw new DomainError(
      'unavailable',
      `Le solveur exact a échoué (${res.Status}). Utilisez l’heuristique.`,
      'exact',
    );
  }
  const chosen: number[] = [];
  cands.forEach((j, x) => {
    if ((res.Columns[`x${x}`]?.Primal ?? 0) > 0.5) chosen.push(j);
  });
  return {
    status: res.Status === 'Optimal' ? 'optimal' : 'time_limit',
    objective: res.ObjectiveValue,
    chosen,
    ms: performance.now() - t0,
  };
}

let loading: Promise<LpSolver> | null = null;

/** Loads the HiGHS WASM module once per thread (it is asynchronous); later calls share it. */
export function loadHighs(): Promise<LpSolver> {
  if (!loading) {
    loading = import('highs').then(async (mod) => {
      const load = (mod as unknown as { default: () => Promise<LpSolver> }).default;
      return load();
    });
    loading.catch(() => {
      loading = null;
    });
  }
  return loading;
}
