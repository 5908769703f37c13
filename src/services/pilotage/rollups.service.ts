import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import * as records from '../../db/repositories/accompagnement.repository.js';
import * as repo from '../../db/repositories/pilotage.repository.js';
import {
  compareDimensionRows,
  compareStructureMonthRows,
  compareWeekRows,
  type DimensionRow,
  mondayOf,
  monthOf,
  monthRowsOf,
  REMOTE_CHANNELS,
  type RollupDifference,
  type RollupRecord,
  rollupDeltas,
  type StructureMonthRow,
  weekRowsOf,
} from '../../domain/pilotage/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const addDays = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const lastDayOfMonth = (firstDay: string) => {
  const [y, m] = firstDay.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
};

/** The record fields a rollup reads. */
const toRollupRecord = (r: records.RecordInsert | records.RecordRow): RollupRecord => ({
  jour: r.jour_local,
  structureId: r.structure_id,
  departement: r.departement,
  partenaire: r.partenaire,
  canal: r.canal,
  resultat: r.resultat,
  demarche: r.demarche,
  minutes: r.duree_min,
});

/** Local days of any zone lie within ±14 h of the same UTC days: partition pruning stays exact. */
export function dayWindow(fromDay: string, toDay: string): records.DayWindow {
  const start = Date.parse(`${fromDay}T00:00:00Z`);
  const end = Date.parse(`${toDay}T00:00:00Z`) + 24 * HOUR;
  return { fromDay, toDay, fromInstant: new Date(start - 14 * HOUR), toInstant: new Date(end + 14 * HOUR) };
}

/** Calendar months (first and last day) covering [first, last]. */
export function monthsBetween(first: string, last: string): Array<{ from: string; to: string }> {
  const out: Array<{ from: string; to: string }> = [];
  let y = Number(first.slice(0, 4));
  let m = Number(first.slice(5, 7));
  const endKey = last.slice(0, 7);
  for (;;) {
    const key = `${y}-${String(m).padStart(2, '0')}`;
    const lastDay = new Date(Date.UTC(y, m, 0)).getUTCDate();
    out.push({ from: `${key}-01`, to: `${key}-${String(lastDay).padStart(2, '0')}` });
    if (key >= endKey) break;
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

export interface RollupCheck {
  readonly ok: boolean;
  readonly months: number;
  readonly records: number;
  /** The first differing keys (at most 1,000), with expected and found counts. */
  readonly differences: readonly RollupDifference[];
  readonly differenceCount: number;
}

/**
 * The rollups of issue 14: kept in each accompaniment write transaction (`listener`), checked
 * against the raw records, rebuilt from them. docs/adr/0014-pilotage.md.
 */
export class PilotageRollups {
  constructor(
    private readonly db: Db,
    private readonly logger?: Logger,
  ) {}

  /**
   * Given to the accompaniment service: runs inside each of its write transactions. A form or API
   * write adds its change to the rollup rows. An import (`bulk`) only marks the months it touched:
   * a batch of records spread over a year would change nearly one rollup row per record, and
   * rebuilding each month once, set-based, costs a fraction of that (docs/BENCHMARKS.md).
   */
  readonly listener: records.WriteListener = async (trx, change) => {
    const months = change.bulk
      ? [...change.months].sort()
      : [...new Set([...change.added, ...change.removed].map((r) => monthOf(r.jour_local)))].sort();
    await repo.lockRollupsShared(trx);
    await repo.lockMonthsShared(trx, months);
    if (change.bulk) await repo.markMonthsStale(trx, months);
    else
      await repo.applyRollupDeltas(
        trx,
        rollupDeltas(change.added.map(toRollupRecord), change.removed.map(toRollupRecord)),
      );
  };

  /**
   * Rebuilds the months marked by imports, each in its own transaction under its exclusive lock (writers
   * of other months go on). Run at the end of `activity import`, and by the server every 30 s for an
   * import that stopped before (so the figures are at most a minute behind).
   */
  async refreshStale(onMonth?: (month: string) => void): Promise<{ months: number }> {
    let months = 0;
    for (const { mois } of await repo.staleMonths(this.db)) {
      const last = lastDayOfMonth(mois);
      const firstMonday = mondayOf(mois);
      const lastSunday = addDays(mondayOf(last), 6);
      const rebuilt = await this.db.transaction().execute(async (trx) => {
        await repo.lockRollupsShared(trx);
        // The weeks straddling the month's edges are rewritten whole: no write to the neighbouring
        // months may change them meanwhile. Locks in month order, like the writers' shared ones.
        for (const month of [...new Set([monthOf(firstMonday), mois, monthOf(lastSunday)])].sort())
          await repo.lockMonthExclusive(trx, month);
        return repo.rebuildMonthFrom(
          trx,
          { first: mois, last, firstMonday },
          records.countsPerDimensionQuery(dayWindow(mois, last)),
          records.countsPerStructureDayQuery(dayWindow(firstMonday, lastSunday), REMOTE_CHANNELS),
        );
      });
      if (rebuilt) {
        months++;
        onMonth?.(mois);
      }
    }
    if (months > 0) {
      await repo.analyseAfterBulk(this.db);
      this.logger?.info({ months }, 'rollups de pilotage recalculés après import');
    }
    return { months };
  }

  /** Months whose figures are being rebuilt, among those of a range (shown on the dashboards). */
  staleMonthsBetween(fromDay: string, toDay: string): Promise<string[]> {
    return repo.staleMonthsBetween(this.db, fromDay, toDay);
  }

  async #months(db: Db): Promise<Array<{ from: string; to: string }>> {
    const a = await records.recordDayBounds(db);
    const b = await repo.rollupDayBounds(db);
    const first = [a?.first, b?.first].filter((x): x is string => !!x).sort()[0];
    const last = [a?.last, b?.last]
      .filter((x): x is string => !!x)
      .sort()
      .at(-1);
    return first && last ? monthsBetween(first, last) : [];
  }

  async #expectedMonth(db: Db, month: { from: string; to: string }) {
    const w = dayWindow(month.from, month.to);
    const days: DimensionRow[] = [];
    const structureMonths: StructureMonthRow[] = [];
    for (const r of await records.countsPerDimension(db, w)) {
      const dimension = r.dimension as DimensionRow['dimension'];
      if (r.structureId !== null)
        structureMonths.push({ ...r, dimension, structureId: r.structureId, periode: month.from });
      else if (r.departement !== null && r.jour !== null)
        days.push({ ...r, dimension, departement: r.departement, periode: r.jour });
    }
    const structureDays = await records.countsPerStructureDay(db, w, REMOTE_CHANNELS);
    return { depJour: days, depMois: monthRowsOf(days), structureMois: structureMonths, structureDays };
  }

  /** Compares every rollup row with the raw counts, month by month (bounded memory). */
  async check(): Promise<RollupCheck> {
    await this.refreshStale();
    const months = await this.#months(this.db);
    const differences: RollupDifference[] = [];
    let count = 0;
    let recordsSeen = 0;
    const weekDays: Parameters<typeof weekRowsOf>[0][number][] = [];
    for (const month of months) {
      const expected = await this.#expectedMonth(this.db, month);
      const actual = await repo.rollupRowsBetween(this.db, month.from, month.to);
      const diff = [
        ...compareDimensionRows('pilotage_dep_jour', expected.depJour, actual.depJour),
        ...compareDimensionRows('pilotage_dep_mois', expected.depMois, actual.depMois),
        ...compareStructureMonthRows(expected.structureMois, actual.structureMois),
      ];
      count += diff.length;
      if (differences.length < 1000) differences.push(...diff.slice(0, 1000 - differences.length));
      for (const d of expected.structureDays) {
        weekDays.push(d);
        recordsSeen += d.n;
      }
    }
    const weekDiff = compareWeekRows(weekRowsOf(weekDays), await repo.allWeekRows(this.db));
    count += weekDiff.length;
    if (differences.length < 1000) differences.push(...weekDiff.slice(0, 1000 - differences.length));
    return {
      ok: count === 0,
      months: months.length,
      records: recordsSeen,
      differences,
      differenceCount: count,
    };
  }

  /**
   * Rebuilds every rollup from the records in ONE transaction under the exclusive rollup lock:
   * writers wait (they hold it shared), so no write is missed or counted twice. Month by month,
   * set-based inside the database.
   */
  async rebuild(): Promise<{ months: number; records: number; rows: number }> {
    const result = await this.db.transaction().execute(async (trx) => {
      await repo.lockRollupsExclusive(trx);
      await repo.clearRollups(trx);
      const months = await this.#months(trx);
      for (const month of months) {
        const w = dayWindow(month.from, month.to);
        await repo.insertRebuiltFrom(
          trx,
          { first: month.from },
          records.countsPerDimensionQuery(w),
          records.countsPerStructureDayQuery(w, REMOTE_CHANNELS),
        );
      }
      const rows = await repo.rollupRowCount(trx);
      const recordsSeen = await repo.rollupRecordCount(trx);
      this.logger?.info(
        { months: months.length, records: recordsSeen, rows },
        'rollups de pilotage reconstruits',
      );
      return { months: months.length, records: recordsSeen, rows };
    });
    await repo.analyseAfterBulk(this.db);
    return result;
  }
}
