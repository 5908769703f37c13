import { describe, expect, it } from 'vitest';
import {
  applyContreVisite,
  assertSubmittable,
  auditsDue,
  emptyGrid,
  gridCriteria,
  mandatoryNonConformities,
  nextAuditDue,
  openActions,
  openCorrectiveActions,
  overdueActions,
  saveGrid,
} from './audit.js';
import { REFERENTIEL_2025_06 } from './referentiel-2025.js';

const fixed = gridCriteria(REFERENTIEL_2025_06, false);
const allConforme = () =>
  saveGrid(
    emptyGrid(fixed),
    fixed.map((c) => ({ code: c.code, verdict: 'conforme' })),
    0,
  );

describe('audit grid', () => {
  it('covers the applicable criteria: mobile-only ones only for buses', () => {
    expect(fixed.some((c) => c.code === 'OUV-04')).toBe(false);
    expect(gridCriteria(REFERENTIEL_2025_06, true).some((c) => c.code === 'OUV-04')).toBe(true);
    expect(emptyGrid(fixed).entries).toHaveLength(fixed.length);
  });

  it('saves drafts and bumps the version; a stale save is a conflict, not an overwrite', () => {
    const g0 = emptyGrid(fixed);
    const g1 = saveGrid(g0, [{ code: 'ACC-01', verdict: 'conforme', comment: 'RAS' }], 0);
    expect(g1.version).toBe(1);
    expect(g1.entries.find((e) => e.code === 'ACC-01')).toEqual({
      code: 'ACC-01',
      verdict: 'conforme',
      comment: 'RAS',
    });
    const g2 = saveGrid(
      g1,
      [{ code: 'ACC-02', verdict: 'non_conforme', comment: 'Pas de ligne directe' }],
      1,
    );
    expect(() => saveGrid(g2, [{ code: 'ACC-01', verdict: 'non_conforme' }], 1)).toThrow(
      /modifiée par ailleurs/,
    );
    // the first save is intact
    expect(g2.entries.find((e) => e.code === 'ACC-01')?.verdict).toBe('conforme');
  });

  it('refuses unknown codes and verdicts and over-long comments', () => {
    const g = emptyGrid(fixed);
    expect(() => saveGrid(g, [{ code: 'XXX-99', verdict: 'conforme' }], 0)).toThrow(/XXX-99 inconnu/);
    expect(() => saveGrid(g, [{ code: 'ACC-01', verdict: 'bof' }], 0)).toThrow(/Avis « bof » inconnu/);
    expect(() =>
      saveGrid(g, [{ code: 'ACC-01', verdict: 'conforme', comment: 'x'.repeat(2001) }], 0),
    ).toThrow(/trop long/);
  });

  it('a submission needs every mandatory verdict and comments on non-conformities', () => {
    let g = emptyGrid(fixed);
    expect(() => assertSubmittable(g, fixed)).toThrow(/ACC-01 \(obligatoire\) : avis manquant/);
    g = allConforme();
    g = saveGrid(
      g,
      [
        { code: 'LOC-01', verdict: 'non_conforme', comment: '' },
        { code: 'EQU-04', verdict: 'sans_objet' },
      ],
      g.version,
    );
    expect(() => assertSubmittable(g, fixed)).toThrow(
      'Grille incomplète : LOC-01 : décrivez la non-conformité ; EQU-04 (obligatoire) : justifiez « sans objet ».',
    );
    // optional criteria may stay empty
    g = saveGrid(
      g,
      [
        { code: 'LOC-01', verdict: 'non_conforme', comment: 'Pas de bureau fermé' },
        { code: 'EQU-04', verdict: 'sans_objet', comment: 'Visio mutualisée' },
        { code: 'ACC-05', verdict: null },
      ],
      g.version,
    );
    expect(() => assertSubmittable(g, fixed)).not.toThrow();
    expect(mandatoryNonConformities(g, fixed).map((e) => e.code)).toEqual(['LOC-01']);
  });
});

describe('corrective actions and contre-visite', () => {
  const audited = saveGrid(
    allConforme(),
    [
      { code: 'LOC-01', verdict: 'non_conforme', comment: 'Pas de bureau fermé' },
      { code: 'QUA-04', verdict: 'non_conforme', comment: 'Délais non suivis' },
    ],
    1,
  );

  it('each non-conformity opens an action with a deadline', () => {
    const actions = openCorrectiveActions(audited, '2026-11-24', 30);
    expect(actions).toEqual([
      { code: 'LOC-01', description: 'Pas de bureau fermé', dueOn: '2026-12-24', closedOn: null },
      { code: 'QUA-04', description: 'Délais non suivis', dueOn: '2026-12-24', closedOn: null },
    ]);
    expect(() => openCorrectiveActions(audited, '2026-11-24', 0)).toThrow(/délai/);
  });

  it('overdue: open actions past their due day (the due day itself is not late)', () => {
    const actions = openCorrectiveActions(audited, '2026-11-24', 30);
    expect(overdueActions(actions, new Date('2026-12-24T23:30:00Z'))).toHaveLength(2); // 25 Dec, 00:30 in Paris
    expect(overdueActions(actions, new Date('2026-12-24T22:30:00Z'))).toHaveLength(0); // 24 Dec, 23:30 in Paris
  });

  it('a contre-visite closes the actions found conforme and keeps the others open', () => {
    const actions = openCorrectiveActions(audited, '2026-11-24', 30);
    const cv = saveGrid(
      emptyGrid(fixed.filter((c) => ['LOC-01', 'QUA-04'].includes(c.code))),
      [
        { code: 'LOC-01', verdict: 'conforme', comment: 'Bureau cloisonné' },
        { code: 'QUA-04', verdict: 'non_conforme', comment: 'Toujours pas' },
      ],
      0,
    );
    const after = applyContreVisite(actions, cv, '2027-01-10');
    expect(after.map((a) => [a.code, a.closedOn])).toEqual([
      ['LOC-01', '2027-01-10'],
      ['QUA-04', null],
    ]);
    expect(openActions(after)).toHaveLength(1);
    const incomplete = emptyGrid(fixed.filter((c) => c.code === 'LOC-01'));
    expect(() => applyContreVisite(actions, incomplete, '2027-01-10')).toThrow(
      'La contre-visite doit statuer sur chaque action corrective ouverte : LOC-01, QUA-04.',
    );
  });
});

describe('periodic audits', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  it('is due one cycle after the later of labellisation and last audit', () => {
    expect(nextAuditDue('2023-06-01', null, 36, now)).toEqual({
      dueOn: '2026-06-01',
      daysOverdue: 176,
      overdue: true,
    });
    expect(nextAuditDue('2023-06-01', '2025-01-15', 36, now)).toMatchObject({
      dueOn: '2028-01-15',
      overdue: false,
    });
    expect(nextAuditDue('2024-11-24', null, 24, now)).toMatchObject({
      dueOn: '2026-11-24',
      daysOverdue: 0,
      overdue: false,
    });
    expect(() => nextAuditDue('2024-01-01', null, 0, now)).toThrow(/cycle/);
  });

  it('lists labelled structures due within the horizon, most late first', () => {
    const list = auditsDue(
      [
        { id: 'a', labelledOn: '2023-06-01', lastAuditOn: null },
        { id: 'b', labelledOn: '2020-09-01', lastAuditOn: '2023-10-01' },
        { id: 'c', labelledOn: '2025-01-01', lastAuditOn: null },
        { id: 'd', labelledOn: null, lastAuditOn: null },
        { id: 'e', labelledOn: '2023-12-10', lastAuditOn: null },
      ],
      36,
      now,
      30,
    );
    expect(list.map((s) => [s.id, s.daysOverdue])).toEqual([
      ['a', 176],
      ['b', 54],
      ['e', -16],
    ]);
    expect(list[2]).toMatchObject({ dueOn: '2026-12-10', overdue: false });
  });
});
