import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { isMember, membersOf } from '../../db/repositories/accounts.repository.js';
import {
  findStructureById,
  structureCalendars,
  structureIdsInDepartement,
  structureIdsInDepartements,
} from '../../db/repositories/directory.repository.js';
import type { BookingRow, MotifRow, PlageRow } from '../../db/repositories/rendezvous.repository.js';
import * as repo from '../../db/repositories/rendezvous.repository.js';
import type { Partenaire } from '../../domain/accompagnement/codes.js';
import { type Action, can, scopeOf } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import type { Weekday } from '../../domain/directory/opening-hours.js';
import type { Structure } from '../../domain/directory/structure.js';
import {
  type Absence,
  ATTENDANCE,
  type Attendance,
  absenceSpan,
  addDays,
  attendanceAllowed,
  type BookingCalendar,
  CHANNEL_LABELS,
  type Channel,
  CONTACT_RETENTION_DAYS,
  checkRange,
  contact,
  DEFAULT_RANGE_DAYS,
  freeSlotsOfMotifs,
  hasFreeSlotWithin,
  LOCATOR_BOOKING_DAYS,
  type MissedRate,
  MOTIF_LIMITS,
  type Motif,
  type MotifInput,
  missedRate,
  mondayOf,
  mondayOfDate,
  motifInput,
  type Plage,
  partnerLabel,
  phoneCountryOf,
  plageInput,
  type Slot,
  type SlotWeek,
  type Status,
  unitsOf,
} from '../../domain/rendezvous/index.js';
import { conflict, DomainError, invalid, notFound } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import {
  isOverseasZone,
  type TimeZone,
  timeZoneOfPlace,
  wallClock,
  zonedInstant,
} from '../../domain/shared/time-zone.js';
import { type Mail, type MailDeps, sendMail } from '../accounts/mail.service.js';
import { agendaIcs, appointmentIcs } from './ics.js';
import type { SmsSender } from './sms.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
/** The most slots one answer lists (every motif of a structure over a long range). */
export const MAX_SLOTS_PER_ANSWER = 2_000;
/** Limits per structure: the work of one slot computation stays bounded. */
export const LIMITS = Object.freeze({ motifs: 100, plages: 500 });
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const newToken = (): string => randomBytes(24).toString('base64url');

export const toMotif = (r: MotifRow): Motif => ({
  id: r.id,
  structureId: r.structure_id,
  label: r.libelle,
  durationMin: r.duree_min,
  channel: r.canal as Channel,
  partner: (r.partenaire as Partenaire | null) ?? null,
  demarche: r.demarche,
  minNoticeMin: r.delai_min_minutes,
  maxNoticeDays: r.delai_max_jours,
  bookableOnline: r.reservable_en_ligne,
  active: r.actif,
  version: r.version,
});

const motifColumns = (m: MotifInput): repo.MotifColumns => ({
  libelle: m.label,
  duree_min: m.durationMin,
  canal: m.channel,
  partenaire: m.partner,
  demarche: m.demarche,
  delai_min_minutes: m.minNoticeMin,
  delai_max_jours: m.maxNoticeDays,
  reservable_en_ligne: m.bookableOnline,
});

export const toPlage = (
  r: Pick<
    PlageRow,
    | 'id'
    | 'agent_id'
    | 'structure_id'
    | 'jour'
    | 'debut_min'
    | 'fin_min'
    | 'valide_du'
    | 'valide_au'
    | 'motif_ids'
  >,
): Plage => ({
  id: r.id,
  agentId: r.agent_id,
  structureId: r.structure_id,
  weekday: r.jour as Weekday,
  start: r.debut_min,
  end: r.fin_min,
  validFrom: r.valide_du,
  validUntil: r.valide_au,
  motifIds: r.motif_ids,
});

/** How long a computed locator set serves before it is computed again (bookings elsewhere, time passing). */
export const BOOKABLE_SET_TTL_MS = 60_000;

/** The structures bookable online within 14 days, as the locator filters on it. */
export interface BookableSet {
  readonly ids: ReadonlySet<string>;
  /** Changes when the set does (ETags of the locator's answers). */
  readonly stamp: string;
}

interface BookableEntry extends BookableSet {
  readonly generation: number;
  /** Process time (Date.now) and the service clock's time of the computation. */
  readonly computedAt: number;
  readonly clockAt: number;
}

export const calendarOf = (s: Structure): BookingCalendar => ({
  zone: timeZoneOfPlace(s),
  commune: s.codeInsee || s.departement,
  hours: s.hours,
  closures: s.closures,
  status: s.status,
  statusUntil: s.statusUntil,
});

/** `mardi 5 janvier 2027 à 09:30` on the structure's clock (with "heure locale" overseas). */
export function frenchWhen(instant: Date, zone: TimeZone): string {
  const t = wallClock(instant, zone).setLocale('fr');
  return `${t.toFormat("cccc d LLLL yyyy 'à' HH:mm")}${isOverseasZone(zone) ? ' (heure locale)' : ''}`;
}

export interface BookingRequest {
  readonly structureId: string;
  readonly motifId: string;
  /** ISO 8601 instant with an offset (or Z). */
  readonly start: string;
  readonly name?: unknown;
  readonly email?: unknown;
  readonly phone?: unknown;
}

export interface Booked {
  readonly booking: BookingRow;
  /** The person's cancel/move token (only its hash is stored); null when booked for someone without it. */
  readonly token: string;
  readonly manageUrl: string;
  readonly zone: TimeZone;
}

/** What the public management page shows. */
export interface ManagedBooking {
  readonly booking: BookingRow;
  readonly structure: Structure;
  readonly motif: Motif;
  readonly zone: TimeZone;
}

export class RendezvousService {
  /** Bumped by every write here that may change free slots: the locator's set is then recomputed. */
  #generation = 0;
  #bookable: BookableEntry | null = null;
  #bookableRefresh: { generation: number; promise: Promise<BookableEntry> } | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly sms: SmsSender | null,
    /** The accompaniment catalogue's active démarches (a motif may name one). */
    private readonly demarches: () => Promise<ReadonlyArray<{ code: string; partenaire: string }>>,
  ) {}

  /** A write that may change free slots: the locator's set is recomputed at its next use. */
  #changed(): void {
    this.#generation += 1;
  }

  private async checkDemarche(input: MotifInput): Promise<void> {
    if (!input.demarche) return;
    const d = (await this.demarches()).find((x) => x.code === input.demarche);
    if (!d) throw invalid('demarche', 'Cette démarche n’est pas (ou plus) au catalogue.');
    if (input.partner && d.partenaire !== input.partner) {
      throw invalid('demarche', 'Cette démarche ne relève pas du partenaire choisi.');
    }
  }

  private get mailDeps(): MailDeps {
    return { db: this.db, clock: this.clock, config: this.config, logger: this.logger };
  }

  // -------------------------------------------------------------------------------------------
  // Structures and scope
  // -------------------------------------------------------------------------------------------

  async structure(id: string): Promise<Structure> {
    const s = UUID.test(id) ? await findStructureById(this.db, id) : null;
    if (!s) throw notFound('Aucune France Services ne porte cet identifiant.');
    return s;
  }

  /** A structure the principal may act on for `action`; out of scope answers 404 like a missing one. */
  async structureFor(principal: Principal, action: Action, structureId?: string): Promise<Structure> {
    const id = structureId || principal.structureIds[0];
    const s = id && UUID.test(id) ? await findStructureById(this.db, id) : null;
    if (!s || !can(principal, action, { structureId: s.id, departement: s.departement })) {
      throw notFound('Cette structure ne fait pas partie de votre périmètre.');
    }
    return s;
  }

  zoneOf(s: Structure): TimeZone {
    return timeZoneOfPlace(s);
  }

  /** The agents of a structure (active members), for the agenda and the plages. */
  async agents(structureId: string): Promise<Array<{ id: string; name: string }>> {
    const rows = await membersOf(this.db, structureId);
    return rows
      .filter((r) => r.active && (r.role === 'agent' || r.role === 'responsable'))
      .map((r) => ({ id: r.id, name: r.display_name || r.email }));
  }

  // -------------------------------------------------------------------------------------------
  // Motifs, plages, absences (the manager; agents for their own plages)
  // -------------------------------------------------------------------------------------------

  async motifs(
    structureId: string,
    options: { onlineOnly?: boolean; activeOnly?: boolean } = {},
  ): Promise<Motif[]> {
    return (await repo.listMotifs(this.db, structureId, options)).map(toMotif);
  }

  async motif(structureId: string, motifId: string, options: { online?: boolean } = {}): Promise<Motif> {
    const row = UUID.test(motifId) ? await repo.findMotif(this.db, motifId) : undefined;
    if (
      !row ||
      row.structure_id !== structureId ||
      !row.actif ||
      (options.online && !row.reservable_en_ligne)
    ) {
      throw new DomainError(
        'not_found',
        'Ce motif de rendez-vous n’existe pas dans cette France Services.',
        'motif',
      );
    }
    return toMotif(row);
  }

  async createMotif(principal: Principal, structureId: string, raw: Record<string, unknown>): Promise<Motif> {
    const s = await this.structureFor(principal, 'rendezvous.configure', structureId);
    const input = motifInput(raw);
    await this.checkDemarche(input);
    if ((await repo.countMotifs(this.db, s.id)) >= LIMITS.motifs) {
      throw invalid('label', `Une structure a au plus ${LIMITS.motifs} motifs.`);
    }
    const created = toMotif(await repo.insertMotif(this.db, s.id, motifColumns(input)));
    this.#changed();
    return created;
  }

  /** A motif of a structure the principal configures, active or not (the edit form); 404 otherwise. */
  async motifToEdit(principal: Principal, structureId: string | undefined, motifId: string) {
    const structure = await this.structureFor(principal, 'rendezvous.configure', structureId);
    const row = UUID.test(motifId) ? await repo.findMotif(this.db, motifId) : undefined;
    if (!row || row.structure_id !== structure.id) throw notFound('Motif introuvable.');
    return { structure, motif: toMotif(row) };
  }

  async updateMotif(
    principal: Principal,
    structureId: string,
    motifId: string,
    version: number,
    raw: Record<string, unknown>,
    active: boolean,
  ): Promise<void> {
    const s = await this.structureFor(principal, 'rendezvous.configure', structureId);
    const row = UUID.test(motifId) ? await repo.findMotif(this.db, motifId) : undefined;
    if (!row || row.structure_id !== s.id) throw notFound('Motif introuvable.');
    const input = motifInput(raw);
    await this.checkDemarche(input);
    const ok = await repo.updateMotif(
      this.db,
      row.id,
      version,
      { ...motifColumns(input), actif: active },
      this.clock.now(),
    );
    if (!ok) {
      throw conflict(
        'Ce motif a été modifié entre-temps par quelqu’un d’autre : rechargez la page et recommencez.',
        'version',
      );
    }
    this.#changed();
  }

  async plages(structureId: string): Promise<Plage[]> {
    return (await repo.listPlages(this.db, structureId)).map(toPlage);
  }

  /** Who may set a plage for whom: a manager for any agent of the structure, an agent for themself. */
  private async plageTarget(principal: Principal, structureId: string, agentId: string): Promise<Structure> {
    const manager = await this.structureFor(principal, 'rendezvous.configure', structureId).catch(() => null);
    if (manager) {
      if (!UUID.test(agentId) || !(await isMember(this.db, agentId, manager.id))) {
        throw invalid('agent', 'Cette personne ne fait pas partie des agents de la structure.');
      }
      return manager;
    }
    const s = await this.structureFor(principal, 'rendezvous.own_plages', structureId);
    if (agentId !== principal.id) throw notFound('Vous ne gérez que vos propres plages.');
    return s;
  }

  async addPlage(
    principal: Principal,
    structureId: string,
    agentId: string,
    raw: Record<string, unknown>,
  ): Promise<void> {
    const s = await this.plageTarget(principal, structureId, agentId);
    const p = plageInput(raw);
    if ((await repo.countPlages(this.db, s.id)) >= LIMITS.plages) {
      throw invalid('weekday', `Une structure a au plus ${LIMITS.plages} plages.`);
    }
    if (p.motifIds) {
      const own = new Set((await this.motifs(s.id)).map((m) => m.id));
      if (p.motifIds.some((id) => !own.has(id)))
        throw invalid('motifIds', 'Motif inconnu dans cette structure.');
    }
    await repo.insertPlage(this.db, {
      structure_id: s.id,
      agent_id: agentId,
      jour: p.weekday,
      debut_min: p.start,
      fin_min: p.end,
      valide_du: p.validFrom,
      valide_au: p.validUntil,
      motif_ids: p.motifIds ? [...p.motifIds] : null,
    });
    this.#changed();
  }

  async removePlage(principal: Principal, structureId: string, plageId: string): Promise<void> {
    const manager = await this.structureFor(principal, 'rendezvous.configure', structureId).catch(() => null);
    const s = manager ?? (await this.structureFor(principal, 'rendezvous.own_plages', structureId));
    const ok =
      UUID.test(plageId) && (await repo.deletePlage(this.db, plageId, s.id, manager ? null : principal.id));
    if (!ok) throw notFound('Plage introuvable (déjà supprimée ?).');
    this.#changed();
  }

  async addAbsence(
    principal: Principal,
    structureId: string,
    agentId: string,
    raw: { from: string; to: string; label?: string },
  ): Promise<void> {
    const s = await this.plageTarget(principal, structureId, agentId);
    const zone = timeZoneOfPlace(s);
    // A form's `datetime-local` (no offset) is on the structure's wall clock.
    const at = (v: string) => {
      const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})$/.exec(v ?? '');
      return m ? zonedInstant(m[1] as string, m[2] as string, zone) : new Date(Number.NaN);
    };
    const span = absenceSpan(at(raw.from), at(raw.to));
    await repo.insertAbsence(this.db, {
      structure_id: s.id,
      agent_id: agentId,
      debut: span.start,
      fin: span.end,
      libelle: raw.label?.trim().slice(0, 200) || null,
    });
    this.#changed();
  }

  async absences(structureId: string, from: Date, to: Date): Promise<Absence[]> {
    return (await repo.listAbsences(this.db, structureId, from, to)).map((a) => ({
      id: a.id,
      agentId: a.agent_id,
      start: new Date(a.debut),
      end: new Date(a.fin),
      label: a.libelle,
    }));
  }

  // -------------------------------------------------------------------------------------------
  // Free slots
  // -------------------------------------------------------------------------------------------

  /** The default range of a slot query: now to 8 weeks on. */
  defaultRange(): { from: Date; to: Date } {
    const now = this.clock.now();
    return { from: now, to: new Date(now.getTime() + DEFAULT_RANGE_DAYS * DAY) };
  }

  /**
   * What the free slots of a structure over [from, to) rest on, in one query: plages, absences, the agents'
   * appointments (unless `withBusy` is false), and its motifs bookable online when asked. Absences and
   * appointments are read a longest-motif margin around the range.
   */
  private async slotInputs(
    structureId: string,
    from: Date,
    to: Date,
    o: { withBusy?: boolean; onlineMotifs?: boolean } = {},
  ) {
    const margin = MOTIF_LIMITS.durationMax * MINUTE;
    const r = await repo.slotInputs(
      this.db,
      structureId,
      new Date(from.getTime() - margin),
      new Date(to.getTime() + margin),
      { withBusy: o.withBusy !== false, onlineMotifs: o.onlineMotifs === true },
    );
    return {
      motifs: r.motifs.map(
        ([
          id,
          label,
          durationMin,
          channel,
          partner,
          demarche,
          minNoticeMin,
          maxNoticeDays,
          version,
        ]): Motif => ({
          id,
          structureId,
          label,
          durationMin,
          channel: channel as Channel,
          partner: partner as Partenaire | null,
          demarche,
          minNoticeMin,
          maxNoticeDays,
          bookableOnline: true,
          active: true,
          version,
        }),
      ),
      plages: r.plages.map(
        ([id, agentId, weekday, start, end, validFrom, validUntil, motifIds]): Plage => ({
          id,
          agentId,
          structureId,
          weekday: weekday as Weekday,
          start,
          end,
          validFrom,
          validUntil,
          motifIds,
        }),
      ),
      absences: r.absences.map(
        ([agentId, start, end]): Absence => ({
          id: '',
          agentId,
          start: new Date(Number(start)),
          end: new Date(Number(end)),
          label: null,
        }),
      ),
      busy: r.busy.map(([agentId, start, end]) => ({
        agentId,
        start: new Date(Number(start)),
        end: new Date(Number(end)),
      })),
    };
  }

  private async slotsOf(
    s: Structure,
    motifs: readonly Motif[],
    from: Date,
    to: Date,
    /** `allAgents`: every free agent of each slot (booking tries them in turn); otherwise the first. */
    options: { ignoreNotice?: boolean; withBusy?: boolean; allAgents?: boolean } = {},
    read?: Awaited<ReturnType<RendezvousService['slotInputs']>>,
  ): Promise<Slot[]> {
    checkRange(from, to);
    if (motifs.length === 0) return [];
    const { plages, absences, busy } =
      read ?? (await this.slotInputs(s.id, from, to, { withBusy: options.withBusy }));
    return freeSlotsOfMotifs({
      calendar: calendarOf(s),
      motifs,
      plages,
      absences,
      busy,
      from,
      to,
      now: this.clock.now(),
      ignoreNotice: options.ignoreNotice,
      firstAgentOnly: !options.allAgents,
    });
  }

  /** Public slots of one motif, or of every motif bookable online, over at most 93 days. */
  async publicSlots(
    structureId: string,
    query: { from?: string; to?: string; motif?: string },
  ): Promise<{ structure: Structure; zone: TimeZone; items: Slot[]; truncated: boolean }> {
    const s = await this.structure(structureId);
    const range = this.defaultRange();
    const from = query.from ? parseInstant(query.from, 'from') : range.from;
    const to = query.to ? parseInstant(query.to, 'to') : new Date(from.getTime() + DEFAULT_RANGE_DAYS * DAY);
    checkRange(from, to);
    // One query for the motifs, plages, absences and appointments (bench/rendezvous.bench.ts).
    const read = await this.slotInputs(s.id, from, to, { onlineMotifs: true });
    const motifs = query.motif ? read.motifs.filter((m) => m.id === query.motif) : read.motifs;
    if (query.motif && motifs.length === 0) {
      throw new DomainError(
        'not_found',
        'Ce motif de rendez-vous n’existe pas dans cette France Services.',
        'motif',
      );
    }
    const items = await this.slotsOf(s, motifs, from, to, {}, read);
    return {
      structure: s,
      zone: timeZoneOfPlace(s),
      items: items.slice(0, MAX_SLOTS_PER_ANSWER),
      truncated: items.length > MAX_SLOTS_PER_ANSWER,
    };
  }

  /**
   * One local week of free slots (Monday to Sunday) for the booking and moving pages, clamped between
   * this week and the motif's horizon; when the week has none, the first free slot of the next 8 weeks.
   */
  async week(
    s: Structure,
    motif: Motif,
    semaine: string | undefined,
    options: { ignoreNotice?: boolean } = {},
  ): Promise<{ slots: Slot[]; week: SlotWeek }> {
    const zone = timeZoneOfPlace(s);
    const now = this.clock.now();
    const first = mondayOf(now, zone);
    const last = mondayOf(new Date(now.getTime() + motif.maxNoticeDays * DAY), zone);
    let monday = (semaine && mondayOfDate(semaine)) || first;
    if (monday < first) monday = first;
    if (monday > last) monday = last;
    const from = new Date(Math.max(now.getTime(), zonedInstant(monday, '00:00', zone).getTime()));
    const to = zonedInstant(addDays(monday, 7), '00:00', zone);
    const slots = await this.slotsOf(s, [motif], from, to, options);
    const nextFree =
      slots.length === 0
        ? ((
            await this.slotsOf(s, [motif], to, new Date(to.getTime() + DEFAULT_RANGE_DAYS * DAY), options)
          )[0] ?? null)
        : null;
    return {
      slots,
      week: {
        monday,
        previous: monday > first ? addDays(monday, -7) : null,
        next: monday < last ? addDays(monday, 7) : null,
        nextFree,
      },
    };
  }

  /** Slots an agent may book for someone (no notice, but not in the past). */
  async counterSlots(
    principal: Principal,
    structureId: string,
    motifId: string,
    from: Date,
    to: Date,
  ): Promise<Slot[]> {
    const s = await this.structureFor(principal, 'rendezvous.agenda', structureId);
    const motif = await this.motif(s.id, motifId);
    return this.slotsOf(s, [motif], from, to, { ignoreNotice: true });
  }

  /**
   * The structures with at least one free slot bookable online within 14 days: the locator's appointment
   * filter, for every structure at once. One query per table (motifs, plages, absences, appointments,
   * structures' calendars), then the pure slot computation per structure, stopping at the first slot.
   * Shared by concurrent callers and kept `BOOKABLE_SET_TTL_MS`: a write through this service (motif,
   * plage, absence, booking, cancellation, move) makes the next call recompute; writes on another
   * instance and changes of opening hours show within the TTL. Past the TTL, callers get the previous set
   * while one recomputation runs.
   */
  async bookableOnline(): Promise<BookableSet> {
    const current = this.#bookable;
    const generation = this.#generation;
    const clockNow = this.clock.now().getTime();
    const sameData =
      current !== null &&
      current.generation === generation &&
      Math.abs(clockNow - current.clockAt) < BOOKABLE_SET_TTL_MS;
    if (sameData && Date.now() - current.computedAt < BOOKABLE_SET_TTL_MS) return current;
    let refresh = this.#bookableRefresh;
    if (!refresh || refresh.generation !== generation) {
      const promise = this.computeBookableOnline(generation).finally(() => {
        if (this.#bookableRefresh?.promise === promise) this.#bookableRefresh = null;
      });
      refresh = { generation, promise };
      this.#bookableRefresh = refresh;
    }
    if (sameData) {
      // Only aged: answer at once with the previous set; the recomputation replaces it.
      refresh.promise.catch((err) => this.logger.error({ err }, 'filtre rendez-vous : calcul en échec'));
      return current;
    }
    return refresh.promise;
  }

  /** Computes the locator's set now (what `bookableOnline` shares and keeps; the benchmark calls it). */
  async computeBookableOnline(generation = this.#generation): Promise<BookableEntry> {
    const started = Date.now();
    const now = this.clock.now();
    const to = new Date(now.getTime() + LOCATOR_BOOKING_DAYS * DAY);
    // Appointments and absences a little around the window: a slot near its edge overlaps them.
    const margin = 24 * 60 * MINUTE;
    const rows = await repo.onlineBookingRows(this.db, {
      from: new Date(now.getTime() - margin),
      to: new Date(to.getTime() + margin),
      // Plages are on local dates: a day either side covers every zone.
      firstDay: new Date(now.getTime() - DAY).toISOString().slice(0, 10),
      lastDay: new Date(to.getTime() + DAY).toISOString().slice(0, 10),
    });
    const group = <T>(items: readonly T[], key: (x: T) => string) => {
      const m = new Map<string, T[]>();
      for (const x of items) {
        const k = key(x);
        const list = m.get(k);
        if (list) list.push(x);
        else m.set(k, [x]);
      }
      return m;
    };
    const motifsBy = group(rows.motifs, (m) => m.structure_id);
    const plagesBy = group(rows.plages.map(toPlage), (p) => p.structureId);
    const absencesBy = group(
      rows.absences.map((a) => ({
        id: '',
        agentId: a.agent_id,
        structureId: a.structure_id,
        start: new Date(a.debut),
        end: new Date(a.fin),
        label: null,
      })),
      (a) => a.structureId,
    );
    const busyBy = group(
      rows.busy.map((b) => ({ agentId: b.agent_id, start: new Date(b.debut), end: new Date(b.fin) })),
      (b) => b.agentId,
    );
    const ids = new Set<string>();
    for (const c of await structureCalendars(this.db, [...motifsBy.keys()])) {
      const plages = plagesBy.get(c.id) ?? [];
      const agents = new Set(plages.map((p) => p.agentId));
      const found = hasFreeSlotWithin({
        calendar: {
          zone: timeZoneOfPlace(c),
          commune: c.codeInsee || c.departement,
          hours: c.hours,
          closures: c.closures,
          status: c.status,
          statusUntil: c.statusUntil,
        },
        motifs: (motifsBy.get(c.id) ?? []).map((m) => ({
          id: m.id,
          durationMin: m.duree_min,
          channel: m.canal as Channel,
          minNoticeMin: m.delai_min_minutes,
          maxNoticeDays: m.delai_max_jours,
        })),
        plages,
        absences: absencesBy.get(c.id) ?? [],
        busy: [...agents].flatMap((a) => busyBy.get(a) ?? []),
        now,
        days: LOCATOR_BOOKING_DAYS,
      });
      if (found) ids.add(c.id);
    }
    const stamp = createHash('sha1')
      .update([...ids].sort().join(','))
      .digest('base64url')
      .slice(0, 16);
    const entry: BookableEntry = { ids, stamp, generation, computedAt: started, clockAt: now.getTime() };
    // A computation that began before a write must not pass for fresh (its generation is older).
    if (!this.#bookable || this.#bookable.computedAt <= started) this.#bookable = entry;
    return entry;
  }

  // -------------------------------------------------------------------------------------------
  // Booking
  // -------------------------------------------------------------------------------------------

  /**
   * Books a slot. The order of checks gives each refusal its own message: unknown structure or motif
   * (404), malformed contact (400), past or outside availability (400), taken (409). The last word is
   * the database's: the occupancy units' primary key refuses a second booking of the same time.
   */
  async book(request: BookingRequest, by: { principal: Principal } | null = null): Promise<Booked> {
    const s = by
      ? await this.structureFor(by.principal, 'rendezvous.agenda', request.structureId)
      : await this.structure(request.structureId);
    const motif = await this.motif(s.id, request.motifId, { online: !by });
    const person = contact(request, phoneCountryOf(s.departement));
    const start = parseInstant(request.start, 'start');
    const now = this.clock.now();
    const zone = timeZoneOfPlace(s);
    if (start.getTime() <= now.getTime())
      throw invalid('start', 'Ce créneau est déjà passé : choisissez-en un autre.');
    if (!by) {
      if (start.getTime() < now.getTime() + motif.minNoticeMin * MINUTE) {
        throw invalid(
          'start',
          `Ce créneau est trop proche : ce motif se réserve au moins ${noticeText(motif.minNoticeMin)} à l’avance.`,
        );
      }
      if (start.getTime() > now.getTime() + motif.maxNoticeDays * DAY) {
        throw invalid(
          'start',
          `Ce créneau est trop lointain : ce motif se réserve au plus ${motif.maxNoticeDays} jours à l’avance.`,
        );
      }
    }
    const window = { from: start, to: new Date(start.getTime() + MINUTE) };
    const opts = { ignoreNotice: !!by };
    const offered = (
      await this.slotsOf(s, [motif], window.from, window.to, { ...opts, withBusy: false })
    ).find((x) => x.start.getTime() === start.getTime());
    if (!offered) {
      throw invalid(
        'start',
        'Ce créneau ne fait pas partie des disponibilités de cette France Services : choisissez-en un dans la liste.',
      );
    }
    const free = (await this.slotsOf(s, [motif], window.from, window.to, { ...opts, allAgents: true })).find(
      (x) => x.start.getTime() === start.getTime(),
    );
    const taken = () =>
      conflict('Ce créneau vient d’être réservé par quelqu’un d’autre : choisissez-en un autre.', 'start');
    if (!free) throw taken();
    const token = newToken();
    for (const agentId of free.agentIds) {
      const booking = await repo.insertBooking(
        this.db,
        {
          structure_id: s.id,
          motif_id: motif.id,
          agent_id: agentId,
          debut: free.start,
          fin: free.end,
          nom: person.name,
          courriel: person.email,
          telephone: person.phone,
          jeton_hash: hashToken(token),
          origine: by ? 'agent' : 'en_ligne',
          cree_par: by?.principal.id ?? null,
          created_at: now,
        },
        unitsOf(free.start, free.end),
      );
      if (booking) {
        this.#changed();
        const booked = { booking, token, manageUrl: this.manageUrl(token), zone };
        await this.confirmationMail(booked, s, motif, zone, 'confirmation');
        return booked;
      }
    }
    throw taken();
  }

  manageUrl(token: string): string {
    return `${this.config.publicUrl}/rendez-vous/gerer?jeton=${encodeURIComponent(token)}`;
  }

  /** The booking a person's link points at; a clear refusal for an altered, replaced or erased link. */
  async byToken(token: string): Promise<ManagedBooking> {
    const row =
      typeof token === 'string' && token.length >= 20 && token.length <= 100
        ? await repo.findBookingByToken(this.db, hashToken(token))
        : undefined;
    if (!row) {
      throw new DomainError(
        'not_found',
        'Ce lien n’est pas (ou plus) valable : il a peut-être été modifié, ou remplacé par celui d’un courriel plus récent après un déplacement. Utilisez le lien du dernier courriel reçu, ou contactez la France Services.',
        'jeton',
      );
    }
    const structure = await this.structure(row.structure_id);
    const motifRow = await repo.findMotif(this.db, row.motif_id);
    if (!motifRow) throw notFound('Motif introuvable.');
    return { booking: row, structure, motif: toMotif(motifRow), zone: timeZoneOfPlace(structure) };
  }

  private liveOrRefuse(m: ManagedBooking): void {
    if (m.booking.statut === 'annule')
      throw conflict('Ce rendez-vous est déjà annulé : rien n’a été changé.', 'jeton');
    if (m.booking.statut !== 'confirme')
      throw conflict('Ce rendez-vous est passé : il ne peut plus être modifié.', 'jeton');
    if (new Date(m.booking.debut).getTime() <= this.clock.now().getTime()) {
      throw conflict(
        'Ce rendez-vous a déjà commencé : il ne peut plus être modifié en ligne. Contactez la France Services.',
        'jeton',
      );
    }
  }

  async cancelByToken(token: string, version?: number): Promise<ManagedBooking> {
    const m = await this.byToken(token);
    this.liveOrRefuse(m);
    const ok = await repo.cancelBooking(
      this.db,
      m.booking.id,
      version ?? m.booking.version,
      this.clock.now(),
    );
    if (!ok) throw conflict('Ce rendez-vous a changé entre-temps : rechargez la page.', 'version');
    this.#changed();
    const after = await this.byToken(token);
    await this.confirmationMail(
      { booking: after.booking, token, manageUrl: this.manageUrl(token), zone: m.zone },
      m.structure,
      m.motif,
      m.zone,
      'annulation',
    );
    return after;
  }

  /** Moves to another free slot of the same motif; a new link replaces the old one (sent by mail). */
  async moveByToken(token: string, startText: string, version?: number): Promise<Booked> {
    const m = await this.byToken(token);
    this.liveOrRefuse(m);
    const start = parseInstant(startText, 'start');
    const now = this.clock.now();
    if (start.getTime() <= now.getTime())
      throw invalid('start', 'Ce créneau est déjà passé : choisissez-en un autre.');
    const window = { from: start, to: new Date(start.getTime() + MINUTE) };
    const offered = (
      await this.slotsOf(m.structure, [m.motif], window.from, window.to, { withBusy: false })
    ).find((x) => x.start.getTime() === start.getTime());
    if (!offered)
      throw invalid(
        'start',
        'Ce créneau ne fait pas partie des disponibilités : choisissez-en un dans la liste.',
      );
    const free = (
      await this.slotsOf(m.structure, [m.motif], window.from, window.to, { allAgents: true })
    ).find((x) => x.start.getTime() === start.getTime());
    const taken = () =>
      conflict('Ce créneau vient d’être réservé par quelqu’un d’autre : choisissez-en un autre.', 'start');
    if (!free) throw taken();
    const next = newToken();
    for (const agentId of free.agentIds) {
      const outcome = await repo.moveBooking(
        this.db,
        m.booking.id,
        version ?? m.booking.version,
        { agentId, start: free.start, end: free.end, tokenHash: hashToken(next) },
        unitsOf(free.start, free.end),
        now,
      );
      if (outcome === 'stale')
        throw conflict('Ce rendez-vous a changé entre-temps : rechargez la page.', 'version');
      if (outcome === 'moved') {
        this.#changed();
        const booking = (await repo.findBooking(this.db, m.booking.id)) as BookingRow;
        const booked = { booking, token: next, manageUrl: this.manageUrl(next), zone: m.zone };
        await this.confirmationMail(booked, m.structure, m.motif, m.zone, 'deplacement');
        return booked;
      }
    }
    throw taken();
  }

  private async confirmationMail(
    b: Booked,
    s: Structure,
    motif: Motif,
    zone: TimeZone,
    kind: 'confirmation' | 'deplacement' | 'annulation',
  ): Promise<void> {
    const to = b.booking.courriel;
    if (!to) return;
    const start = new Date(b.booking.debut);
    const when = frenchWhen(start, zone);
    const where = `${s.name}, ${s.address}, ${s.postalCode} ${s.communeName}`;
    const subject = {
      confirmation: `Rendez-vous confirmé : ${when}`,
      deplacement: `Rendez-vous déplacé : ${when}`,
      annulation: `Rendez-vous annulé : ${when}`,
    }[kind];
    const lines = [
      `Bonjour ${b.booking.nom ?? ''},`,
      '',
      kind === 'annulation'
        ? `Votre rendez-vous du ${when} à ${s.name} est annulé.`
        : `Votre rendez-vous est ${kind === 'deplacement' ? 'déplacé au' : 'confirmé le'} ${when}.`,
      `Motif : ${motif.label} (${CHANNEL_LABELS[motif.channel].toLowerCase()}${motif.partner ? `, ${partnerLabel(motif.partner)}` : ''})`,
      `Lieu : ${where}`,
      ...(s.telephones[0] ? [`Téléphone de la France Services : ${s.telephones[0]}`] : []),
      '',
      ...(kind === 'annulation'
        ? ['Vous pouvez reprendre un rendez-vous sur la page de la France Services.']
        : [
            'Pour annuler ou déplacer ce rendez-vous, utilisez ce lien personnel (ne le transmettez pas) :',
            b.manageUrl,
            '',
            'Le rendez-vous est joint à ce courriel (fichier .ics) pour votre agenda.',
          ]),
      '',
      `Vos coordonnées sont effacées ${CONTACT_RETENTION_DAYS} jours après le rendez-vous.`,
      'France Services',
    ];
    const mail: Mail = {
      to,
      subject,
      text: lines.join('\n'),
      attachments: [
        {
          filename: 'rendez-vous.ics',
          contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
          content: appointmentIcs(
            {
              id: b.booking.id,
              start,
              end: new Date(b.booking.fin),
              summary: `Rendez-vous France Services : ${motif.label}`,
              description:
                kind === 'annulation' ? 'Rendez-vous annulé.' : `Annuler ou déplacer : ${b.manageUrl}`,
              location: where,
              url: kind === 'annulation' ? null : b.manageUrl,
              cancelled: kind === 'annulation',
              sequence: b.booking.version,
            },
            this.clock.now(),
          ),
        },
      ],
    };
    await sendMail(this.mailDeps, mail);
  }

  // -------------------------------------------------------------------------------------------
  // Agents: agenda, attendance, statistics
  // -------------------------------------------------------------------------------------------

  async agenda(
    principal: Principal,
    structureId: string | undefined,
    filter: { agentId?: string; from: Date; to: Date },
  ) {
    const s = await this.structureFor(principal, 'rendezvous.agenda', structureId);
    checkRange(filter.from, filter.to);
    const rows = await repo.agenda(this.db, {
      structureId: s.id,
      agentId: filter.agentId,
      from: filter.from,
      to: filter.to,
    });
    return { structure: s, zone: timeZoneOfPlace(s), rows };
  }

  async setAttendance(
    principal: Principal,
    bookingId: string,
    version: number,
    attendance: string,
  ): Promise<BookingRow> {
    if (!(ATTENDANCE as readonly string[]).includes(attendance)) {
      throw invalid('statut', 'Statut inconnu : honoré, excusé ou absent.');
    }
    const row = UUID.test(bookingId) ? await repo.findBooking(this.db, bookingId) : undefined;
    if (!row) throw notFound('Rendez-vous introuvable.');
    await this.structureFor(principal, 'rendezvous.agenda', row.structure_id);
    const refusal = attendanceAllowed(
      row.statut as Status,
      attendance as Attendance,
      new Date(row.debut),
      this.clock.now(),
    );
    if (refusal) throw invalid('statut', refusal);
    const ok = await repo.setAttendance(this.db, row.id, version, attendance, this.clock.now());
    if (!ok) throw conflict('Ce rendez-vous a été modifié entre-temps : rechargez l’agenda.', 'version');
    return (await repo.findBooking(this.db, row.id)) as BookingRow;
  }

  async cancelByAgent(principal: Principal, bookingId: string, version: number): Promise<void> {
    const row = UUID.test(bookingId) ? await repo.findBooking(this.db, bookingId) : undefined;
    if (!row) throw notFound('Rendez-vous introuvable.');
    const s = await this.structureFor(principal, 'rendezvous.agenda', row.structure_id);
    if (row.statut !== 'confirme')
      throw conflict('Ce rendez-vous n’est plus à venir : il ne peut pas être annulé.', 'version');
    const ok = await repo.cancelBooking(this.db, row.id, version, this.clock.now());
    if (!ok) throw conflict('Ce rendez-vous a été modifié entre-temps : rechargez l’agenda.', 'version');
    this.#changed();
    const motifRow = await repo.findMotif(this.db, row.motif_id);
    if (motifRow) {
      const after = (await repo.findBooking(this.db, row.id)) as BookingRow;
      await this.confirmationMail(
        { booking: after, token: '', manageUrl: '', zone: timeZoneOfPlace(s) },
        s,
        toMotif(motifRow),
        timeZoneOfPlace(s),
        'annulation',
      );
    }
  }

  /**
   * Missed-appointment rate per motif of a structure, on the appointments that started in the last `days`
   * days: absent ÷ (honoré + excusé + absent), with its 95 % interval and the count it rests on; past
   * appointments without recorded attendance are counted apart (docs/adr/0015-rendez-vous.md).
   */
  async attendanceStats(principal: Principal, structureId: string | undefined, days = 365) {
    const s = await this.structureFor(principal, 'rendezvous.stats', structureId);
    const now = this.clock.now();
    const from = new Date(now.getTime() - days * DAY);
    const rows = await repo.attendanceCounts(this.db, s.id, from, now);
    type Counts = { label: string; honore: number; excuse: number; absent: number; nonRenseigne: number };
    const byMotif = new Map<string, Counts>();
    const key = { honore: 'honore', excuse: 'excuse', absent: 'absent', confirme: 'nonRenseigne' } as const;
    for (const r of rows) {
      const m = byMotif.get(r.motif_id) ?? {
        label: r.libelle,
        honore: 0,
        excuse: 0,
        absent: 0,
        nonRenseigne: 0,
      };
      m[key[r.statut as keyof typeof key]] += Number(r.n);
      byMotif.set(r.motif_id, m);
    }
    const perMotif = [...byMotif.entries()]
      .map(([id, c]) => ({ motifId: id, label: c.label, ...missedRate(c) }))
      .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label));
    const sum = (k: 'honore' | 'excuse' | 'absent' | 'nonRenseigne') =>
      perMotif.reduce((a, m) => a + m[k], 0);
    const total = missedRate({
      honore: sum('honore'),
      excuse: sum('excuse'),
      absent: sum('absent'),
      nonRenseigne: sum('nonRenseigne'),
    });
    return { structure: s, days, from, to: now, zone: timeZoneOfPlace(s), total, perMotif };
  }

  /**
   * The pilotage dashboard's appointment section (issue 14): the appointments of a territory the caller
   * was already authorised for (`PilotageService.authorise`) that started in [from, to), by attendance,
   * with the missed-appointment rate and its interval. Cancelled ones are not counted.
   */
  async attendanceForTerritory(
    territory: {
      readonly departements: readonly string[];
      readonly structure: { readonly id: string } | null;
    },
    from: Date,
    to: Date,
  ): Promise<MissedRate> {
    const ids = territory.structure
      ? [territory.structure.id]
      : await structureIdsInDepartements(this.db, territory.departements);
    // Appointments still to come have no attendance yet: the range stops now.
    const now = this.clock.now();
    const rows = await repo.attendanceByStructure(this.db, ids, from, to > now ? now : to);
    const counts = { honore: 0, excuse: 0, absent: 0, nonRenseigne: 0 };
    const key = { honore: 'honore', excuse: 'excuse', absent: 'absent', confirme: 'nonRenseigne' } as const;
    for (const r of rows) counts[key[r.statut as keyof typeof key]] += Number(r.n);
    return missedRate(counts);
  }

  /**
   * The missed-appointment rate per structure in the principal's scope for `rendezvous.stats` (own
   * structures, the department, or all), filtered in SQL; structures without any appointment are left out.
   */
  async attendanceByStructure(principal: Principal, days = 365) {
    const scope = scopeOf(principal.role, 'rendezvous.stats');
    if (!scope) throw notFound('Ces statistiques ne font pas partie de votre périmètre.');
    const ids =
      scope === 'all'
        ? null
        : scope === 'department'
          ? principal.departement
            ? await structureIdsInDepartement(this.db, principal.departement)
            : []
          : scope === 'own'
            ? [...principal.structureIds]
            : [];
    const now = this.clock.now();
    const from = new Date(now.getTime() - days * DAY);
    const rows = await repo.attendanceByStructure(this.db, ids, from, now);
    const key = { honore: 'honore', excuse: 'excuse', absent: 'absent', confirme: 'nonRenseigne' } as const;
    const counts = new Map<
      string,
      { honore: number; excuse: number; absent: number; nonRenseigne: number }
    >();
    for (const r of rows) {
      const c = counts.get(r.structure_id) ?? { honore: 0, excuse: 0, absent: 0, nonRenseigne: 0 };
      c[key[r.statut as keyof typeof key]] += Number(r.n);
      counts.set(r.structure_id, c);
    }
    const info = await structureCalendars(this.db, [...counts.keys()]);
    const structures = info
      .map((s) => ({
        id: s.id,
        name: s.name,
        departement: s.departement,
        ...missedRate(counts.get(s.id) as NonNullable<ReturnType<typeof counts.get>>),
      }))
      .sort((a, b) => a.departement.localeCompare(b.departement) || a.name.localeCompare(b.name));
    return { scope, days, from, to: now, structures };
  }

  // -------------------------------------------------------------------------------------------
  // Agents' private iCalendar feeds
  // -------------------------------------------------------------------------------------------

  async hasFeed(principal: Principal): Promise<boolean> {
    return repo.hasFeed(this.db, principal.id);
  }

  /** A new private feed URL for the agent (shown once; only its hash is kept); earlier ones stop working. */
  async createFeed(principal: Principal): Promise<string> {
    if (!principal.structureIds.some((id) => can(principal, 'rendezvous.agenda', { structureId: id }))) {
      throw notFound('Aucune structure où vous prenez des rendez-vous.');
    }
    const token = newToken();
    await repo.replaceFeed(this.db, principal.id, hashToken(token), this.clock.now());
    return `${this.config.publicUrl}/rendez-vous/agenda/${token}.ics`;
  }

  async revokeFeed(principal: Principal): Promise<number> {
    return repo.revokeFeeds(this.db, principal.id, this.clock.now());
  }

  /** The feed of a token: the agent's appointments from 30 days ago to 93 days ahead; 404 when revoked. */
  async feed(token: string): Promise<string> {
    const agentId =
      token.length >= 20 && token.length <= 100 ? await repo.feedAgent(this.db, hashToken(token)) : null;
    if (!agentId) throw notFound('Ce lien d’agenda n’existe pas ou a été révoqué.');
    const now = this.clock.now();
    const rows = await repo.agenda(this.db, {
      agentId,
      from: new Date(now.getTime() - 30 * DAY),
      to: new Date(now.getTime() + 93 * DAY),
    });
    return agendaIcs(
      'Mes rendez-vous France Services',
      rows.map((r) => ({
        id: r.id,
        start: new Date(r.debut),
        end: new Date(r.fin),
        summary: `${r.motif_libelle} – ${r.nom ?? 'coordonnées effacées'}`,
        description: [r.telephone, r.courriel].filter(Boolean).join(' · '),
        location: null,
        cancelled: r.statut === 'annule',
        sequence: r.version,
      })),
      now,
    );
  }

  // -------------------------------------------------------------------------------------------
  // Jobs: privacy and reminders
  // -------------------------------------------------------------------------------------------

  /** Erases contact details 30 days after each appointment's end. */
  async eraseOldContacts(): Promise<number> {
    const now = this.clock.now();
    return repo.eraseContacts(this.db, new Date(now.getTime() - CONTACT_RETENTION_DAYS * DAY), now);
  }

  /**
   * Reminders 48 h before: an email, and an SMS when a provider is configured and the person gave a
   * phone. Each (appointment, channel) is claimed in the database before sending, so a reminder goes
   * out once even if the job runs twice or on two instances. Appointments booked less than 48 h ahead
   * get none (their confirmation is fresh).
   */
  async sendReminders(): Promise<{ email: number; sms: number; failed: number }> {
    const now = this.clock.now();
    const due = await repo.remindable(this.db, now, new Date(now.getTime() + 48 * 3_600_000));
    const counts = { email: 0, sms: 0, failed: 0 };
    for (const b of due) {
      const start = new Date(b.debut);
      if (new Date(b.created_at).getTime() > start.getTime() - 48 * 3_600_000) continue;
      const s = await findStructureById(this.db, b.structure_id);
      const motifRow = await repo.findMotif(this.db, b.motif_id);
      if (!s || !motifRow) continue;
      const zone = timeZoneOfPlace(s);
      const when = frenchWhen(start, zone);
      const text = `Rappel : rendez-vous ${when} à ${s.name} (${motifRow.libelle}). Pour annuler, utilisez le lien de votre courriel de confirmation ou appelez ${s.telephones[0] ?? 'la France Services'}.`;
      if (b.courriel && (await repo.claimReminder(this.db, b.id, 'courriel', now))) {
        const how = await sendMail(this.mailDeps, {
          to: b.courriel,
          subject: `Rappel : rendez-vous ${when}`,
          text: `Bonjour ${b.nom ?? ''},\n\n${text}\n\nFrance Services`,
        });
        await repo.reminderResult(this.db, b.id, 'courriel', how);
        counts.email += 1;
      }
      if (this.sms && b.telephone && (await repo.claimReminder(this.db, b.id, 'sms', now))) {
        try {
          await this.sms.send({ to: b.telephone, text: text.slice(0, 320), reference: b.id });
          await repo.reminderResult(this.db, b.id, 'sms', 'envoye');
          counts.sms += 1;
        } catch (error) {
          this.logger.error({ err: error, rendezvous: b.id }, 'rappel SMS en échec');
          await repo.reminderResult(this.db, b.id, 'sms', 'echec');
          counts.failed += 1;
        }
      }
    }
    return counts;
  }
}

const noticeText = (minutes: number) =>
  minutes % 1440 === 0
    ? `${minutes / 1440} jour(s)`
    : minutes % 60 === 0
      ? `${minutes / 60} heure(s)`
      : `${minutes} minutes`;

/** An ISO 8601 instant with an offset or Z; anything else is refused with the field. */
export function parseInstant(text: string, field: string): Date {
  const ok =
    typeof text === 'string' &&
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const d = ok ? new Date(text) : new Date(Number.NaN);
  if (Number.isNaN(d.getTime())) {
    throw invalid(
      field,
      'Date et heure attendues au format ISO 8601 avec décalage (par exemple 2026-12-01T09:00:00+01:00).',
    );
  }
  return d;
}
