import { type TimeRange, WEEKDAYS, type Weekday, type WeeklyHours } from '../directory/opening-hours.js';
import type { ExceptionalClosure, OperatingStatus } from '../directory/structure.js';
import { invalid } from '../shared/errors.js';
import { holidaysOf, holidayZone } from '../shared/public-holidays.js';
import { localDate, offsetMinutes, type TimeZone, wallClock } from '../shared/time-zone.js';
import type { Absence, Plage } from './availability.js';
import { type Motif, SLOT_UNIT_MIN } from './motif.js';

/**
 * Free slots (créneaux) of one motif at one structure over a bounded range: the agents' weekly plages,
 * cut by the structure's opening hours, exceptional closures, its commune's public holidays and its
 * status, by the motif's notice, the agents' absences and their appointments already taken.
 *
 * Everything is on the structure's wall clock: a plage 09:00–12:00 gives a 09:00 slot on both sides of
 * a clock change, and at La Réunion 09:00 is 09:00 at UTC+4. A wall time that does not exist (inside
 * the spring-forward gap) gives no slot; one that happens twice (fall-back) denotes the later one.
 */
export const DEFAULT_RANGE_DAYS = 56;
export const MAX_RANGE_DAYS = 93;
/** The locator's appointment filter: a slot bookable online within this many days (issue 15). */
export const LOCATOR_BOOKING_DAYS = 14;
const MINUTE = 60_000;
const DAY = 86_400_000;
const UNIT = SLOT_UNIT_MIN * MINUTE;

export interface BookingCalendar {
  readonly zone: TimeZone;
  /** INSEE code (or department) whose public holidays close the structure. */
  readonly commune: string | null;
  readonly hours: WeeklyHours;
  readonly closures: readonly ExceptionalClosure[];
  readonly status: OperatingStatus;
  readonly statusUntil: string | null;
}

/** Time an agent is already taken (an appointment), any motif. */
export interface Busy {
  readonly agentId: string;
  readonly start: Date;
  readonly end: Date;
}

export interface SlotRequest {
  readonly calendar: BookingCalendar;
  readonly motif: Pick<Motif, 'id' | 'durationMin' | 'channel' | 'minNoticeMin' | 'maxNoticeDays'>;
  readonly plages: readonly Plage[];
  readonly absences?: readonly Absence[];
  readonly busy?: readonly Busy[];
  readonly from: Date;
  readonly to: Date;
  readonly now: Date;
  /** An agent booking on someone's behalf: the motif's notice does not apply (only "not in the past"). */
  readonly ignoreNotice?: boolean;
  /** Stop after the local day on which this many slots were found (the locator only asks "any?"). */
  readonly limit?: number;
}

export interface Slot {
  readonly start: Date;
  readonly end: Date;
  readonly motifId: string;
  /** The agents free for it, in plage order: a booking takes the first one still free. */
  readonly agentIds: readonly string[];
}

/** One week of the booking pages: its local Monday, the neighbours one may go to, the next free slot. */
export interface SlotWeek {
  readonly monday: string;
  readonly previous: string | null;
  readonly next: string | null;
  readonly nextFree: Slot | null;
}

/** The range check of every caller (API, pages): from < to, at most `MAX_RANGE_DAYS`. */
export function checkRange(from: Date, to: Date): void {
  if (Number.isNaN(from.getTime())) throw invalid('from', 'Date de début invalide.');
  if (Number.isNaN(to.getTime())) throw invalid('to', 'Date de fin invalide.');
  if (to <= from) throw invalid('to', 'La fin de la période doit suivre son début.');
  if (to.getTime() - from.getTime() > MAX_RANGE_DAYS * DAY) {
    throw invalid('to', `La période demandée dépasse ${MAX_RANGE_DAYS} jours.`);
  }
}

/** The instant a local wall time denotes, or null inside a spring-forward gap. */
export function wallToInstant(isoDate: string, minutes: number, zone: TimeZone): number | null {
  const local = Date.parse(`${isoDate}T00:00:00Z`) + minutes * MINUTE;
  const guess = local - offsetMinutes(new Date(local), zone) * MINUTE;
  const instant = local - offsetMinutes(new Date(guess), zone) * MINUTE;
  return instant + offsetMinutes(new Date(instant), zone) * MINUTE === local ? instant : null;
}

/** Whether the structure takes no appointment of this channel on a local day (status). */
function closedByStatus(c: BookingCalendar, channel: string, isoDate: string): boolean {
  switch (c.status) {
    case 'fermee_definitivement':
      return true;
    case 'fermee_temporairement':
      return c.statusUntil === null || isoDate <= c.statusUntil;
    case 'accueil_a_distance':
      return channel === 'sur_place';
    default:
      return false;
  }
}

const inDates = (p: Plage, isoDate: string) =>
  (p.validFrom === null || p.validFrom <= isoDate) && (p.validUntil === null || isoDate <= p.validUntil);

const within = (ranges: readonly TimeRange[], start: number, end: number) =>
  ranges.some((r) => r.start <= start && end <= r.end);

/** Units (epoch ms, multiples of the unit) an agent is taken, from appointments and absences. */
function takenUnits(busy: readonly Busy[]): Map<string, Set<number>> {
  const byAgent = new Map<string, Set<number>>();
  for (const b of busy) {
    let set = byAgent.get(b.agentId);
    if (!set) {
      set = new Set();
      byAgent.set(b.agentId, set);
    }
    const first = Math.floor(b.start.getTime() / UNIT) * UNIT;
    for (let u = first; u < b.end.getTime(); u += UNIT) set.add(u);
  }
  return byAgent;
}

/** The occupancy units of a slot: what the database's unique index holds for its agent. */
export function unitsOf(start: Date, end: Date): Date[] {
  const units: Date[] = [];
  const first = Math.floor(start.getTime() / UNIT) * UNIT;
  for (let u = first; u < end.getTime(); u += UNIT) units.push(new Date(u));
  return units;
}

export function freeSlots(q: SlotRequest): Slot[] {
  return freeSlotsOfMotifs({ ...q, motifs: [q.motif] });
}

/** What does not depend on the motif for one local day (shared by every motif of a request). */
interface DayInfo {
  readonly isoDate: string;
  readonly weekday: Weekday;
  readonly opening: readonly TimeRange[];
  /** Closed all day: no opening hours, an exceptional closure or a public holiday. */
  readonly closed: boolean;
  /** The instant of local midnight when the offset holds all day (no clock change), else null. */
  readonly steady: number | null;
}

/**
 * The free slots of several motifs of one structure over one range, sorted by start then motif: the
 * same rules as `freeSlots`, with the work that does not depend on the motif (days, opening hours,
 * closures, holidays, offsets, time taken) done once. `firstAgentOnly`: a slot lists the first free agent
 * only (pages and the API show slots; booking asks for every agent to try them in turn).
 */
export function freeSlotsOfMotifs(
  q: Omit<SlotRequest, 'motif'> & {
    readonly motifs: ReadonlyArray<SlotRequest['motif']>;
    readonly firstAgentOnly?: boolean;
  },
): Slot[] {
  checkRange(q.from, q.to);
  const cal = q.calendar;
  if (cal.status === 'fermee_definitivement' || q.motifs.length === 0 || q.plages.length === 0) return [];
  const now = q.now.getTime();
  const taken = takenUnits(q.busy ?? []);
  const absences = new Map<string, Array<readonly [number, number]>>();
  for (const a of q.absences ?? []) {
    const list = absences.get(a.agentId);
    const span = [a.start.getTime(), a.end.getTime()] as const;
    if (list) list.push(span);
    else absences.set(a.agentId, [span]);
  }
  const holidays = cal.commune ? holidayZone(cal.commune) : null;
  const days = new Map<number, DayInfo>();
  const dayInfo = (day: number): DayInfo => {
    let info = days.get(day);
    if (info) return info;
    const date = new Date(day);
    const isoDate = date.toISOString().slice(0, 10);
    const weekday = WEEKDAYS[(date.getUTCDay() + 6) % 7] as Weekday;
    const opening = cal.hours.days[weekday];
    const closed =
      opening.length === 0 ||
      cal.closures.some((c) => c.from <= isoDate && isoDate <= c.to) ||
      (holidays !== null && holidaysOf(date.getUTCFullYear(), holidays).has(day / DAY));
    // One offset all day (no clock change): wall time minus that offset, without a zone lookup per slot.
    const startOffset = offsetMinutes(new Date(day - 14 * 3_600_000), cal.zone);
    const endOffset = offsetMinutes(new Date(day + DAY + 14 * 3_600_000), cal.zone);
    info = {
      isoDate,
      weekday,
      opening,
      closed,
      steady: startOffset === endOffset ? day - startOffset * MINUTE : null,
    };
    days.set(day, info);
    return info;
  };

  const all: Slot[] = [];
  for (const motif of q.motifs) {
    const lo = Math.max(q.from.getTime(), q.ignoreNotice ? now : now + motif.minNoticeMin * MINUTE);
    const hi = Math.min(q.to.getTime(), q.ignoreNotice ? q.to.getTime() : now + motif.maxNoticeDays * DAY);
    if (hi <= lo) continue;
    const byWeekday = new Map<Weekday, Plage[]>();
    for (const p of q.plages) {
      if (p.motifIds !== null && !p.motifIds.includes(motif.id)) continue;
      const list = byWeekday.get(p.weekday);
      if (list) list.push(p);
      else byWeekday.set(p.weekday, [p]);
    }
    if (byWeekday.size === 0) continue;
    const duration = motif.durationMin;
    const length = duration * MINUTE;
    const slots = new Map<number, { start: Date; end: Date; motifId: string; agentIds: string[] }>();
    const firstDay = Date.parse(`${localDate(new Date(lo), cal.zone)}T00:00:00Z`);
    const lastDay = Date.parse(`${localDate(new Date(hi), cal.zone)}T00:00:00Z`);
    for (let day = firstDay; day <= lastDay; day += DAY) {
      const weekday = WEEKDAYS[(new Date(day).getUTCDay() + 6) % 7] as Weekday;
      const dayPlages = byWeekday.get(weekday);
      if (!dayPlages) continue;
      const d = dayInfo(day);
      if (d.closed || closedByStatus(cal, motif.channel, d.isoDate)) continue;
      for (const p of dayPlages) {
        if (!inDates(p, d.isoDate)) continue;
        const agentTaken = taken.get(p.agentId);
        const agentAbsences = absences.get(p.agentId);
        for (let m = p.start; m + duration <= p.end; m += duration) {
          if (!within(d.opening, m, m + duration)) continue;
          const start = d.steady !== null ? d.steady + m * MINUTE : wallToInstant(d.isoDate, m, cal.zone);
          if (start === null || start < lo || start >= hi) continue;
          const slot = slots.get(start);
          if (slot && (q.firstAgentOnly || slot.agentIds.includes(p.agentId))) continue;
          const end = start + length;
          if (agentTaken) {
            let free = true;
            for (let u = start; u < end; u += UNIT) {
              if (agentTaken.has(u)) {
                free = false;
                break;
              }
            }
            if (!free) continue;
          }
          if (agentAbsences?.some(([a, b]) => a < end && start < b)) continue;
          if (slot) slot.agentIds.push(p.agentId);
          else
            slots.set(start, {
              start: new Date(start),
              end: new Date(end),
              motifId: motif.id,
              agentIds: [p.agentId],
            });
        }
      }
      if (q.limit !== undefined && slots.size >= q.limit) break;
    }
    for (const slot of slots.values()) all.push(slot);
  }
  return all.sort(
    (a, b) =>
      a.start.getTime() - b.start.getTime() || (a.motifId < b.motifId ? -1 : a.motifId > b.motifId ? 1 : 0),
  );
}

/** The local Monday (`YYYY-MM-DD`) of the week of an instant. */
export function mondayOf(instant: Date, zone: TimeZone): string {
  const d = wallClock(instant, zone);
  return d.minus({ days: d.weekday - 1 }).toISODate() ?? '';
}

/** A calendar date plus `n` days (`YYYY-MM-DD`, no time zone involved). */
export const addDays = (isoDate: string, n: number): string =>
  new Date(Date.parse(`${isoDate}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

/** The Monday of the week of a date given as `YYYY-MM-DD`, or null when it is not a real date. */
export function mondayOfDate(isoDate: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(isoDate)) return null;
  const d = new Date(`${isoDate}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== isoDate) return null;
  return addDays(isoDate, -((d.getUTCDay() + 6) % 7));
}

/**
 * Whether one of the motifs has a free slot the public may book between `now` and `days` days on (the
 * locator's filter): the same rules as the booking page, motif by motif, stopping at the first slot found.
 */
export function hasFreeSlotWithin(q: {
  readonly calendar: BookingCalendar;
  readonly motifs: ReadonlyArray<SlotRequest['motif']>;
  readonly plages: readonly Plage[];
  readonly absences: readonly Absence[];
  readonly busy: readonly Busy[];
  readonly now: Date;
  readonly days: number;
}): boolean {
  const to = new Date(q.now.getTime() + q.days * DAY);
  return q.motifs.some(
    (motif) =>
      freeSlotsOfMotifs({
        calendar: q.calendar,
        motifs: [motif],
        plages: q.plages,
        absences: q.absences,
        busy: q.busy,
        from: q.now,
        to,
        now: q.now,
        limit: 1,
        firstAgentOnly: true,
      }).length > 0,
  );
}
