/**
 * One line of the accompaniment exchange CSV (issue 12), for tests: every column has a valid default,
 * any of them can be replaced (an empty string leaves the cell empty).
 */
export const exchangeLine = (o: Partial<Record<string, string>> & { id: string; id_fs: string }): string =>
  [
    o.id,
    o.id_fs,
    o.debut ?? '2026-05-04T09:30:00+02:00',
    o.duree_min ?? '20',
    o.canal ?? 'guichet',
    o.partenaire ?? 'caf',
    o.demarche ?? 'caf.rsa',
    o.resultat ?? 'resolu',
    o.tranche_age ?? '40_59',
    o.commune_usager ?? '02691',
  ].join(',');
