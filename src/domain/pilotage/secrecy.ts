/**
 * Statistical secrecy of the open data (issue 14, docs/STATISTIQUES.md). Pure.
 *
 * - Primary: a count from 1 to threshold − 1 is never published; a true zero is.
 * - Secondary: no hidden count may be recomputed from what is published (cells, row totals, column
 *   totals, the grand total). Each row and each column, totals included, is a linear equation
 *   (cells − total = 0); a hidden cell is recomputable exactly when it is fixed by these equations
 *   given the published values. We first remove every line with exactly one hidden cell (the obvious
 *   disclosure), then test every hidden cell exactly (Gaussian elimination) and hide more until none
 *   is fixed. Each extra cell is the smallest published count of the line at fault (greedy, to hide
 *   as little as possible), preferring non-zero counts (hiding a true zero protects nothing, zeros
 *   being often known).
 * - The grand total is always published.
 */

export interface SecretTable {
  readonly rows: readonly string[];
  readonly columns: readonly string[];
  /** counts[r][c] ≥ 0, integers. */
  readonly counts: ReadonlyArray<ReadonlyArray<number>>;
}

export interface SecretResult {
  readonly threshold: number;
  /** null = hidden. */
  readonly cells: ReadonlyArray<ReadonlyArray<number | null>>;
  readonly rowTotals: ReadonlyArray<number | null>;
  readonly columnTotals: ReadonlyArray<number | null>;
  readonly total: number;
  /** Cells hidden because they are small (rows/columns indices; `c = -1` is the row total, `r = -1` the column total). */
  readonly primary: ReadonlyArray<{ readonly r: number; readonly c: number }>;
  /** Cells hidden only so that no primary one can be recomputed. */
  readonly secondary: ReadonlyArray<{ readonly r: number; readonly c: number }>;
  /**
   * Hidden cells still recomputable: empty, except when the whole table counts fewer than the
   * threshold (the grand total, always published, is then itself a small count).
   */
  readonly residual: ReadonlyArray<{ readonly r: number; readonly c: number }>;
}

export const DEFAULT_THRESHOLD = 11;

/** A generic system: values, lines (sum of coef·value = 0), cells that are never hidden. */
interface Grid {
  readonly values: readonly number[];
  readonly lines: ReadonlyArray<{ readonly cells: readonly number[]; readonly coef: readonly number[] }>;
  readonly locked: ReadonlySet<number>;
}

/**
 * Hidden cells fixed by the equations: variable j is fixed iff the unit vector e_j lies in the row
 * space of the lines restricted to hidden cells (reduced row echelon form: a pivot column whose row
 * has no entry in a free column).
 */
export function recomputable(grid: Grid, hidden: ReadonlySet<number>): number[] {
  const vars = [...hidden].sort((a, b) => a - b);
  if (vars.length === 0) return [];
  const col = new Map(vars.map((v, i) => [v, i]));
  const m: number[][] = [];
  for (const line of grid.lines) {
    const row = new Array<number>(vars.length).fill(0);
    let any = false;
    line.cells.forEach((cell, k) => {
      const j = col.get(cell);
      if (j !== undefined) {
        row[j] = (row[j] ?? 0) + (line.coef[k] ?? 0);
        any = true;
      }
    });
    if (any) m.push(row);
  }
  const eps = 1e-9;
  const pivots: number[] = [];
  let r = 0;
  for (let c = 0; c < vars.length && r < m.length; c++) {
    let best = r;
    for (let i = r + 1; i < m.length; i++)
      if (Math.abs(m[i]?.[c] ?? 0) > Math.abs(m[best]?.[c] ?? 0)) best = i;
    if (Math.abs(m[best]?.[c] ?? 0) < eps) continue;
    [m[r], m[best]] = [m[best] as number[], m[r] as number[]];
    const pr = m[r] as number[];
    const p = pr[c] as number;
    for (let k = c; k < vars.length; k++) pr[k] = (pr[k] as number) / p;
    for (let i = 0; i < m.length; i++) {
      if (i === r) continue;
      const ri = m[i] as number[];
      const f = ri[c] as number;
      if (Math.abs(f) < eps) continue;
      for (let k = c; k < vars.length; k++) ri[k] = (ri[k] as number) - f * (pr[k] as number);
    }
    pivots.push(c);
    r++;
  }
  const pivotSet = new Set(pivots);
  const fixed: number[] = [];
  pivots.forEach((c, i) => {
    const row = m[i] as number[];
    let free = false;
    for (let k = 0; k < vars.length; k++)
      if (!pivotSet.has(k) && Math.abs(row[k] as number) > eps) {
        free = true;
        break;
      }
    if (!free) fixed.push(vars[c] as number);
  });
  return fixed;
}

/**
 * The cell to hide in a line: among its published, hideable cells, first those whose other line
 * already has a hidden cell (hiding it then closes a pattern instead of opening a new single-hidden
 * line), then the smallest count (non-zero first).
 */
function cheapest(
  grid: Grid,
  cells: readonly number[],
  hidden: ReadonlySet<number>,
  linesOf?: ReadonlyMap<number, readonly number[]>,
  self?: number,
): number | null {
  let best: number | null = null;
  let bestScore: [number, number] | null = null;
  for (const c of cells) {
    if (hidden.has(c) || grid.locked.has(c)) continue;
    const v = grid.values[c] as number;
    let opens = 0;
    if (linesOf)
      for (const li of linesOf.get(c) ?? []) {
        if (li === self) continue;
        const line = grid.lines[li];
        if (line && !line.cells.some((x) => hidden.has(x))) opens = 1;
      }
    const score: [number, number] = [opens, v === 0 ? Number.MAX_SAFE_INTEGER : v];
    if (
      bestScore === null ||
      score[0] < bestScore[0] ||
      (score[0] === bestScore[0] && score[1] < bestScore[1])
    ) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

/** Adds secondary cells to `primary` until no hidden cell can be recomputed. Returns the secondary ones. */
export function secondarySuppression(grid: Grid, primary: ReadonlySet<number>): Set<number> {
  const hidden = new Set(primary);
  const secondary = new Set<number>();
  const linesOf = new Map<number, number[]>();
  grid.lines.forEach((line, li) => {
    for (const c of line.cells) {
      const list = linesOf.get(c);
      if (list) list.push(li);
      else linesOf.set(c, [li]);
    }
  });
  const hide = (c: number) => {
    hidden.add(c);
    secondary.add(c);
  };
  for (let guard = 0; guard < grid.values.length + 1; guard++) {
    // 1. Lines with exactly one hidden cell, to a fixpoint.
    let changed = true;
    while (changed) {
      changed = false;
      for (const [li, line] of grid.lines.entries()) {
        const n = line.cells.filter((c) => hidden.has(c)).length;
        if (n !== 1) continue;
        const c = cheapest(grid, line.cells, hidden, linesOf, li);
        if (c === null) continue;
        hide(c);
        changed = true;
      }
    }
    // 2. The exact test: any hidden cell still fixed by the equations?
    const fixed = recomputable(grid, hidden);
    if (fixed.length === 0) return secondary;
    const target = fixed[0] as number;
    let choice: number | null = null;
    for (const line of grid.lines) {
      if (!line.cells.includes(target)) continue;
      const c = cheapest(grid, line.cells, hidden);
      if (c !== null && (choice === null || (grid.values[c] as number) < (grid.values[choice] as number)))
        choice = c;
    }
    if (choice === null) {
      // Every cell of its lines is hidden or locked: hide the cheapest cell anywhere.
      choice = cheapest(
        grid,
        grid.values.map((_, i) => i),
        hidden,
      );
      if (choice === null) return secondary;
    }
    hide(choice);
  }
  return secondary;
}

/**
 * A table with row totals (unless `rowTotals: false`, for a single-column list), column totals and
 * the grand total, under primary and secondary suppression.
 */
export function protectTable(
  table: SecretTable,
  threshold: number,
  options: { readonly rowTotals?: boolean } = {},
): SecretResult {
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > 1000)
    throw new RangeError('seuil du secret : un entier de 1 à 1000');
  const withRowTotals = options.rowTotals ?? true;
  const R = table.rows.length;
  const C = table.columns.length;
  // Ids: cell (r, c) → r * (C + 1) + c; row total → r * (C + 1) + C; column total (r = R); corner.
  const W = C + 1;
  const id = (r: number, c: number) => r * W + c;
  const values = new Array<number>((R + 1) * W).fill(0);
  let total = 0;
  for (let r = 0; r < R; r++)
    for (let c = 0; c < C; c++) {
      const v = table.counts[r]?.[c] ?? 0;
      if (!Number.isInteger(v) || v < 0) throw new RangeError('effectifs : des entiers positifs ou nuls');
      values[id(r, c)] = v;
      values[id(r, C)] = (values[id(r, C)] as number) + v;
      values[id(R, c)] = (values[id(R, c)] as number) + v;
      total += v;
    }
  values[id(R, C)] = total;
  const lines: Array<{ cells: number[]; coef: number[] }> = [];
  if (withRowTotals)
    for (let r = 0; r <= R; r++) {
      const cells = [...Array.from({ length: C }, (_, c) => id(r, c)), id(r, C)];
      lines.push({ cells, coef: cells.map((_, k) => (k === C ? -1 : 1)) });
    }
  for (let c = 0; c < (withRowTotals ? C + 1 : C); c++) {
    const cells = [...Array.from({ length: R }, (_, r) => id(r, c)), id(R, c)];
    lines.push({ cells, coef: cells.map((_, k) => (k === R ? -1 : 1)) });
  }
  const locked = new Set<number>([id(R, C)]);
  if (!withRowTotals) {
    for (let r = 0; r <= R; r++) locked.add(id(r, C)); // no row totals: never in a line, never shown
    if (C === 1) locked.add(id(R, 0)); // a single column: its total is the grand total, published
  }
  const primary = new Set<number>();
  values.forEach((v, i) => {
    if (!locked.has(i) && v >= 1 && v < threshold) primary.add(i);
  });
  const grid: Grid = { values, lines, locked };
  const secondary = secondarySuppression(grid, primary);
  const hidden = new Set([...primary, ...secondary]);
  const show = (i: number) => (hidden.has(i) ? null : (values[i] as number));
  const pos = (i: number) => {
    const r = Math.floor(i / W);
    const c = i % W;
    return { r: r === R ? -1 : r, c: c === C ? -1 : c };
  };
  return {
    threshold,
    cells: Array.from({ length: R }, (_, r) => Array.from({ length: C }, (_, c) => show(id(r, c)))),
    rowTotals: Array.from({ length: R }, (_, r) => (withRowTotals ? show(id(r, C)) : null)),
    columnTotals: Array.from({ length: C }, (_, c) => show(id(R, c))),
    total,
    primary: [...primary].sort((a, b) => a - b).map(pos),
    secondary: [...secondary].sort((a, b) => a - b).map(pos),
    residual: recomputable(grid, hidden).map(pos),
  };
}
