import { describe, expect, it } from 'vitest';
import { seededRandom } from '../shared/seeded-random.js';
import { protectTable, type SecretResult } from './secrecy.js';

/**
 * An independent check: with exact rational arithmetic (BigInt fractions), can a hidden value be
 * recomputed from everything published? A hidden cell x is recomputable iff minimising and
 * maximising it over the real solutions of the line equations give the same value; we test it as
 * "the unit vector of x lies in the span of the lines" by exact elimination, written apart from the
 * implementation (different representation: named cells, BigInt).
 */
type Frac = { n: bigint; d: bigint };
const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? (a < 0n ? -a : a) : gcd(b, a % b));
const fr = (n: bigint, d = 1n): Frac => {
  if (d < 0n) return fr(-n, -d);
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
};
const sub = (a: Frac, b: Frac) => fr(a.n * b.d - b.n * a.d, a.d * b.d);
const mul = (a: Frac, b: Frac) => fr(a.n * b.n, a.d * b.d);
const div = (a: Frac, b: Frac) => fr(a.n * b.d, a.d * b.n);

function disclosed(res: SecretResult, rows: number, cols: number, rowTotals = true): string[] {
  // Unknowns: hidden cells "r,c", hidden row totals "r,T", hidden column totals "T,c".
  const key = (r: number, c: number) => `${r < 0 ? 'T' : r},${c < 0 ? 'T' : c}`;
  const hidden: string[] = [];
  const lines: string[][] = [];
  const signs: number[][] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) if (res.cells[r]?.[c] === null) hidden.push(key(r, c));
  if (rowTotals) for (let r = 0; r < rows; r++) if (res.rowTotals[r] === null) hidden.push(key(r, -1));
  for (let c = 0; c < cols; c++) if (res.columnTotals[c] === null) hidden.push(key(-1, c));
  if (rowTotals)
    for (let r = -1; r < rows; r++) {
      lines.push([...Array.from({ length: cols }, (_, c) => key(r, c)), key(r, -1)]);
      signs.push([...Array.from({ length: cols }, () => 1), -1]);
    }
  for (let c = 0; c < (rowTotals ? cols : cols) + (rowTotals ? 1 : 0); c++) {
    const cc = c === cols ? -1 : c;
    lines.push([...Array.from({ length: rows }, (_, r) => key(r, cc)), key(-1, cc)]);
    signs.push([...Array.from({ length: rows }, () => 1), -1]);
  }
  const idx = new Map(hidden.map((h, i) => [h, i]));
  const m: Frac[][] = lines
    .map((l, li) => {
      const row = hidden.map(() => fr(0n));
      l.forEach((k, j) => {
        const i = idx.get(k);
        if (i !== undefined) row[i] = fr(row[i]!.n + BigInt(signs[li]![j]!) * row[i]!.d, row[i]!.d);
      });
      return row;
    })
    .filter((row) => row.some((x) => x.n !== 0n));
  const pivots: number[] = [];
  let r = 0;
  for (let c = 0; c < hidden.length && r < m.length; c++) {
    const p = m.findIndex((row, i) => i >= r && row[c]!.n !== 0n);
    if (p < 0) continue;
    [m[r], m[p]] = [m[p]!, m[r]!];
    const pv = m[r]![c]!;
    m[r] = m[r]!.map((x) => div(x, pv));
    for (let i = 0; i < m.length; i++)
      if (i !== r && m[i]![c]!.n !== 0n) {
        const f = m[i]![c]!;
        m[i] = m[i]!.map((x, k) => sub(x, mul(f, m[r]![k]!)));
      }
    pivots.push(c);
    r++;
  }
  return pivots
    .filter((c, i) => m[i]!.every((x, k) => k === c || pivots.includes(k) || x.n === 0n))
    .map((c) => hidden[c]!);
}

function randomTable(rnd: () => number, rows: number, cols: number) {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => {
      const u = rnd();
      return u < 0.2 ? 0 : u < 0.55 ? 1 + Math.floor(rnd() * 10) : Math.floor(rnd() * 200);
    }),
  );
}

describe('statistical secrecy', () => {
  it('hides 1..threshold−1, publishes true zeros, and one small cell in a row forces a second', () => {
    const res = protectTable(
      {
        rows: ['02', '75'],
        columns: ['caf', 'msa', 'ants'],
        counts: [
          [0, 3, 40],
          [20, 30, 50],
        ],
      },
      11,
    );
    expect(res.cells[0]).toEqual([0, null, null]);
    expect(res.primary).toEqual([{ r: 0, c: 1 }]);
    expect(res.secondary.length).toBeGreaterThan(0);
    expect(res.total).toBe(143);
    expect(res.residual).toEqual([]);
    for (const row of [0, 1]) expect(res.cells[row]!.filter((x) => x === null).length).not.toBe(1);
  });

  it('property: on random tables no hidden cell can be recomputed, no line has one hidden cell', () => {
    const rnd = seededRandom(20261203);
    for (let t = 0; t < 150; t++) {
      const rows = 1 + Math.floor(rnd() * 7);
      const cols = 1 + Math.floor(rnd() * 5);
      const counts = randomTable(rnd, rows, cols);
      const threshold = [3, 5, 11][t % 3] as number;
      const res = protectTable(
        { rows: counts.map((_, i) => `r${i}`), columns: counts[0]!.map((_, i) => `c${i}`), counts },
        threshold,
      );
      const total = counts.flat().reduce((s, v) => s + v, 0);
      // Primary rule, and every published value is the true one.
      for (const [r, row] of counts.entries())
        for (const [c, v] of row.entries()) {
          const shown = res.cells[r]?.[c];
          if (v >= 1 && v < threshold) expect(shown).toBeNull();
          if (shown !== null) expect(shown).toBe(v);
        }
      expect(res.total).toBe(total);
      if (total < threshold) continue; // the grand total, always published, is itself small
      // No row or column (totals included) with exactly one hidden value.
      const grid = [
        ...res.cells.map((row, r) => [...row, res.rowTotals[r]]),
        [...res.columnTotals, res.total],
      ];
      for (const line of grid)
        expect(line.filter((x) => x === null).length, JSON.stringify(counts)).not.toBe(1);
      for (let c = 0; c <= cols; c++)
        expect(grid.map((l) => l[c]).filter((x) => x === null).length, JSON.stringify(counts)).not.toBe(1);
      // The exact, independent check.
      expect(disclosed(res, rows, cols), JSON.stringify(counts)).toEqual([]);
      expect(res.residual).toEqual([]);
    }
  });

  it('property: a single column without row totals (national by démarche)', () => {
    const rnd = seededRandom(7);
    for (let t = 0; t < 100; t++) {
      const counts = randomTable(rnd, 2 + Math.floor(rnd() * 10), 1);
      const res = protectTable({ rows: counts.map((_, i) => `d${i}`), columns: ['n'], counts }, 11, {
        rowTotals: false,
      });
      const hidden = res.cells.filter((x) => x[0] === null).length;
      expect(hidden).not.toBe(1);
      expect(res.columnTotals[0]).toBe(res.total);
      if (res.total >= 11) expect(disclosed(res, counts.length, 1, false)).toEqual([]);
    }
  });

  it('the secondary cells are few: the smallest of the line is chosen', () => {
    const res = protectTable(
      {
        rows: ['a', 'b', 'c'],
        columns: ['x', 'y', 'z'],
        counts: [
          [5, 100, 12],
          [50, 60, 70],
          [80, 90, 13],
        ],
      },
      11,
    );
    // 5 is primary; the row total 117 is fine; the secondary must pair it in its row and column.
    expect(res.primary).toEqual([{ r: 0, c: 0 }]);
    expect(res.secondary).toContainEqual({ r: 0, c: 2 });
    expect(res.secondary.length).toBeLessThanOrEqual(3);
  });

  it('refuses a bad threshold or negative counts', () => {
    expect(() => protectTable({ rows: ['a'], columns: ['x'], counts: [[1]] }, 0)).toThrow(RangeError);
    expect(() => protectTable({ rows: ['a'], columns: ['x'], counts: [[-1]] }, 11)).toThrow(RangeError);
    expect(() =>
      protectTable({ rows: ['a'], columns: ['x'], counts: [[Number.POSITIVE_INFINITY]] }, 11),
    ).toThrow(RangeError);
  });
});

describe('the independent disclosure check', () => {
  it('does find a cell recomputable from its row total', () => {
    const leaky: SecretResult = {
      threshold: 11,
      cells: [
        [null, 20],
        [30, 40],
      ],
      rowTotals: [25, 70],
      columnTotals: [35, 60],
      total: 95,
      primary: [],
      secondary: [],
      residual: [],
    };
    expect(disclosed(leaky, 2, 2)).toEqual(['0,0']);
  });
});
