import { writeCsv } from '../shared/csv.js';
import { invalid } from '../shared/errors.js';
import { protectTable } from './secrecy.js';

/**
 * The open-data files of issue 14 (docs/STATISTIQUES.md), pure: monthly counts by department ×
 * partner and department × channel, national counts by démarche, under statistical secrecy.
 */
export const OPENDATA_BY = ['partenaire', 'canal'] as const;
export type OpenDataBy = (typeof OPENDATA_BY)[number];

/** The exact shape. `null` = hidden. */
export interface OpenDataTable {
  readonly period: string;
  readonly threshold: number;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<{
    readonly departement: string;
    readonly cells: Readonly<Record<string, number | null>>;
    readonly total: number | null;
  }>;
  readonly totals: Readonly<Record<string, number | null>> & { readonly all: number };
}

/** Where a cell was hidden for the secondary reason: a department (or `total`) × a column (or `total`). */
export interface HiddenCell {
  readonly departement: string;
  readonly colonne: string;
}

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** `YYYY-MM`, from January 2019 (the first records) to the current month. */
export function parsePeriod(input: unknown, currentMonth: string): string {
  if (typeof input !== 'string' || !PERIOD.test(input))
    throw invalid('period', 'Période invalide : AAAA-MM attendu (ex. 2026-03).');
  if (input < '2019-01' || input > currentMonth)
    throw invalid('period', `Période hors bornes : de 2019-01 à ${currentMonth}.`);
  return input;
}

export function parseOpenDataBy(input: unknown): OpenDataBy {
  if (typeof input === 'string' && (OPENDATA_BY as readonly string[]).includes(input))
    return input as OpenDataBy;
  throw invalid('by', `Dimension inconnue. Valeurs : ${OPENDATA_BY.join(', ')}.`);
}

export function parseThreshold(input: unknown, fallback: number): number {
  if (input === undefined || input === null || input === '') return fallback;
  const n = typeof input === 'number' ? input : Number(input);
  if (typeof input === 'string' && !/^\d{1,4}$/.test(input))
    throw invalid('threshold', 'Seuil invalide : un entier de 2 à 1000.');
  if (!Number.isInteger(n) || n < 2 || n > 1000)
    throw invalid('threshold', 'Seuil invalide : un entier de 2 à 1000.');
  return n;
}

/**
 * Department × column counts of one month → the published table and the secondary cells.
 * Rows are the departments with at least one record that month, in code order.
 */
export function openDataTable(
  period: string,
  threshold: number,
  columns: readonly string[],
  counts: ReadonlyArray<{ readonly departement: string; readonly key: string; readonly count: number }>,
): { table: OpenDataTable; secondary: HiddenCell[]; primary: number } {
  const byDep = new Map<string, Map<string, number>>();
  for (const c of counts) {
    if (c.count === 0) continue;
    const m = byDep.get(c.departement) ?? new Map<string, number>();
    m.set(c.key, (m.get(c.key) ?? 0) + c.count);
    byDep.set(c.departement, m);
  }
  const deps = [...byDep.keys()].sort();
  const res = protectTable(
    { rows: deps, columns, counts: deps.map((d) => columns.map((col) => byDep.get(d)?.get(col) ?? 0)) },
    threshold,
  );
  const name = (r: number, c: number): HiddenCell => ({
    departement: r < 0 ? 'total' : (deps[r] as string),
    colonne: c < 0 ? 'total' : (columns[c] as string),
  });
  const totals: Record<string, number | null> = {};
  columns.forEach((col, c) => {
    totals[col] = res.columnTotals[c] ?? null;
  });
  return {
    table: {
      period,
      threshold,
      columns: [...columns],
      rows: deps.map((departement, r) => ({
        departement,
        cells: Object.fromEntries(columns.map((col, c) => [col, res.cells[r]?.[c] ?? null])),
        total: res.rowTotals[r] ?? null,
      })),
      totals: { ...totals, all: res.total },
    },
    secondary: res.secondary.map((x) => name(x.r, x.c)),
    primary: res.primary.length,
  };
}

/** The table as CSV: `departement,<columns…>,total`, a last row `total`; a hidden cell is empty. */
export function openDataCsv(t: OpenDataTable): string {
  return writeCsv([
    ['periode', 'departement', ...t.columns, 'total'],
    ...t.rows.map((r) => [t.period, r.departement, ...t.columns.map((c) => r.cells[c] ?? null), r.total]),
    [t.period, 'total', ...t.columns.map((c) => t.totals[c] ?? null), t.totals.all],
  ]);
}

/** National counts by démarche for a month (one column, no row totals). */
export interface DemarcheTable {
  readonly period: string;
  readonly threshold: number;
  readonly rows: ReadonlyArray<{
    readonly demarche: string;
    readonly libelle: string;
    readonly n: number | null;
  }>;
  readonly total: number;
}

export function demarcheTable(
  period: string,
  threshold: number,
  counts: ReadonlyArray<{ readonly key: string; readonly count: number }>,
  labelOf: (code: string) => string,
): { table: DemarcheTable; secondary: string[] } {
  const rows = counts.filter((c) => c.count > 0).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const res = protectTable(
    { rows: rows.map((r) => r.key), columns: ['n'], counts: rows.map((r) => [r.count]) },
    threshold,
    { rowTotals: false },
  );
  return {
    table: {
      period,
      threshold,
      rows: rows.map((r, i) => ({ demarche: r.key, libelle: labelOf(r.key), n: res.cells[i]?.[0] ?? null })),
      total: res.total,
    },
    secondary: res.secondary.filter((x) => x.r >= 0).map((x) => rows[x.r]?.key ?? ''),
  };
}

export function demarcheCsv(t: DemarcheTable): string {
  return writeCsv([
    ['periode', 'demarche', 'libelle', 'accompagnements'],
    ...t.rows.map((r) => [t.period, r.demarche, r.libelle, r.n]),
    [t.period, 'total', 'Toutes démarches', t.total],
  ]);
}

/** Column descriptions shown on /statistiques and in docs/STATISTIQUES.md. */
export const OPENDATA_COLUMNS: Readonly<
  Record<'departement' | 'demarche', ReadonlyArray<readonly [string, string]>>
> = {
  departement: [
    ['periode', 'Mois (AAAA-MM), jour local de la structure.'],
    [
      'departement',
      'Code INSEE du département de la structure (métropole et DROM) ; « total » : France entière.',
    ],
    [
      '<colonne>',
      'Nombre d’accompagnements de ce partenaire (ou de ce canal) ; vide (null en JSON) : secret statistique.',
    ],
    ['total', 'Tous partenaires (ou canaux) du département ; vide : secret statistique.'],
  ],
  demarche: [
    ['periode', 'Mois (AAAA-MM), jour local de la structure.'],
    [
      'demarche',
      'Code de la démarche (catalogue issu des fiches service-public.fr) ; vide : non renseignée.',
    ],
    ['libelle', 'Intitulé de la démarche.'],
    [
      'accompagnements',
      'Nombre d’accompagnements en France entière ; vide (null en JSON) : secret statistique.',
    ],
  ],
};
