import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import { seededRandom } from '../shared/seeded-random.js';
import { communeCodeResolver } from './decoupage.js';
import { greedy, instanceFromSets, objective, swapSearch } from './mclp.js';
import { buildLp, checkExactSize, loadHighs, solveExact } from './mclp-exact.js';
import { haversineKm, nearestAll, nearestAllBruteForce, points, SiteIndex } from './nearest.js';
import { travelModel, travelModelFromString } from './travel-time.js';

const rng = seededRandom;

describe('travel-time model', () => {
  it('turns distance into minutes by class, and back into a radius', () => {
    const m = travelModel();
    // 1.25 × 26 km at 65 km/h = 30 min in "rural à habitat dispersé".
    expect(m.minutes(26, 6)).toBeCloseTo(30, 6);
    expect(m.radiusKm(30, 6)).toBeCloseTo(26, 6);
    // The same distance takes longer in a large urban centre.
    expect(m.minutes(10, 1)).toBeGreaterThan(m.minutes(10, 5));
  });

  it('accepts overrides and rejects absurd values naming the class', () => {
    const m = travelModel({ 1: { speedKmh: 15 } });
    expect(m.params[1]).toEqual({ detour: 1.4, speedKmh: 15 });
    expect(travelModelFromString('7:1.5:50').params[7]).toEqual({ detour: 1.5, speedKmh: 50 });
    expect(() => travelModel({ 3: { detour: 0.5 } })).toThrow(/détour/);
    expect(() => travelModel({ 4: { speedKmh: 500 } })).toThrow(
      expect.objectContaining({ field: 'travel.4.speedKmh' }),
    );
    expect(() => travelModelFromString('7-1.5-50')).toThrow(/illisible/);
  });
});

describe('nearest', () => {
  it('finds the nearest site on literal points', () => {
    const sites = points([
      [2.35, 48.85], // Paris
      [3.28, 49.85], // Saint-Quentin
      [5.37, 43.3], // Marseille
    ]);
    const pts = points([
      [3.62, 49.56], // Laon
      [2.3, 48.8],
      [5.0, 43.5],
    ]);
    const r = nearestAll(new SiteIndex(sites), pts);
    expect([...r.site]).toEqual([1, 0, 2]);
    expect(r.km[0]).toBeCloseTo(haversineKm(3.62, 49.56, 3.28, 49.85), 9);
    // Paris – Marseille is about 661 km.
    expect(haversineKm(2.35, 48.85, 5.37, 43.3)).toBeGreaterThan(655);
    expect(haversineKm(2.35, 48.85, 5.37, 43.3)).toBeLessThan(665);
  });

  it('agrees with brute force on seeded random points, across the antimeridian too', () => {
    const rand = rng(42);
    const mk = (n: number) =>
      points(Array.from({ length: n }, () => [rand() * 360 - 180, rand() * 160 - 80] as const));
    const sites = mk(300);
    const pts = mk(2000);
    const fast = nearestAll(new SiteIndex(sites), pts);
    const slow = nearestAllBruteForce(sites, pts);
    for (let i = 0; i < 2000; i++) expect(fast.km[i]).toBeCloseTo(slow.km[i] as number, 9);
  });

  it('returns -1 and Infinity without sites; rejects bad arguments precisely', () => {
    const r = nearestAll(new SiteIndex(points([])), points([[2, 48]]));
    expect(r.site[0]).toBe(-1);
    expect(r.km[0]).toBe(Number.POSITIVE_INFINITY);
    expect(() => new SiteIndex({ lon: new Float64Array(2), lat: new Float64Array(3) })).toThrow(
      /2 longitudes pour 3/,
    );
    expect(() => points([[200, 48]])).toThrow(/longitude 200/);
    expect(() => new SiteIndex({ lon: [1] as unknown as Float64Array, lat: new Float64Array(1) })).toThrow(
      /Float64Array/,
    );
    expect(() => new SiteIndex(points([[2, 48]]), 1)).toThrow(/nodeSize/);
    expect(() => new SiteIndex(points([[2, 48]])).within(2, 48, -1)).toThrow(/rayon/);
  });
});

describe('MCLP', () => {
  // a..f weigh 1 each. c0 reaches a,b,c,d; c1 reaches a,b,e; c2 reaches c,d,f.
  const trap = instanceFromSets(
    [1, 1, 1, 1, 1, 1],
    [
      [0, 1, 2, 3],
      [0, 1, 4],
      [2, 3, 5],
    ],
  );

  it('greedy takes the biggest set first; swap search escapes the trap', () => {
    const g = greedy(trap, 2);
    expect(g.chosen[0]).toBe(0);
    expect(g.objective).toBe(5);
    const s = swapSearch(trap, g.chosen);
    expect(s.objective).toBe(6);
    expect([...s.chosen].sort()).toEqual([1, 2]);
    expect(s.gains.reduce((a, b) => a + b, 0)).toBe(6);
  });

  it('rejects k ≤ 0 or not an integer, naming k', () => {
    for (const k of [0, -1, 1.5]) {
      try {
        greedy(trap, k);
        expect.unreachable();
      } catch (e) {
        expect((e as DomainError).field).toBe('k');
      }
    }
  });

  it('greedy + swap reaches the brute-force optimum on small seeded instances, and HiGHS agrees', async () => {
    const highs = await loadHighs();
    const rand = rng(7);
    for (let t = 0; t < 10; t++) {
      const nd = 30;
      const nc = 10;
      const weight = Array.from({ length: nd }, () => Math.round(rand() * 100));
      const sets = Array.from({ length: nc }, () =>
        Array.from({ length: nd }, (_, i) => i).filter(() => rand() < 0.2),
      );
      const inst = instanceFromSets(weight, sets);
      const k = 3;
      let best = 0;
      for (let a = 0; a < nc; a++)
        for (let b = a + 1; b < nc; b++)
          for (let c = b + 1; c < nc; c++) best = Math.max(best, objective(inst, [a, b, c]));
      const heuristic = swapSearch(inst, greedy(inst, k).chosen).objective;
      expect(heuristic).toBeLessThanOrEqual(best);
      expect(heuristic).toBeGreaterThanOrEqual(0.9 * best);
      const exact = solveExact(highs, inst, k);
      expect(exact.status).toBe('optimal');
      expect(exact.objective).toBeCloseTo(best, 6);
      expect(objective(inst, exact.chosen)).toBeCloseTo(best, 6);
    }
  }, 30_000);

  it('writes a readable LP and refuses an instance above the limits in French, pointing to the heuristic', () => {
    const lp = buildLp(trap, 2).lp;
    expect(lp).toContain('c0: y0 - x0 - x1 <= 0');
    expect(lp).toContain('k: + x0 + x1 + x2 <= 2');
    try {
      checkExactSize(trap, { maxCandidates: 2, maxPairs: 100, timeLimitSeconds: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).code).toBe('too_large');
      expect((e as DomainError).message).toMatch(/heuristique/);
    }
  });
});

describe('commune code resolver', () => {
  const resolve = communeCodeResolver([
    { code: '49126', nom: 'Orée d’Anjou', type: 'commune-actuelle', anciensCodes: ['49069', '49040'] },
    { code: '49069', nom: 'Champtoceaux', type: 'commune-deleguee', chefLieu: '49126' },
    { code: '93066', nom: 'Saint-Denis', type: 'commune-actuelle', anciensCodes: ['93059'] },
    { code: '93059', nom: 'Pierrefitte', type: 'commune-deleguee', chefLieu: '93066' },
    { code: '13055', nom: 'Marseille', type: 'commune-actuelle' },
    { code: '13201', nom: 'Marseille 1er', type: 'arrondissement-municipal', commune: '13055' },
  ]);
  it('maps old codes, delegated communes and arrondissements to the current commune', () => {
    expect(resolve('49069')).toBe('49126');
    expect(resolve('49040')).toBe('49126');
    expect(resolve('93059')).toBe('93066');
    expect(resolve('13201')).toBe('13055');
    expect(resolve('13055')).toBe('13055');
    expect(resolve('99999')).toBeNull();
  });
});

describe('exact solver and size errors', () => {
  it('throws a DomainError for a time limit that is not positive', async () => {
    const highs = await loadHighs();
    const inst = instanceFromSets([1], [[0]]);
    expect(() =>
      solveExact(highs, inst, 1, { maxCandidates: 10, maxPairs: 10, timeLimitSeconds: 0 }),
    ).toThrow(DomainError);
  });
});
