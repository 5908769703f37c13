import { DateTime } from 'luxon';
import { DomainError, invalid } from '../shared/errors.js';
import { holidaysOf, holidayZone } from '../shared/public-holidays.js';
import { FRENCH_MONTHS as MONTHS } from '../shared/time.js';
import { isOverseasZone, METROPOLITAN_ZONE, type TimeZone, wallClock } from '../shared/time-zone.js';
import type { ExceptionalClosure } from './structure.js';

/**
 * Weekly opening hours of a structure, and whether it is open at a given instant.
 * Minutes are counted from local midnight, on the wall clock of the structure's own zone.
 */
export const WEEKDAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  readonly start: number; // minutes since midnight, 0..1440
  readonly end: number; // > start, ≤ 1440
}

export interface WeeklyHours {
  readonly days: Readonly<Record<Weekday, readonly TimeRange[]>>;
}

const DAY_MINUTES = 1440;

// ---------------------------------------------------------------------------------------------
// One day of text <-> ranges
// ---------------------------------------------------------------------------------------------

/** A time as written in the wild: `09:00`, `9:00`, `9h00`, `9h`, `09 h 30`. */
const TIME = String.raw`(\d{1,2})(?:\s*[hH]\s*(\d{2})?|\s*:\s*(\d{2}))`;
const RANGE = new RegExp(String.raw`^${TIME}\s*(?:-|à)\s*${TIME}$`);
/** Separators between ranges: `/`, `,`, `;`, ` et `. */
const SEPARATOR = /\s*(?:\/|,|;|\s+et\s+)\s*/i;

const pad = (n: number) => String(n).padStart(2, '0');
const formatMinutes = (m: number) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
const formatRange = (r: TimeRange) => `${formatMinutes(r.start)} - ${formatMinutes(r.end)}`;

/** Back to the official format, `09:00 - 12:00 / 13:30 - 17:00`; `''` when closed. */
export function formatDayHours(ranges: readonly TimeRange[]): string {
  return ranges.map(formatRange).join(' / ');
}

/**
 * Parses one day of the official open-data format, `09:00 - 12:00 / 13:30 - 17:00`, tolerating
 * real-world notation (`9h00-12h`, en-dash, `,` `;` ` et ` separators, extra spaces).
 *
 * Blank text, and the official `00:00 - 00:00`, mean closed that day (`[]`, silently). The result is
 * normalised: sorted, overlapping or touching ranges merged, other zero-length ranges dropped; each
 * such change, and any rewriting of the notation, is listed in French in `changes`.
 * Throws `invalid(field, …)` on unreadable text, impossible times, or a range ending before it starts.
 */
export function parseDayHours(
  text: string | null | undefined,
  field = 'horaires',
): { ranges: TimeRange[]; changes: string[] } {
  if (text === null || text === undefined) return { ranges: [], changes: [] };
  if (typeof text !== 'string') throw invalid(field, 'Les horaires doivent être un texte.');
  const trimmed = text.trim();
  if (trimmed === '') return { ranges: [], changes: [] };

  const cleaned = trimmed.replace(/[\u2010-\u2015\u2212]/g, '-').replace(/\s+/g, ' ');
  const written: TimeRange[] = cleaned.split(SEPARATOR).map((part) => parseRange(part, trimmed, field));

  const changes: string[] = [];
  if (formatDayHours(written) !== trimmed) {
    changes.push(`Écriture normalisée : « ${trimmed} » devient « ${formatDayHours(written)} »`);
  }
  const kept = written.filter((r) => {
    if (r.end > r.start) return true;
    if (r.start !== 0) changes.push(`Plage de durée nulle ignorée : ${formatRange(r)}`);
    return false;
  });
  const sorted = [...kept].sort((a, b) => a.start - b.start || a.end - b.end);
  // Reported when a range starts before the one written above it (ties are merged, not reordered).
  if (kept.some((r, i) => i > 0 && r.start < (kept[i - 1]?.start ?? 0)))
    changes.push('Plages remises dans l’ordre');

  const ranges: TimeRange[] = [];
  let group: { start: number; end: number; overlap: boolean; count: number } | null = null;
  const flush = () => {
    if (!group) return;
    const range = { start: group.start, end: group.end };
    if (group.count > 1) {
      const what = group.overlap ? 'Plages qui se chevauchent fusionnées' : 'Plages contiguës fusionnées';
      changes.push(`${what} : ${formatRange(range)}`);
    }
    ranges.push(range);
  };
  for (const r of sorted) {
    if (group && r.start <= group.end) {
      group.overlap ||= r.start < group.end;
      group.end = Math.max(group.end, r.end);
      group.count += 1;
    } else {
      flush();
      group = { start: r.start, end: r.end, overlap: false, count: 1 };
    }
  }
  flush();
  return { ranges, changes };
}

function parseRange(part: string, text: string, field: string): TimeRange {
  const m = RANGE.exec(part);
  if (!m) {
    throw invalid(
      field,
      `Horaires illisibles : « ${text} » (attendu par exemple « 09:00 - 12:00 / 13:30 - 17:00 »).`,
    );
  }
  const start = toMinutes(m[1], m[2] ?? m[3], text, field);
  const end = toMinutes(m[4], m[5] ?? m[6], text, field);
  if (start === DAY_MINUTES) throw invalid(field, `Une plage ne peut pas commencer à 24:00 : « ${text} ».`);
  if (end < start) {
    throw invalid(
      field,
      `Plage horaire inversée dans « ${text} » : ${formatMinutes(start)} - ${formatMinutes(end)} (la fin précède le début).`,
    );
  }
  return { start, end };
}

function toMinutes(hours: string | undefined, minutes: string | undefined, text: string, field: string) {
  const h = Number(hours);
  const m = minutes === undefined ? 0 : Number(minutes);
  if (h > 24 || m > 59 || (h === 24 && m > 0)) {
    throw invalid(field, `Heure impossible ${pad(h)}:${pad(m)} dans « ${text} ».`);
  }
  return h * 60 + m;
}

// ---------------------------------------------------------------------------------------------
// A week
// ---------------------------------------------------------------------------------------------

export const CLOSED_WEEK: WeeklyHours = Object.freeze({
  days: Object.freeze(
    Object.fromEntries(WEEKDAYS.map((d) => [d, Object.freeze([])])) as unknown as Record<
      Weekday,
      TimeRange[]
    >,
  ),
});

/**
 * Builds a week from one text per day (missing days are closed). A parse error names the field
 * `horaires.<jour>` and the day; an unknown day name is an error too, rather than silently closed.
 */
export function weeklyHoursFromText(days: Partial<Record<Weekday, string | null | undefined>>): {
  hours: WeeklyHours;
  changes: { day: Weekday; message: string }[];
} {
  for (const key of Object.keys(days)) {
    if (!(WEEKDAYS as readonly string[]).includes(key)) {
      throw invalid('horaires', `Jour inconnu « ${key} » (attendu : ${WEEKDAYS.join(', ')}).`);
    }
  }
  const result = {} as Record<Weekday, readonly TimeRange[]>;
  const changes: { day: Weekday; message: string }[] = [];
  for (const day of WEEKDAYS) {
    const field = `horaires.${day}`;
    let parsed: { ranges: TimeRange[]; changes: string[] };
    try {
      parsed = parseDayHours(days[day], field);
    } catch (e) {
      throw e instanceof DomainError ? invalid(field, `${capitalise(day)} : ${e.message}`) : e;
    }
    result[day] = parsed.ranges;
    for (const message of parsed.changes) changes.push({ day, message });
  }
  return { hours: { days: result }, changes };
}

/** Sorted union of possibly unnormalised ranges (WeeklyHours may be built without the parser). */
function union(ranges: readonly TimeRange[]): TimeRange[] {
  const out: { start: number; end: number }[] = [];
  for (const r of [...ranges].sort((a, b) => a.start - b.start)) {
    if (r.end <= r.start) continue;
    const last = out[out.length - 1];
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else out.push({ start: r.start, end: r.end });
  }
  return out;
}

/** Opening hours per week, each day's ranges counted once where they overlap (e.g. 24.5). */
export function weeklyTotalHours(hours: WeeklyHours): number {
  let minutes = 0;
  for (const day of WEEKDAYS) for (const r of union(hours.days[day])) minutes += r.end - r.start;
  return minutes / 60;
}

/** Days with at least one (non-empty) opening range. */
export function openDaysCount(hours: WeeklyHours): number {
  return WEEKDAYS.filter((d) => union(hours.days[d]).length > 0).length;
}

// ---------------------------------------------------------------------------------------------
// Open now
// ---------------------------------------------------------------------------------------------

export interface OpeningState {
  open: boolean;
  closesAt: Date | null;
  opensAt: Date | null;
  closure: ExceptionalClosure | null;
  /** The public holiday of the local day of `at` at the structure's commune, if any (closed all day). */
  holiday?: string | null;
  /** The zone the times are read in; metropolitan when absent. */
  zone?: TimeZone;
}

/**
 * Where the hours are kept: the zone of the wall clock, and the commune whose public holidays close
 * the structure all day. Without a commune, holidays are not applied (a bare timetable).
 */
export interface OpeningPlace {
  readonly zone: TimeZone;
  readonly commune?: string | null;
}
const METROPOLITAN: OpeningPlace = { zone: METROPOLITAN_ZONE };

/** The weekday of an instant on the wall clock of a zone. */
export function localWeekday(at: Date, zone: TimeZone): Weekday {
  return WEEKDAYS[wallClock(at, zone).weekday - 1] as Weekday;
}

const HORIZON_DAYS = 14;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const MINUTE = 60_000;

/** One local calendar day: its date, and its UTC offsets at the midnights that open and close it. */
interface LocalDay {
  readonly zone: TimeZone;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly isoDate: string;
  readonly dayNumber: number; // days since 1970-01-01, the holiday calendar's key
  readonly weekday: Weekday;
  readonly startOffset: number; // minutes east of UTC at 00:00
  readonly endOffset: number; // minutes east of UTC at the next 00:00
}

/** UTC offset (minutes) at local midnight of a UTC-encoded calendar date in a zone; memoised, it never changes. */
const midnightOffsetsByZone = new Map<TimeZone, Map<number, number>>();
function midnightOffset(date: Date, zone: TimeZone): number {
  let midnightOffsets = midnightOffsetsByZone.get(zone);
  if (!midnightOffsets) {
    midnightOffsets = new Map();
    midnightOffsetsByZone.set(zone, midnightOffsets);
  }
  const key = date.getTime();
  let offset = midnightOffsets.get(key);
  if (offset === undefined) {
    offset = DateTime.fromObject(
      { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() },
      { zone },
    ).offset;
    if (midnightOffsets.size > 10_000) midnightOffsets.clear();
    midnightOffsets.set(key, offset);
  }
  return offset;
}

/** The local day `k` calendar days after the date `y-m-d` (calendar arithmetic on dates, not instants). */
function localDay(zone: TimeZone, year: number, month: number, day: number, k: number): LocalDay {
  const date = new Date(Date.UTC(year, month - 1, day + k));
  return {
    zone,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    isoDate: date.toISOString().slice(0, 10),
    dayNumber: date.getTime() / 86_400_000,
    weekday: WEEKDAYS[(date.getUTCDay() + 6) % 7] as Weekday,
    startOffset: midnightOffset(date, zone),
    endOffset: midnightOffset(new Date(Date.UTC(year, month - 1, day + k + 1)), zone),
  };
}

/**
 * The instant a local wall-clock time of a given day denotes. On an ordinary day, the wall clock minus
 * the day's single offset. On the spring-forward day a time in the missing hour denotes the first
 * instant the clock shows a later time (03:00). On the fall-back day a time that happens twice
 * denotes its first occurrence for a start and its second one for an end, so that a range covers
 * every instant whose wall-clock time lies inside it (02:00-03:00 then lasts 2 hours).
 */
function wallInstant(d: LocalDay, minutes: number, edge: 'start' | 'end'): number {
  const midnightUtc = Date.UTC(d.year, d.month - 1, d.day);
  if (minutes === DAY_MINUTES) return midnightUtc + (DAY_MINUTES - d.endOffset) * MINUTE;
  if (d.startOffset === d.endOffset) return midnightUtc + (minutes - d.startOffset) * MINUTE;
  for (let m = minutes; m < minutes + 180; m += 1) {
    const dt = DateTime.fromObject(
      { year: d.year, month: d.month, day: d.day, hour: Math.floor(m / 60), minute: m % 60 },
      { zone: d.zone },
    );
    if (dt.hour * 60 + dt.minute !== m) continue; // inside the spring-forward gap: try the next minute
    const all = dt.getPossibleOffsets().map((o) => o.toMillis());
    return edge === 'start' ? Math.min(...all) : Math.max(...all);
  }
  /* c8 ignore next */
  throw new Error('unreachable: no clock-change gap lasts 3 hours');
}

function closureOn(isoDate: string, closures: readonly ExceptionalClosure[]): ExceptionalClosure | null {
  return closures.find((c) => c.from <= isoDate && isoDate <= c.to) ?? null;
}

/**
 * Whether a structure is open at `at`, on the wall clock of its zone, with exceptional closures (whole
 * local days, inclusive) and, when the place names a commune, its public holidays (closed all day)
 * taken into account.
 * - `closesAt`: when open, the end of the current continuous opening. Ranges that touch across
 *   midnight (…-24:00 then 00:00-…) are merged; `null` if it does not close within 14 days.
 * - `opensAt`: when closed, the next opening within 14 days (`at` + 14 days), closures skipped; else `null`.
 * - `closure`: the closure in force on the local day of `at`, if any; `holiday`: likewise.
 * Days are looked at one by one and only as far as needed (usually one or two).
 */
export function openingState(
  hours: WeeklyHours,
  at: Date,
  closures: readonly ExceptionalClosure[] = [],
  place: OpeningPlace = METROPOLITAN,
): OpeningState {
  for (const c of closures) {
    if (!ISO_DATE.test(c.from) || !ISO_DATE.test(c.to)) {
      throw invalid('fermetures', `Dates de fermeture invalides : « ${c.from} » – « ${c.to} » (AAAA-MM-JJ).`);
    }
  }
  const now = at.getTime();
  if (Number.isNaN(now)) throw invalid('date', 'Date invalide.');
  const zone = place.zone;
  const holidays = place.commune === undefined || place.commune === null ? null : holidayZone(place.commune);
  const holidayOf = (d: LocalDay) =>
    holidays === null ? undefined : holidaysOf(d.year, holidays).get(d.dayNumber);
  const local = wallClock(at, zone);
  const today = localDay(zone, local.year, local.month, local.day, 0);
  const closure = closureOn(today.isoDate, closures);
  const holiday = holidayOf(today) ?? null;
  const state = (open: boolean, closesAt: Date | null, opensAt: Date | null): OpeningState => ({
    open,
    closesAt,
    opensAt,
    closure,
    holiday,
    zone,
  });

  // The current opening, [start, end) instants, extended while the next range touches it.
  let current: { start: number; end: number } | null = null;
  for (let k = 0; k <= HORIZON_DAYS; k += 1) {
    const day = localDay(zone, local.year, local.month, local.day, k);
    const closed = closureOn(day.isoDate, closures) || holidayOf(day) !== undefined;
    const ranges = closed ? [] : union(hours.days[day.weekday]);
    for (const r of ranges) {
      const start = wallInstant(day, r.start, 'start');
      const end = wallInstant(day, r.end, 'end');
      if (end <= start) continue; // a range wholly inside the spring-forward gap
      if (current) {
        if (start > current.end) break;
        current.end = Math.max(current.end, end);
      } else if (start <= now && now < end) {
        current = { start, end };
      } else if (start > now) {
        // Only an opening on day 14 can fall after the horizon, the same wall-clock time 14 days on.
        const beyond = k === HORIZON_DAYS && start > local.plus({ days: HORIZON_DAYS }).toMillis();
        const opensAt = beyond ? null : new Date(start);
        return state(false, null, opensAt);
      }
    }
    if (current && current.end < wallInstant(day, DAY_MINUTES, 'end')) {
      return state(true, new Date(current.end), null);
    }
  }
  // Still open at the end of the horizon: no known closing time.
  if (current) return state(true, null, null);
  return state(false, null, null);
}

const DAY_NAMES = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Local calendar days from `a` to `b` (0 = same day), DST-proof. */
function daysBetween(a: DateTime, b: DateTime): number {
  const utcDay = (d: DateTime) => Date.UTC(d.year, d.month - 1, d.day);
  return Math.round((utcDay(b) - utcDay(a)) / 86_400_000);
}

/** `à 09:00`, `demain à 09:00`, `mardi à 09:00`, `le lundi 4 mai à 09:00`, relative to `at`. */
function when(instant: Date, at: Date, zone: TimeZone): string {
  const from = wallClock(at, zone);
  const t = wallClock(instant, zone);
  const time = `à ${pad(t.hour)}:${pad(t.minute)}`;
  const days = daysBetween(from, t);
  if (days <= 0) return time;
  if (days === 1) return t.hour === 0 && t.minute === 0 ? 'à minuit' : `demain ${time}`;
  const weekday = DAY_NAMES[t.weekday - 1];
  if (days <= 6) return `${weekday} ${time}`;
  return `le ${weekday} ${t.day === 1 ? '1er' : t.day} ${MONTHS[t.month - 1]} ${time}`;
}

/**
 * The sentence of the public list: `Ouvert maintenant · ferme à 17:00`, `Fermé · ouvre à 13:30`,
 * `Fermé · ouvre demain à 09:00`, `Fermé · ouvre mardi à 09:00`, `Fermé · ouvre le lundi 4 mai à 09:00`,
 * `Fermé · pas d’ouverture prévue`; on a public holiday `Fermé (jour férié : Noël) · ouvre …`. Times are
 * read in the state's zone (the page adds "heure locale" for an overseas structure).
 */
export function describeOpeningState(state: OpeningState, at: Date): string {
  const zone = state.zone ?? METROPOLITAN_ZONE;
  const local = isOverseasZone(zone) ? ' (heure locale)' : '';
  if (state.open) {
    return state.closesAt
      ? `Ouvert maintenant · ferme ${when(state.closesAt, at, zone)}${local}`
      : 'Ouvert maintenant';
  }
  const closed = state.holiday ? `Fermé (jour férié : ${state.holiday})` : 'Fermé';
  return state.opensAt
    ? `${closed} · ouvre ${when(state.opensAt, at, zone)}${local}`
    : `${closed} · pas d’ouverture prévue`;
}
