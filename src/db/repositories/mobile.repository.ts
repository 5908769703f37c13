import type { Selectable } from 'kysely';
import type {
  ExceptionAction,
  HolidayPolicy,
  MobileData,
  MobileUnit,
  Stop,
  StopKind,
  TourEntry,
  TourException,
} from '../../domain/mobile/index.js';
import type { Db } from '../database.js';
import type {
  MobileEntriesTable,
  MobileExceptionsTable,
  MobileStopsTable,
  MobileUnitsTable,
} from '../schema/mobile.js';

/** Kysely queries for France Services mobiles. No validation here: the domain did it. */
type Executor = Db;

const toUnit = (r: Selectable<MobileUnitsTable>): MobileUnit => ({
  id: r.id,
  structureIdFs: r.structure_id_fs,
  name: r.name,
  ...(r.vehicle ? { vehicle: r.vehicle } : {}),
  depot: { lat: r.depot_lat, lon: r.depot_lon },
});

const toStop = (r: Selectable<MobileStopsTable>): Stop => ({
  id: r.id,
  unit: r.unit_id,
  name: r.name,
  kind: r.kind as StopKind,
  commune: r.commune,
  address: r.address,
  lat: r.lat,
  lon: r.lon,
  ...(r.access_notes ? { accessNotes: r.access_notes } : {}),
});

const day = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v));

const toEntry = (r: Selectable<MobileEntriesTable>): TourEntry => ({
  id: r.id,
  unit: r.unit_id,
  stop: r.stop_id,
  rrule: r.rrule,
  start: r.start_time,
  end: r.end_time,
  from: day(r.from_date),
  until: day(r.until_date),
  holidays: r.holidays as HolidayPolicy,
  sequence: r.sequence,
});

const toException = (r: Selectable<MobileExceptionsTable>): TourException => ({
  entry: r.entry_id,
  date: day(r.date),
  action: r.action as ExceptionAction,
  ...(r.reason ? { reason: r.reason } : {}),
  ...(r.to_date && r.to_start && r.to_end
    ? { to: { date: day(r.to_date), start: r.to_start, end: r.to_end } }
    : {}),
});

export interface ScheduleScope {
  readonly unit?: string;
  readonly stop?: string;
  readonly commune?: string;
}

/**
 * The units, stops, entries and exceptions a page or feed needs: everything of a unit, or the
 * entries serving a stop or a commune (with their units and stops). No scope: everything.
 */
export async function readMobileData(db: Executor, scope: ScheduleScope = {}): Promise<MobileData> {
  let entriesQ = db.selectFrom('mobile_entries').selectAll('mobile_entries');
  if (scope.unit !== undefined) entriesQ = entriesQ.where('mobile_entries.unit_id', '=', scope.unit);
  if (scope.stop !== undefined) entriesQ = entriesQ.where('mobile_entries.stop_id', '=', scope.stop);
  if (scope.commune !== undefined) {
    entriesQ = entriesQ
      .innerJoin('mobile_stops', 'mobile_stops.id', 'mobile_entries.stop_id')
      .where('mobile_stops.commune', '=', scope.commune);
  }
  const entries = (await entriesQ.orderBy('mobile_entries.id').execute()).map(toEntry);
  const entryIds = entries.map((e) => e.id);
  const unitIds = new Set(entries.map((e) => e.unit));
  if (scope.unit !== undefined) unitIds.add(scope.unit);
  let stopsQ = db.selectFrom('mobile_stops').selectAll();
  if (scope.unit !== undefined) stopsQ = stopsQ.where('unit_id', '=', scope.unit);
  else if (scope.stop !== undefined) stopsQ = stopsQ.where('id', '=', scope.stop);
  else if (scope.commune !== undefined) stopsQ = stopsQ.where('commune', '=', scope.commune);
  const stops = (await stopsQ.orderBy('id').execute()).map(toStop);
  for (const s of stops) unitIds.add(s.unit);
  const anyScope = scope.unit !== undefined || scope.stop !== undefined || scope.commune !== undefined;
  const units =
    !anyScope || unitIds.size > 0
      ? (
          await (anyScope
            ? db
                .selectFrom('mobile_units')
                .selectAll()
                .where('id', 'in', [...unitIds])
            : db.selectFrom('mobile_units').selectAll()
          )
            .orderBy('id')
            .execute()
        ).map(toUnit)
      : [];
  const exceptions =
    entryIds.length === 0
      ? []
      : (
          await (anyScope
            ? db.selectFrom('mobile_exceptions').selectAll().where('entry_id', 'in', entryIds)
            : db.selectFrom('mobile_exceptions').selectAll()
          )
            .orderBy('entry_id')
            .orderBy('date')
            .execute()
        ).map(toException);
  return { units, stops, entries, exceptions };
}

export async function findUnit(db: Executor, id: string): Promise<MobileUnit | null> {
  const r = await db.selectFrom('mobile_units').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toUnit(r) : null;
}

export async function findStop(db: Executor, id: string): Promise<Stop | null> {
  const r = await db.selectFrom('mobile_stops').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toStop(r) : null;
}

export async function findEntry(db: Executor, id: string): Promise<TourEntry | null> {
  const r = await db.selectFrom('mobile_entries').selectAll().where('id', '=', id).executeTakeFirst();
  return r ? toEntry(r) : null;
}

/** Stop and entry ids of the document that already belong to units outside it. */
export async function foreignIds(
  db: Executor,
  unitIds: readonly string[],
  stopIds: readonly string[],
  entryIds: readonly string[],
): Promise<{ stops: string[]; entries: string[] }> {
  const units = unitIds.length ? unitIds : ['\u0000'];
  const stops = stopIds.length
    ? await db
        .selectFrom('mobile_stops')
        .select('id')
        .where('id', 'in', [...stopIds])
        .where('unit_id', 'not in', units)
        .execute()
    : [];
  const entries = entryIds.length
    ? await db
        .selectFrom('mobile_entries')
        .select('id')
        .where('id', 'in', [...entryIds])
        .where('unit_id', 'not in', units)
        .execute()
    : [];
  return { stops: stops.map((r) => r.id), entries: entries.map((r) => r.id) };
}

/** Replaces the given units entirely (their stops, entries and exceptions cascade). */
export async function replaceUnits(db: Executor, data: MobileData): Promise<void> {
  const ids = data.units.map((u) => u.id);
  if (ids.length) await db.deleteFrom('mobile_units').where('id', 'in', ids).execute();
  const chunks = <T>(xs: readonly T[], n = 500): T[][] => {
    const out: T[][] = [];
    for (let i = 0; i < xs.length; i += n) out.push(xs.slice(i, i + n));
    return out;
  };
  for (const c of chunks(data.units)) {
    await db
      .insertInto('mobile_units')
      .values(
        c.map((u) => ({
          id: u.id,
          structure_id_fs: u.structureIdFs,
          name: u.name,
          vehicle: u.vehicle ?? null,
          depot_lat: u.depot.lat,
          depot_lon: u.depot.lon,
        })),
      )
      .execute();
  }
  for (const c of chunks(data.stops)) {
    await db
      .insertInto('mobile_stops')
      .values(
        c.map((s) => ({
          id: s.id,
          unit_id: s.unit,
          name: s.name,
          kind: s.kind,
          commune: s.commune,
          address: s.address,
          lat: s.lat,
          lon: s.lon,
          access_notes: s.accessNotes ?? null,
        })),
      )
      .execute();
  }
  for (const c of chunks(data.entries)) {
    await db
      .insertInto('mobile_entries')
      .values(
        c.map((e) => ({
          id: e.id,
          unit_id: e.unit,
          stop_id: e.stop,
          rrule: e.rrule,
          start_time: e.start,
          end_time: e.end,
          from_date: e.from,
          until_date: e.until,
          holidays: e.holidays,
          sequence: e.sequence,
        })),
      )
      .execute();
  }
  for (const c of chunks(data.exceptions))
    await db.insertInto('mobile_exceptions').values(c.map(exceptionRow)).execute();
}

const exceptionRow = (x: TourException) => ({
  entry_id: x.entry,
  date: x.date,
  action: x.action,
  reason: x.reason ?? null,
  to_date: x.to?.date ?? null,
  to_start: x.to?.start ?? null,
  to_end: x.to?.end ?? null,
});

export async function insertException(db: Executor, x: TourException): Promise<void> {
  await db.insertInto('mobile_exceptions').values(exceptionRow(x)).execute();
}

export async function deleteException(db: Executor, entry: string, date: string): Promise<number> {
  const r = await db
    .deleteFrom('mobile_exceptions')
    .where('entry_id', '=', entry)
    .where('date', '=', date)
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** iCalendar SEQUENCE: +1 on every change of the entry or of its exceptions. */
export async function bumpSequence(db: Executor, entry: string): Promise<void> {
  await db
    .updateTable('mobile_entries')
    .set((eb) => ({ sequence: eb('sequence', '+', 1) }))
    .where('id', '=', entry)
    .execute();
}

export async function touchUnit(db: Executor, unit: string, at: Date): Promise<void> {
  await db.updateTable('mobile_units').set({ updated_at: at }).where('id', '=', unit).execute();
}

/** Units of a structure (by id_fs), for the structure page. */
export async function unitsOfStructure(db: Executor, idFs: string): Promise<MobileUnit[]> {
  return (
    await db
      .selectFrom('mobile_units')
      .selectAll()
      .where('structure_id_fs', '=', idFs)
      .orderBy('id')
      .execute()
  ).map(toUnit);
}
