import { describe, expect, it } from 'vitest';
import {
  compareStructureMonthRows,
  compareWeekRows,
  mondayOf,
  monthRowsOf,
  type RollupRecord,
  rollupDeltas,
  weekRowsOf,
} from './rollup.js';

const rec = (o: Partial<RollupRecord> = {}): RollupRecord => ({
  jour: '2026-05-04',
  structureId: 's1',
  departement: '02',
  partenaire: 'caf',
  canal: 'guichet',
  resultat: 'resolu',
  demarche: null,
  minutes: 20,
  ...o,
});

describe('rollup deltas', () => {
  it('Monday of the ISO week, across a year end', () => {
    expect(mondayOf('2026-05-04')).toBe('2026-05-04');
    expect(mondayOf('2026-05-10')).toBe('2026-05-04');
    expect(mondayOf('2027-01-01')).toBe('2026-12-28');
  });

  it('a record counts once per dimension, per day and per month; remote channels in the week', () => {
    const d = rollupDeltas([rec({ canal: 'visio' })], []);
    expect(d.depJour.map((r) => `${r.dimension}=${r.valeur}:${r.n}/${r.minutes}`)).toEqual([
      'canal=visio:1/20',
      'demarche=:1/20',
      'partenaire=caf:1/20',
      'resultat=resolu:1/20',
    ]);
    expect(d.depMois.every((r) => r.periode === '2026-05-01')).toBe(true);
    expect(d.semaines).toEqual([
      { semaine: '2026-05-04', structureId: 's1', departement: '02', n: 1, nDistance: 1, minutes: 20 },
    ]);
  });

  it('an update moves counts; an unchanged one touches nothing', () => {
    const before = rec();
    const after = rec({ jour: '2026-06-10', partenaire: 'msa', minutes: 45 });
    const d = rollupDeltas([after], [before]);
    expect(d.depJour.find((r) => r.dimension === 'partenaire' && r.valeur === 'caf')).toMatchObject({
      n: -1,
      minutes: -20,
    });
    expect(d.depJour.find((r) => r.dimension === 'partenaire' && r.valeur === 'msa')).toMatchObject({
      n: 1,
      minutes: 45,
    });
    expect(d.structureMois.find((r) => r.periode === '2026-05-01' && r.valeur === 'caf')).toMatchObject({
      structureId: 's1',
      n: -1,
      minutes: -20,
    });
    expect(d.structureMois.find((r) => r.periode === '2026-06-01' && r.valeur === 'msa')).toMatchObject({
      n: 1,
      minutes: 45,
    });
    expect(rollupDeltas([before], [before])).toEqual({
      depJour: [],
      depMois: [],
      structureMois: [],
      semaines: [],
    });
  });

  it('a structure month sums its own records only, per value', () => {
    const d = rollupDeltas(
      [
        rec(),
        rec({ jour: '2026-05-31', partenaire: 'msa', minutes: 10 }),
        rec({ structureId: 's2', jour: '2026-05-12' }),
        rec({ jour: '2026-06-01' }),
      ],
      [],
    );
    const s1May = d.structureMois.filter((r) => r.structureId === 's1' && r.periode === '2026-05-01');
    expect(s1May.filter((r) => r.dimension === 'partenaire').map((r) => [r.valeur, r.n, r.minutes])).toEqual([
      ['caf', 1, 20],
      ['msa', 1, 10],
    ]);
    expect(s1May.find((r) => r.dimension === 'canal')).toMatchObject({
      valeur: 'guichet',
      n: 2,
      minutes: 30,
    });
    expect(d.structureMois.filter((r) => r.structureId === 's2')).toHaveLength(4);
    expect(compareStructureMonthRows(s1May, s1May.slice(1)).map((x) => [x.table, x.key, x.trouve])).toEqual([
      ['pilotage_structure_mois', `${s1May[0]?.dimension}|s1|2026-05-01|${s1May[0]?.valeur}`, null],
    ]);
  });

  it('day rows sum to months and weeks; differences name their key', () => {
    const d = rollupDeltas([rec(), rec({ jour: '2026-05-31' })], []);
    expect(monthRowsOf(d.depJour).find((r) => r.dimension === 'canal')).toMatchObject({ n: 2, minutes: 40 });
    const weeks = weekRowsOf([
      { jour: '2026-05-04', structureId: 's1', departement: '02', n: 2, nDistance: 0, minutes: 30 },
      { jour: '2026-05-06', structureId: 's1', departement: '02', n: 1, nDistance: 1, minutes: 5 },
    ]);
    expect(weeks).toEqual([
      { semaine: '2026-05-04', structureId: 's1', departement: '02', n: 3, nDistance: 1, minutes: 35 },
    ]);
    expect(compareWeekRows(weeks, [])).toEqual([
      {
        table: 'pilotage_structure_semaine',
        key: '2026-05-04|s1',
        attendu: { n: 3, minutes: 35, nDistance: 1 },
        trouve: null,
      },
    ]);
  });
});
