/**
 * Pilotage rollups (issue 14), pure: what one accompaniment adds to (or removes from) the rollup
 * rows, and the comparison of rollups with raw counts. The rows are marginals per dimension (a record
 * counts once in each of partenaire, canal, resultat, demarche), per department and local day or month,
 * per structure and local month (a structure's dashboard), and per structure and local ISO week for
 * the crisis indicators.
 */

export const ROLLUP_DIMENSIONS = ['partenaire', 'canal', 'resultat', 'demarche'] as const;
export type RollupDimension = (typeof ROLLUP_DIMENSIONS)[number];
/** The remote channels of the crisis indicators. */
export const REMOTE_CHANNELS: readonly string[] = ['telephone', 'courriel', 'visio'];
/** The value stored for a record without démarche. */
export const NO_DEMARCHE = '';

/** What a rollup needs of a record. `jour` is the structure's local day (`YYYY-MM-DD`). */
export interface RollupRecord {
  readonly jour: string;
  readonly structureId: string;
  readonly departement: string;
  readonly partenaire: string;
  readonly canal: string;
  readonly resultat: string;
  readonly demarche: string | null;
  readonly minutes: number;
}

/** A row (or a change) of a per-dimension rollup; `periode` is a day, or the first day of a month. */
export interface DimensionRow {
  readonly dimension: RollupDimension;
  readonly departement: string;
  readonly periode: string;
  readonly valeur: string;
  readonly n: number;
  readonly minutes: number;
}

/** A row (or a change) of the structure × month rollup; `periode` is the first day of the month. */
export interface StructureMonthRow {
  readonly dimension: RollupDimension;
  readonly structureId: string;
  readonly periode: string;
  readonly valeur: string;
  readonly n: number;
  readonly minutes: number;
}

/** A row (or a change) of the structure × week rollup; `semaine` is the local Monday. */
export interface WeekRow {
  readonly semaine: string;
  readonly structureId: string;
  readonly departement: string;
  readonly n: number;
  readonly nDistance: number;
  readonly minutes: number;
}

export interface RollupDeltas {
  readonly depJour: readonly DimensionRow[];
  readonly depMois: readonly DimensionRow[];
  readonly structureMois: readonly StructureMonthRow[];
  readonly semaines: readonly WeekRow[];
}

const DAY_MS = 86_400_000;

/** The Monday of the ISO week of a calendar day (`YYYY-MM-DD` → `YYYY-MM-DD`). */
export function mondayOf(day: string): string {
  let monday = mondays.get(day);
  if (monday === undefined) {
    if (mondays.size > 10_000) mondays.clear();
    monday = computeMondayOf(day);
    mondays.set(day, monday);
  }
  return monday;
}
/** A few thousand distinct days at most in a batch: computing each once saves two Dates per record. */
const mondays = new Map<string, string>();

function computeMondayOf(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  const weekday = (new Date(t).getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  return new Date(t - weekday * DAY_MS).toISOString().slice(0, 10);
}

/** The first day of the month of a day. */
export const monthOf = (day: string): string => `${day.slice(0, 7)}-01`;

export const dimensionValue = (r: RollupRecord, d: RollupDimension): string =>
  d === 'demarche' ? (r.demarche ?? NO_DEMARCHE) : r[d];

export const dimensionKey = (r: Pick<DimensionRow, 'dimension' | 'departement' | 'periode' | 'valeur'>) =>
  `${r.dimension}|${r.departement}|${r.periode}|${r.valeur}`;
export const structureMonthKey = (
  r: Pick<StructureMonthRow, 'dimension' | 'structureId' | 'periode' | 'valeur'>,
) => `${r.dimension}|${r.structureId}|${r.periode}|${r.valeur}`;
export const weekKey = (r: Pick<WeekRow, 'semaine' | 'structureId'>) => `${r.semaine}|${r.structureId}`;

/** Sums per dimension value of one owner (a department or a structure) and period. */
class DimensionSums {
  readonly #rows = new Map<
    string,
    { dimension: RollupDimension; owner: string; periode: string; valeur: string; n: number; minutes: number }
  >();
  /** Allocates only for a key not seen yet: this runs twelve times per record written. */
  add(
    dimension: RollupDimension,
    owner: string,
    periode: string,
    valeur: string,
    n: number,
    minutes: number,
  ): void {
    const key = `${dimension}|${owner}|${periode}|${valeur}`;
    const cur = this.#rows.get(key);
    if (cur) {
      cur.n += n;
      cur.minutes += minutes;
    } else this.#rows.set(key, { dimension, owner, periode, valeur, n, minutes });
  }
  /** Non-zero rows, sorted by key (a fixed lock order for concurrent writers). */
  #sorted() {
    return [...this.#rows.entries()]
      .filter(([, v]) => v.n !== 0 || v.minutes !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }
  departmentRows(): DimensionRow[] {
    return this.#sorted().map(({ owner, ...v }) => ({ ...v, departement: owner }));
  }
  structureRows(): StructureMonthRow[] {
    return this.#sorted().map(({ owner, ...v }) => ({ ...v, structureId: owner }));
  }
}

class WeekSums {
  readonly #rows = new Map<
    string,
    {
      semaine: string;
      structureId: string;
      departement: string;
      n: number;
      nDistance: number;
      minutes: number;
    }
  >();
  add(r: WeekRow): void {
    const key = weekKey(r);
    const cur = this.#rows.get(key);
    if (cur) {
      cur.n += r.n;
      cur.nDistance += r.nDistance;
      cur.minutes += r.minutes;
    } else this.#rows.set(key, { ...r });
  }
  rows(): WeekRow[] {
    return [...this.#rows.entries()]
      .filter(([, v]) => v.n !== 0 || v.nDistance !== 0 || v.minutes !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, v]) => v);
  }
}

/**
 * The changes that keep the rollups exact when `added` records are written and `removed` ones
 * disappear (an update is the old version removed and the new one added). Zero changes are dropped,
 * so an update that changes nothing the rollups see touches no rollup row.
 */
export function rollupDeltas(added: readonly RollupRecord[], removed: readonly RollupRecord[]): RollupDeltas {
  const jour = new DimensionSums();
  const mois = new DimensionSums();
  const structureMois = new DimensionSums();
  const weeks = new WeekSums();
  const apply = (r: RollupRecord, sign: 1 | -1) => {
    const month = monthOf(r.jour);
    for (const dimension of ROLLUP_DIMENSIONS) {
      const valeur = dimensionValue(r, dimension);
      jour.add(dimension, r.departement, r.jour, valeur, sign, sign * r.minutes);
      mois.add(dimension, r.departement, month, valeur, sign, sign * r.minutes);
      structureMois.add(dimension, r.structureId, month, valeur, sign, sign * r.minutes);
    }
    weeks.add({
      semaine: mondayOf(r.jour),
      structureId: r.structureId,
      departement: r.departement,
      n: sign,
      nDistance: REMOTE_CHANNELS.includes(r.canal) ? sign : 0,
      minutes: sign * r.minutes,
    });
  };
  for (const r of added) apply(r, 1);
  for (const r of removed) apply(r, -1);
  return {
    depJour: jour.departmentRows(),
    depMois: mois.departmentRows(),
    structureMois: structureMois.structureRows(),
    semaines: weeks.rows(),
  };
}

/** Raw day counts per dimension value (from the records) → the month rows they sum to. */
export function monthRowsOf(dayRows: readonly DimensionRow[]): DimensionRow[] {
  const sums = new DimensionSums();
  for (const r of dayRows) sums.add(r.dimension, r.departement, monthOf(r.periode), r.valeur, r.n, r.minutes);
  return sums.departmentRows();
}

/** Raw structure × day counts → the structure × week rows they sum to. */
export function weekRowsOf(
  days: ReadonlyArray<{
    jour: string;
    structureId: string;
    departement: string;
    n: number;
    nDistance: number;
    minutes: number;
  }>,
): WeekRow[] {
  const sums = new WeekSums();
  for (const d of days)
    sums.add({
      semaine: mondayOf(d.jour),
      structureId: d.structureId,
      departement: d.departement,
      n: d.n,
      nDistance: d.nDistance,
      minutes: d.minutes,
    });
  return sums.rows();
}

export interface RollupDifference {
  readonly table:
    | 'pilotage_dep_jour'
    | 'pilotage_dep_mois'
    | 'pilotage_structure_mois'
    | 'pilotage_structure_semaine';
  readonly key: string;
  /** What the records say (null: no such row expected). */
  readonly attendu: { n: number; minutes: number; nDistance?: number } | null;
  /** What the rollup holds (null: missing). */
  readonly trouve: { n: number; minutes: number; nDistance?: number } | null;
}

/** Every key where the rollup differs from the raw counts (rows of zero count equal missing rows). */
export function compareDimensionRows(
  table: 'pilotage_dep_jour' | 'pilotage_dep_mois',
  expected: readonly DimensionRow[],
  actual: readonly DimensionRow[],
): RollupDifference[] {
  return compareCounts(table, dimensionKey, expected, actual);
}

export function compareStructureMonthRows(
  expected: readonly StructureMonthRow[],
  actual: readonly StructureMonthRow[],
): RollupDifference[] {
  return compareCounts('pilotage_structure_mois', structureMonthKey, expected, actual);
}

function compareCounts<R extends { readonly n: number; readonly minutes: number }>(
  table: RollupDifference['table'],
  keyOf: (r: R) => string,
  expected: readonly R[],
  actual: readonly R[],
): RollupDifference[] {
  const exp = new Map(expected.filter((r) => r.n !== 0).map((r) => [keyOf(r), r]));
  const act = new Map(actual.filter((r) => r.n !== 0 || r.minutes !== 0).map((r) => [keyOf(r), r]));
  const out: RollupDifference[] = [];
  for (const key of new Set([...exp.keys(), ...act.keys()])) {
    const e = exp.get(key);
    const a = act.get(key);
    if (e && a && e.n === a.n && e.minutes === a.minutes) continue;
    out.push({
      table,
      key,
      attendu: e ? { n: e.n, minutes: e.minutes } : null,
      trouve: a ? { n: a.n, minutes: a.minutes } : null,
    });
  }
  return out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

export function compareWeekRows(
  expected: readonly WeekRow[],
  actual: readonly WeekRow[],
): RollupDifference[] {
  const exp = new Map(expected.filter((r) => r.n !== 0).map((r) => [weekKey(r), r]));
  const act = new Map(
    actual.filter((r) => r.n !== 0 || r.minutes !== 0 || r.nDistance !== 0).map((r) => [weekKey(r), r]),
  );
  const out: RollupDifference[] = [];
  for (const key of new Set([...exp.keys(), ...act.keys()])) {
    const e = exp.get(key);
    const a = act.get(key);
    if (
      e &&
      a &&
      e.n === a.n &&
      e.minutes === a.minutes &&
      e.nDistance === a.nDistance &&
      e.departement === a.departement
    )
      continue;
    const v = (r: WeekRow | undefined) => (r ? { n: r.n, minutes: r.minutes, nDistance: r.nDistance } : null);
    out.push({ table: 'pilotage_structure_semaine', key, attendu: v(e), trouve: v(a) });
  }
  return out.sort((x, y) => (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}
