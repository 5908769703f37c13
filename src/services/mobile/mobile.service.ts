import type { Kysely } from 'kysely';
import type { Db } from '../../db/database.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import {
  findStructureById,
  findStructuresByIdFs,
  hasStructures,
} from '../../db/repositories/directory.repository.js';
import {
  bumpSequence,
  deleteException,
  findEntry,
  findStop,
  findUnit,
  foreignIds,
  insertException,
  readMobileData,
  replaceUnits,
  type ScheduleScope,
  touchUnit,
  unitsOfStructure,
} from '../../db/repositories/mobile.repository.js';
import type { DB } from '../../db/schema/index.js';
import {
  type AreaServed,
  areaServed,
  type CommunePoint,
  type Confirmation,
  compareTours,
  currentPassage,
  currentTourDays,
  DEFAULT_OCCURRENCE_PAGE,
  expandOccurrences,
  formatDay,
  MAX_OCCURRENCE_RANGE_DAYS,
  type MobileData,
  MobileDocumentError,
  nextPassages,
  type Occurrence,
  type OccurrencePage,
  type PlanningResult,
  pageOfOccurrences,
  parseDay,
  parseMobileDocument,
  planTour,
  type Reach,
  type StructureInfo,
  summariseCurrentTour,
  type TourComparison,
  type TourEntry,
  type TourException,
  weekday,
} from '../../domain/mobile/index.js';
import { conflict, DomainError, invalid, notFound } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import { earliestLocalDate, latestLocalDate, localDate, timeZoneOf } from '../../domain/shared/time-zone.js';

export interface LoadReport {
  readonly units: number;
  readonly stops: number;
  readonly entries: number;
  readonly exceptions: number;
  /** Entries whose SEQUENCE went up because they (or their exceptions) changed. */
  readonly changedEntries: readonly string[];
  readonly confirmations: readonly Confirmation[];
  readonly warnings: readonly string[];
}

export interface Actor {
  readonly label: string;
  readonly id?: string | null;
  readonly ip?: string | null;
}

export interface ExceptionInput {
  readonly entry: string;
  readonly date: string;
  readonly action: 'cancel' | 'move' | 'add';
  readonly reason?: string;
  readonly to?: { readonly date: string; readonly start: string; readonly end: string };
}

/** The load document as the domain reads it, from stored data (to re-validate after an edit). */
export function toDocument(data: MobileData) {
  return {
    units: data.units.map((u) => ({
      id: u.id,
      structure: u.structureIdFs,
      name: u.name,
      ...(u.vehicle ? { vehicle: u.vehicle } : {}),
      depot: { lat: u.depot.lat, lon: u.depot.lon },
    })),
    stops: data.stops.map((s) => ({ ...s })),
    entries: data.entries.map((e) => ({ ...e })),
    exceptions: data.exceptions.map((x) => ({ ...x, ...(x.to ? { to: { ...x.to } } : {}) })),
  };
}

const fingerprint = (e: TourEntry, xs: readonly TourException[]) =>
  JSON.stringify([
    e.unit,
    e.stop,
    e.rrule,
    e.start,
    e.end,
    e.from,
    e.until,
    e.holidays,
    [...xs]
      .sort((a, b) => (a.date < b.date ? -1 : 1))
      .map((x) => [x.date, x.action, x.reason ?? '', x.to ?? null]),
  ]);

/**
 * France Services mobiles: loading the tours, reading calendars, editing exceptions.
 * Every change is written to the audit log in the same transaction.
 */
export class MobileService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** `maillage mobile load`: validates, then replaces the document's units in one transaction. */
  async load(input: unknown, options: { confirm?: boolean; actor: Actor }): Promise<LoadReport> {
    const warnings: string[] = [];
    const ids =
      input && typeof input === 'object' && Array.isArray((input as { units?: unknown }).units)
        ? ((input as { units: unknown[] }).units
            .map((u) => (u && typeof u === 'object' ? (u as { structure?: unknown }).structure : undefined))
            .filter((s): s is string => typeof s === 'string') as string[])
        : [];
    const directoryEmpty = !(await hasStructures(this.db));
    const known = await findStructuresByIdFs(this.db, ids.slice(0, 1000));
    if (directoryEmpty) {
      warnings.push('Annuaire vide : structures non vérifiées, distances mesurées depuis le dépôt.');
    }
    const structure = directoryEmpty
      ? undefined
      : (idFs: string): StructureInfo | undefined => {
          const s = known.get(idFs);
          if (!s) return undefined;
          return s.lat !== null && s.lon !== null
            ? { location: { lat: s.lat, lon: s.lon }, format: s.format }
            : { location: { lat: Number.NaN, lon: Number.NaN }, format: s.format };
        };
    const { data, confirmations } = parseMobileDocument(input, {
      ...(structure ? { structure } : {}),
      confirm: options.confirm ?? false,
    });
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const unitIds = data.units.map((u) => u.id);
      const foreign = await foreignIds(
        trx,
        unitIds,
        data.stops.map((s) => s.id),
        data.entries.map((e) => e.id),
      );
      if (foreign.stops.length || foreign.entries.length) {
        const which = [
          ...foreign.stops.map((s) => `arrêt « ${s} »`),
          ...foreign.entries.map((e) => `entrée « ${e} »`),
        ];
        throw conflict(
          `Identifiant(s) déjà utilisé(s) par une autre unité, absente de ce document : ${which.slice(0, 10).join(', ')}.`,
          foreign.stops.length ? 'stops' : 'entries',
        );
      }
      const before = new Map<string, { entry: TourEntry; fp: string }>();
      for (const u of unitIds) {
        const old = await readMobileData(trx, { unit: u });
        for (const e of old.entries) {
          before.set(e.id, {
            entry: e,
            fp: fingerprint(
              e,
              old.exceptions.filter((x) => x.entry === e.id),
            ),
          });
        }
      }
      const changed: string[] = [];
      const entries = data.entries.map((e) => {
        const old = before.get(e.id);
        if (!old) return e;
        const fp = fingerprint(
          e,
          data.exceptions.filter((x) => x.entry === e.id),
        );
        if (fp === old.fp) return { ...e, sequence: Math.max(e.sequence, old.entry.sequence) };
        changed.push(e.id);
        return { ...e, sequence: Math.max(e.sequence, old.entry.sequence + 1) };
      });
      await replaceUnits(trx, { ...data, entries });
      for (const u of data.units) {
        const mine = entries.filter((e) => e.unit === u.id).map((e) => e.id);
        await appendAudit(trx as Kysely<DB>, {
          at: now,
          actorId: options.actor.id ?? null,
          actorLabel: options.actor.label,
          entity: 'mobile_unit',
          entityId: u.id,
          action: 'mobile.load',
          before: null,
          after: {
            name: u.name,
            stops: data.stops.filter((s) => s.unit === u.id).length,
            entries: mine.length,
            exceptions: data.exceptions.filter((x) => mine.includes(x.entry)).length,
            changedEntries: changed.filter((id) => mine.includes(id)),
            confirmations: confirmations.map((c) => c.message),
          },
          ip: options.actor.ip ?? null,
        });
      }
      return {
        units: data.units.length,
        stops: data.stops.length,
        entries: entries.length,
        exceptions: data.exceptions.length,
        changedEntries: changed,
        confirmations,
        warnings,
      };
    });
  }

  async scheduleOfUnit(unit: string): Promise<MobileData> {
    if (!(await findUnit(this.db, unit))) throw notFound(`Unité mobile « ${unit} » inconnue.`);
    return readMobileData(this.db, { unit });
  }

  schedule(scope: ScheduleScope): Promise<MobileData> {
    return readMobileData(this.db, scope);
  }

  /** `maillage mobile occurrences`: a unit's passages between two dates (each stop's local dates). */
  async occurrences(unit: string, from: string, to: string): Promise<Occurrence[]> {
    const lo = parseDay(from);
    const hi = parseDay(to);
    if (lo === undefined) throw invalid('from', `Date attendue au format AAAA-MM-JJ, reçu « ${from} ».`);
    if (hi === undefined) throw invalid('to', `Date attendue au format AAAA-MM-JJ, reçu « ${to} ».`);
    if (hi < lo) throw invalid('to', 'La fin de la période précède son début.');
    // Security review, finding 5: a three-year range answered 108 MB. One year at most, then paginated.
    if (hi - lo + 1 > MAX_OCCURRENCE_RANGE_DAYS)
      throw invalid(
        'to',
        `Période trop longue : ${MAX_OCCURRENCE_RANGE_DAYS} jours au plus (du ${from} au ${to} : ${hi - lo + 1} jours). Demandez la suite par une autre période.`,
      );
    if (!(await findUnit(this.db, unit))) throw notFound(`Unité mobile « ${unit} » inconnue.`);
    return expandOccurrences(await readMobileData(this.db, { unit }), from, to, { unit });
  }

  /** The API's page of a unit's passages: at most a year, at most `limit` passages, after `cursor`. */
  async occurrencesPage(
    unit: string,
    from: string,
    to: string,
    page: { limit?: number; cursor?: string | null } = {},
  ): Promise<OccurrencePage> {
    const list = await this.occurrences(unit, from, to);
    return pageOfOccurrences(list, page.limit ?? DEFAULT_OCCURRENCE_PAGE, page.cursor ?? null);
  }

  /** The next passages for a scope, from now (cancelled ones included, so the public sees them). */
  async next(
    scope: ScheduleScope,
    n = 12,
  ): Promise<{ data: MobileData; next: Occurrence[]; current?: Occurrence }> {
    const data = await readMobileData(this.db, scope);
    const now = this.clock.now();
    const next = nextPassages(data, now, n, scope);
    const current = currentPassage(data, now, scope);
    return { data, next, ...(current ? { current } : {}) };
  }

  /**
   * Adds an exception (cancel, move, add) to an entry, after checking it with the same rules as a
   * load (the date is a passage, no overlap…). Bumps the entry's SEQUENCE; logged. Field names in
   * errors are those of the API body (`date`, `to.start`…).
   */
  async addException(input: ExceptionInput, actor: Actor): Promise<TourException> {
    const entry = await findEntry(this.db, input.entry);
    if (!entry) throw notFound(`Entrée de tournée « ${input.entry} » inconnue.`);
    const now = this.clock.now();
    return this.db.transaction().execute(async (trx) => {
      const current = await readMobileData(trx, { unit: entry.unit });
      if (current.exceptions.some((x) => x.entry === input.entry && x.date === input.date)) {
        throw conflict(
          `Une exception existe déjà pour l’entrée « ${input.entry} » le ${input.date} : supprimez-la d’abord.`,
          'date',
        );
      }
      const doc = toDocument(current);
      const index = doc.exceptions.length;
      doc.exceptions.push({ ...input } as (typeof doc.exceptions)[number]);
      let parsed: MobileData;
      try {
        parsed = parseMobileDocument(doc, { confirm: true }).data;
      } catch (e) {
        if (e instanceof MobileDocumentError) {
          const prefix = `exceptions[${index}]`;
          const mine = e.issues.find((i) => i.field.startsWith(prefix)) ?? e.issues[0];
          const field = mine?.field.startsWith(prefix)
            ? mine.field.slice(prefix.length).replace(/^\./, '') || 'exception'
            : mine?.field;
          throw new DomainError('invalid', mine?.message ?? e.message, field);
        }
        throw e;
      }
      const added = parsed.exceptions[parsed.exceptions.length - 1] as TourException;
      try {
        await insertException(trx, added);
      } catch (e) {
        // Two editors at once: the primary key (entry, date) lets one through.
        if ((e as { code?: string }).code === '23505') {
          throw conflict(
            `Une exception vient d’être enregistrée pour l’entrée « ${input.entry} » le ${input.date}.`,
            'date',
          );
        }
        throw e;
      }
      await bumpSequence(trx, entry.id);
      await touchUnit(trx, entry.unit, now);
      await appendAudit(trx as Kysely<DB>, {
        at: now,
        actorId: actor.id ?? null,
        actorLabel: actor.label,
        entity: 'mobile_entry',
        entityId: entry.id,
        action: `mobile.exception.${added.action}`,
        before: null,
        after: { ...added },
        ip: actor.ip ?? null,
      });
      return added;
    });
  }

  async removeException(entryId: string, date: string, actor: Actor): Promise<void> {
    const entry = await findEntry(this.db, entryId);
    if (!entry) throw notFound(`Entrée de tournée « ${entryId} » inconnue.`);
    if (parseDay(date) === undefined)
      throw invalid('date', `Date attendue au format AAAA-MM-JJ, reçu « ${date} ».`);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const before = (await readMobileData(trx, { unit: entry.unit })).exceptions.find(
        (x) => x.entry === entryId && x.date === date,
      );
      if (!before || (await deleteException(trx, entryId, date)) === 0) {
        throw notFound(`Aucune exception pour l’entrée « ${entryId} » le ${date}.`);
      }
      // Removing a "move" could re-create an overlap only if the original slot was taken since: check.
      const rest = await readMobileData(trx, { unit: entry.unit });
      parseMobileDocument(toDocument(rest), { confirm: true });
      await bumpSequence(trx, entryId);
      await touchUnit(trx, entry.unit, now);
      await appendAudit(trx as Kysely<DB>, {
        at: now,
        actorId: actor.id ?? null,
        actorLabel: actor.label,
        entity: 'mobile_entry',
        entityId: entryId,
        action: 'mobile.exception.remove',
        before: { ...before },
        after: null,
        ip: actor.ip ?? null,
      });
    });
  }

  /**
   * For the locator: every stop with the bus's next passage there, and whether the bus is there
   * now ("open now" only while it actually is). Looks 62 days ahead, then a year for the rest.
   */
  async listStopsWithNextPassage(now: Date = this.clock.now()): Promise<StopWithNextPassage[]> {
    const data = await readMobileData(this.db);
    const units = new Map(data.units.map((u) => [u.id, u]));
    const today = earliestLocalDate(now); // then filtered by instant: right in every zone
    const t = now.getTime();
    const first = new Map<string, Occurrence>();
    const scan = (days: number, only?: Set<string>) => {
      const end = new Date(now.getTime() + days * 86_400_000);
      const schedule = only ? { ...data, entries: data.entries.filter((e) => only.has(e.stop)) } : data;
      for (const o of expandOccurrences(schedule, today, latestLocalDate(end), { includeCancelled: false })) {
        if (o.end.getTime() > t && !first.has(o.stop)) first.set(o.stop, o);
      }
    };
    scan(62);
    const rest = new Set(data.stops.filter((s) => !first.has(s.id)).map((s) => s.id));
    if (rest.size) scan(400, rest);
    return data.stops.map((s) => {
      const next = first.get(s.id);
      const unit = units.get(s.unit);
      return {
        stop: s,
        unitName: unit?.name ?? s.unit,
        structureIdFs: unit?.structureIdFs ?? '',
        next: next ? { start: next.start, end: next.end, entry: next.entry } : null,
        openNow: next !== undefined && next.start.getTime() <= t && t < next.end.getTime(),
      };
    });
  }

  /** A bus (unit) by its id, or null. */
  unit(id: string) {
    return findUnit(this.db, id);
  }

  /** A stop by its id, or null. */
  stop(id: string) {
    return findStop(this.db, id);
  }

  // ----- the agents' back office (moved from mobile-backoffice.routes.ts) ---------------------

  /** The structure if it is mobile (bus or itinerant); null otherwise, or when it does not exist. */
  async mobileStructure(id: string): Promise<{ id: string; idFs: string; name: string } | null> {
    const s = await findStructureById(this.db, id);
    if (!s || (s.format !== 'bus' && s.format !== 'itinerante')) return null;
    return { id: s.id, idFs: s.idFs, name: s.name };
  }

  /** Each unit of the structure with its stops and its passages between two days. */
  async unitsWithPassages(structureIdFs: string, from: string, to: string) {
    const units = await unitsOfStructure(this.db, structureIdFs);
    const lists = [];
    for (const unit of units) {
      const data = await this.scheduleOfUnit(unit.id);
      lists.push({ unit, stops: data.stops, passages: await this.occurrences(unit.id, from, to) });
    }
    return lists;
  }

  /** The unit ownership rule: an agent edits only the passages of their own structure's buses. */
  async entryBelongsTo(entryId: string, structureIdFs: string): Promise<boolean> {
    const found = await findEntry(this.db, entryId);
    const unit = found ? await findUnit(this.db, found.unit) : null;
    return Boolean(found && unit && unit.structureIdFs === structureIdFs);
  }

  /** The current document of every unit of the structure, merged. */
  async currentDocument(structureIdFs: string) {
    const doc = {
      units: [] as unknown[],
      stops: [] as unknown[],
      entries: [] as unknown[],
      exceptions: [] as unknown[],
    };
    for (const unit of await unitsOfStructure(this.db, structureIdFs)) {
      const one = toDocument(await this.scheduleOfUnit(unit.id));
      doc.units.push(...one.units);
      doc.stops.push(...one.stops);
      doc.entries.push(...one.entries);
      doc.exceptions.push(...one.exceptions);
    }
    return JSON.stringify(doc, null, 2);
  }

  /** Units a document names must be new or this structure's, and say so (at most 20 messages). */
  async foreignUnits(structureIdFs: string, doc: unknown, idPattern: RegExp): Promise<string[]> {
    const units = (doc as { units?: unknown }).units;
    if (!Array.isArray(units)) return [];
    const errors: string[] = [];
    for (const [i, u] of units.entries()) {
      if (!u || typeof u !== 'object') continue;
      const { id, structure: owner } = u as { id?: unknown; structure?: unknown };
      if (typeof owner === 'string' && owner !== structureIdFs)
        errors.push(
          `units[${i}].structure : « ${owner.slice(0, 80)} » n’est pas cette structure (n° ${structureIdFs}).`,
        );
      if (typeof id === 'string' && idPattern.test(id)) {
        const existing = await findUnit(this.db, id);
        if (existing && existing.structureIdFs !== structureIdFs)
          errors.push(`units[${i}].id : le bus « ${id} » appartient à une autre structure.`);
      }
      if (errors.length >= 20) break;
    }
    return errors;
  }
}

export interface PlanOptions {
  readonly reach: Reach;
  readonly weeks: number;
  readonly maxDrivingMinutes: number;
  readonly hoursOnSite: number;
  readonly visitHours?: number;
  readonly daysPerWeek?: number;
  /** Extra candidate stops (the unit's own stops are always candidates). */
  readonly candidates?: ReadonlyArray<{ id: string; lat: number; lon: number }>;
}

/** Area served and planning help for one unit (pure domain; communes come from the reference geography). */
export async function unitArea(
  service: MobileService,
  unit: string,
  communes: readonly CommunePoint[],
  reach: Reach,
): Promise<AreaServed> {
  if (communes.length === 0) {
    throw new DomainError(
      'unavailable',
      'Les centres des communes sont absents (MAILLAGE_REF_DIR) : zone desservie incalculable.',
    );
  }
  const data = await service.scheduleOfUnit(unit);
  return areaServed(
    data.stops.map((s) => ({ id: s.id, lat: s.lat, lon: s.lon })),
    communes,
    reach,
  );
}

export async function unitPlan(
  service: MobileService,
  unit: string,
  communes: readonly CommunePoint[],
  options: PlanOptions,
  now: Date,
): Promise<{ plan: PlanningResult; comparison: TourComparison; monday: string }> {
  if (communes.length === 0) {
    throw new DomainError(
      'unavailable',
      'Les centres des communes sont absents (MAILLAGE_REF_DIR) : planification impossible.',
    );
  }
  const data = await service.scheduleOfUnit(unit);
  const depot = data.units[0]?.depot;
  if (!depot) throw notFound(`Unité mobile « ${unit} » inconnue.`);
  const seen = new Set<string>();
  const candidates = [
    ...data.stops.map((s) => ({ id: s.id, lat: s.lat, lon: s.lon })),
    ...(options.candidates ?? []),
  ].filter((c) => !seen.has(c.id) && seen.add(c.id));
  const input = {
    depot,
    candidates,
    communes,
    reach: options.reach,
    weeks: options.weeks,
    maxDrivingMinutes: options.maxDrivingMinutes,
    hoursOnSite: options.hoursOnSite,
    ...(options.visitHours !== undefined ? { visitHours: options.visitHours } : {}),
    ...(options.daysPerWeek !== undefined ? { daysPerWeek: options.daysPerWeek } : {}),
  };
  const plan = planTour(input);
  // "Next Monday" on the clock of the unit's territory (its stops' commune).
  const today = localDate(now, timeZoneOf(data.stops[0]?.commune));
  const t = parseDay(today) ?? 0;
  const monday = formatDay(t + ((7 - weekday(t)) % 7));
  const current = summariseCurrentTour(currentTourDays(data, unit, monday, options.weeks), input);
  return { plan, comparison: compareTours(current, plan.proposed), monday };
}

export interface StopWithNextPassage {
  readonly stop: import('../../domain/mobile/index.js').Stop;
  readonly unitName: string;
  readonly structureIdFs: string;
  readonly next: { readonly start: Date; readonly end: Date; readonly entry: string } | null;
  readonly openNow: boolean;
}
