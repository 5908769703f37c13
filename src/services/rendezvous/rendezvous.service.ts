import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { isMember, membersOf } from '../../db/repositories/accounts.repository.js';
import { findStructureById } from '../../db/repositories/directory.repository.js';
import type { BookingRow, MotifRow } from '../../db/repositories/rendezvous.repository.js';
import * as repo from '../../db/repositories/rendezvous.repository.js';
import type { Partenaire } from '../../domain/accompagnement/codes.js';
import { type Action, can } from '../../domain/accounts/policy.js';
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
  freeSlots,
  type Motif,
  type MotifInput,
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
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly logger: Logger,
    private readonly sms: SmsSender | null,
    /** The accompaniment catalogue's active démarches (a motif may name one). */
    private readonly demarches: () => Promise<ReadonlyArray<{ code: string; partenaire: string }>>,
  ) {}

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
    return toMotif(await repo.insertMotif(this.db, s.id, motifColumns(input)));
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
  }

  async plages(structureId: string): Promise<Plage[]> {
    return (await repo.listPlages(this.db, structureId)).map((r) => ({
      id: r.id,
      agentId: r.agent_id,
      structureId: r.structure_id,
      weekday: r.jour as Weekday,
      start: r.debut_min,
      end: r.fin_min,
      validFrom: r.valide_du,
      validUntil: r.valide_au,
      motifIds: r.motif_ids,
    }));
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
  }

  async removePlage(principal: Principal, structureId: string, plageId: string): Promise<void> {
    const manager = await this.structureFor(principal, 'rendezvous.configure', structureId).catch(() => null);
    const s = manager ?? (await this.structureFor(principal, 'rendezvous.own_plages', structureId));
    const ok =
      UUID.test(plageId) && (await repo.deletePlage(this.db, plageId, s.id, manager ? null : principal.id));
    if (!ok) throw notFound('Plage introuvable (déjà supprimée ?).');
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

  private async slotsOf(
    s: Structure,
    motifs: readonly Motif[],
    from: Date,
    to: Date,
    options: { ignoreNotice?: boolean; withBusy?: boolean } = {},
  ): Promise<Slot[]> {
    checkRange(from, to);
    if (motifs.length === 0) return [];
    const longest = Math.max(...motifs.map((m) => m.durationMin)) * MINUTE;
    const [plages, absences, busy] = await Promise.all([
      this.plages(s.id),
      this.absences(s.id, new Date(from.getTime() - longest), new Date(to.getTime() + longest)),
      options.withBusy === false
        ? Promise.resolve([])
        : repo.busyOf(this.db, s.id, new Date(from.getTime() - longest), new Date(to.getTime() + longest)),
    ]);
    const calendar = calendarOf(s);
    const now = this.clock.now();
    const taken = busy.map((b) => ({ agentId: b.agent_id, start: new Date(b.debut), end: new Date(b.fin) }));
    const all: Slot[] = [];
    for (const motif of motifs) {
      all.push(
        ...freeSlots({
          calendar,
          motif,
          plages,
          absences,
          busy: taken,
          from,
          to,
          now,
          ignoreNotice: options.ignoreNotice,
        }),
      );
    }
    return all.sort((a, b) => a.start.getTime() - b.start.getTime() || a.motifId.localeCompare(b.motifId));
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
    const motifs = query.motif
      ? [await this.motif(s.id, query.motif, { online: true })]
      : await this.motifs(s.id, { onlineOnly: true });
    const items = await this.slotsOf(s, motifs, from, to);
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

  /** Whether a structure has at least one slot bookable online within `days` (the locator's filter). */
  async bookableWithin(structureId: string, days: number): Promise<boolean> {
    const s = await this.structure(structureId);
    const motifs = await this.motifs(s.id, { onlineOnly: true });
    const now = this.clock.now();
    return (await this.slotsOf(s, motifs, now, new Date(now.getTime() + days * DAY))).length > 0;
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
    const free = (await this.slotsOf(s, [motif], window.from, window.to, opts)).find(
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
    const free = (await this.slotsOf(m.structure, [m.motif], window.from, window.to)).find(
      (x) => x.start.getTime() === start.getTime(),
    );
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

  /** Missed-appointment rate per motif of a structure over the last `days` days (honoré, excusé, absent). */
  async attendanceStats(principal: Principal, structureId: string | undefined, days = 365) {
    const s = await this.structureFor(principal, 'rendezvous.stats', structureId);
    const from = new Date(this.clock.now().getTime() - days * DAY);
    const rows = await repo.attendanceCounts(this.db, s.id, from);
    const byMotif = new Map<string, { label: string; honore: number; excuse: number; absent: number }>();
    for (const r of rows) {
      const m = byMotif.get(r.motif_id) ?? { label: r.libelle, honore: 0, excuse: 0, absent: 0 };
      m[r.statut as 'honore' | 'excuse' | 'absent'] += Number(r.n);
      byMotif.set(r.motif_id, m);
    }
    const rate = <T extends { honore: number; excuse: number; absent: number }>(c: T) => {
      const total = c.honore + c.excuse + c.absent;
      return { ...c, total, missedRate: total === 0 ? null : c.absent / total };
    };
    const perMotif = [...byMotif.entries()].map(([id, c]) => ({ motifId: id, ...rate(c) }));
    const all = perMotif.reduce(
      (a, m) => ({
        honore: a.honore + m.honore,
        excuse: a.excuse + m.excuse,
        absent: a.absent + m.absent,
        label: '',
      }),
      { honore: 0, excuse: 0, absent: 0, label: 'Tous motifs' },
    );
    return { structure: s, days, total: rate(all), perMotif };
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
