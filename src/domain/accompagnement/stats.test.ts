import { describe, expect, it } from 'vitest';
import { parseStatsDimension, parseStatsRange, parseStatsTerritory, statsReport } from './stats.js';

describe('statistics query', () => {
  it('parses territories', () => {
    expect(parseStatsTerritory('fr')).toEqual({ kind: 'FR', code: 'FR' });
    expect(parseStatsTerritory('dep:2a')).toMatchObject({ kind: 'dep', value: '2A' });
    expect(parseStatsTerritory('structure:FS-12')).toMatchObject({ kind: 'structure', value: 'FS-12' });
    expect(() => parseStatsTerritory('dep:975')).toThrow(/outre-mer/);
    expect(() => parseStatsTerritory('<b>x</b>')).toThrow(/illisible/);
  });
  it('bounds the range and checks the dates', () => {
    expect(parseStatsRange('2026-01-01', '2026-01-01')).toEqual({ from: '2026-01-01', to: '2026-01-01' });
    expect(() => parseStatsRange('2026-02-30', '2026-03-01')).toThrow(/Date invalide/);
    expect(() => parseStatsRange('2026-03-01', '2026-02-01')).toThrow(/précède/);
    expect(() => parseStatsRange('2000-01-01', '2026-01-01')).toThrow(/trop longue/);
    expect(() => parseStatsDimension('age')).toThrow(/Regroupement inconnu/);
  });
  it('computes shares, minutes and orders groups', () => {
    const r = statsReport({ territory: 'FR', from: '2026-01-01', to: '2026-12-31', by: 'mois' }, [
      { key: '2026-05', count: 3, minutes: 60 },
      { key: '2026-01', count: 1, minutes: 10 },
    ]);
    expect(r.total).toBe(4);
    expect(r.minutes).toEqual({ total: 70, mean: 17.5 });
    expect(r.groups).toEqual([
      { key: '2026-01', count: 1, share: 0.25 },
      { key: '2026-05', count: 3, share: 0.75 },
    ]);
    expect(statsReport({ territory: 'FR', from: 'a', to: 'b', by: 'canal' }, []).minutes.mean).toBe(0);
  });
});
