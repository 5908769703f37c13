import { DateTime, FixedOffsetZone } from 'luxon';

/**
 * The civil time of each place in the France Services network. Time is the local time of the place
 * concerned: a structure, a bus stop or an application reads the clock of its commune. This module is
 * the only place that names a zone (a test fails if a zone name appears anywhere else in src/).
 *
 * IANA names as accepted by Node 20's ICU (checked with luxon). Sources for the offsets: the IANA
 * tz database; none of the overseas departments observes daylight saving, Saint-Pierre-et-Miquelon does.
 */
export const TIME_ZONES = [
  'Europe/Paris',
  'America/Guadeloupe',
  'America/Martinique',
  'America/Cayenne',
  'Indian/Reunion',
  'Indian/Mayotte',
  'America/Miquelon',
  'America/St_Barthelemy',
  'America/Marigot',
] as const;
export type TimeZone = (typeof TIME_ZONES)[number];

/** Metropolitan France and Corsica. Also the zone of national, place-less times (see docs/adr/0001). */
export const METROPOLITAN_ZONE: TimeZone = 'Europe/Paris';

/** Overseas departments and collectivités by their 3-character department code (INSEE). */
const OVERSEAS_ZONES: Readonly<Record<string, TimeZone>> = {
  '971': 'America/Guadeloupe',
  '972': 'America/Martinique',
  '973': 'America/Cayenne',
  '974': 'Indian/Reunion',
  '975': 'America/Miquelon', // Saint-Pierre-et-Miquelon
  '976': 'Indian/Mayotte',
  '977': 'America/St_Barthelemy',
  '978': 'America/Marigot', // Saint-Martin
};

/**
 * The zone of a place from its INSEE commune code (`97411`) or its department code (`974`, `2A`, `02`).
 * Anything that is not overseas, including an unknown or missing code, is metropolitan: every code
 * outside 97x is in Europe/Paris, so the fallback can only be wrong for an overseas place with no code.
 */
export function timeZoneOf(code: string | null | undefined): TimeZone {
  if (typeof code !== 'string') return METROPOLITAN_ZONE;
  const c = code.trim();
  return (c.startsWith('97') && OVERSEAS_ZONES[c.slice(0, 3)]) || METROPOLITAN_ZONE;
}

/** Whether times of this zone must be labelled "heure locale" for a national audience. */
export const isOverseasZone = (zone: TimeZone): boolean => zone !== METROPOLITAN_ZONE;

/** A place with a commune (a structure, a bus stop): its INSEE code and, as a fallback, its department. */
export interface Located {
  readonly codeInsee?: string | null;
  readonly departement?: string | null;
}

/** The zone of a structure or stop: its commune's, else its department's. */
export const timeZoneOfPlace = (place: Located): TimeZone =>
  timeZoneOf(place.codeInsee?.trim() ? place.codeInsee : place.departement);

// ---------------------------------------------------------------------------------------------
// Instants on a local wall clock
// ---------------------------------------------------------------------------------------------

/** An instant on the wall clock of a zone, for calendar arithmetic (luxon handles clock changes). */
export const inZone = (instant: Date, zone: TimeZone): DateTime => DateTime.fromJSDate(instant, { zone });

/** A local date and time (`2026-03-29`, `09:00`) in a zone to the instant it denotes. */
export function zonedInstant(isoDate: string, hhmm: string, zone: TimeZone): Date {
  return DateTime.fromISO(`${isoDate}T${hhmm}`, { zone }).toJSDate();
}

/**
 * A zone's UTC offset (minutes) at an instant. Clocks change on whole UTC hours in every zone we
 * serve, so one zone lookup per zone and hour is enough: the locator reads the wall clock for every
 * result, and the zone lookup is the costly part.
 */
const offsetByZoneHour = new Map<TimeZone, Map<number, number>>();
export function offsetMinutes(instant: Date, zone: TimeZone): number {
  let byHour = offsetByZoneHour.get(zone);
  if (!byHour) {
    byHour = new Map();
    offsetByZoneHour.set(zone, byHour);
  }
  const hour = Math.floor(instant.getTime() / 3_600_000);
  let offset = byHour.get(hour);
  if (offset === undefined) {
    offset = DateTime.fromMillis(hour * 3_600_000, { zone }).offset;
    if (byHour.size > 100_000) byHour.clear();
    byHour.set(hour, offset);
  }
  return offset;
}

/**
 * The wall clock of a zone at an instant, for reading and formatting only (date, weekday, hour). Do
 * not do calendar arithmetic on it across a clock change: use `inZone` for that.
 */
export const wallClock = (instant: Date, zone: TimeZone): DateTime =>
  DateTime.fromMillis(instant.getTime(), { zone: FixedOffsetZone.instance(offsetMinutes(instant, zone)) });

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const DAY_MS = 86_400_000;
/** Local day number → `YYYY-MM-DD`, and offset → `+01:00`: the parts a list of times shares. */
const dayTexts = new Map<number, string>();
const offsetTexts = new Map<number, string>();
const FIRST_MS = Date.UTC(1900, 0, 1);
const LAST_MS = Date.UTC(10_000, 0, 1);

/**
 * ISO 8601 with the local offset, e.g. `2026-03-31T09:00:00+02:00` or `2026-03-31T16:00:00+04:00`
 * (milliseconds only when there are some). Written from the cached offset and cached day texts without
 * building a luxon DateTime: a list of free slots formats thousands of them (docs/BENCHMARKS.md,
 * rendez-vous). The same text as luxon's `toISO({ suppressMilliseconds: true })` (tested), which still
 * serves outside 1900–9999.
 */
export function toLocalIso(instant: Date, zone: TimeZone): string {
  const t = instant.getTime();
  const offset = Number.isNaN(t) ? Number.NaN : offsetMinutes(instant, zone);
  const local = t + offset * 60_000;
  if (!Number.isInteger(offset) || !(local >= FIRST_MS && local < LAST_MS)) {
    return wallClock(instant, zone).toISO({ suppressMilliseconds: true, includeOffset: true }) ?? '';
  }
  const dayNumber = Math.floor(local / DAY_MS);
  let date = dayTexts.get(dayNumber);
  if (date === undefined) {
    date = new Date(dayNumber * DAY_MS).toISOString().slice(0, 10);
    if (dayTexts.size > 20_000) dayTexts.clear();
    dayTexts.set(dayNumber, date);
  }
  let suffix = offsetTexts.get(offset);
  if (suffix === undefined) {
    const abs = Math.abs(offset);
    suffix = `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
    offsetTexts.set(offset, suffix);
  }
  const inDay = local - dayNumber * DAY_MS;
  const ms = inDay % 1000;
  const time = `${pad2(Math.floor(inDay / 3_600_000))}:${pad2(Math.floor(inDay / 60_000) % 60)}:${pad2(Math.floor(inDay / 1000) % 60)}`;
  return `${date}T${time}${ms === 0 ? '' : `.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}`}${suffix}`;
}

/** `YYYY-MM-DD` of the local day an instant falls on in a zone. */
export const localDate = (instant: Date, zone: TimeZone): string =>
  wallClock(instant, zone).toISODate() ?? '';

/** `YYYY-MM` of the local month an instant falls on in a zone. */
export const localMonth = (instant: Date, zone: TimeZone): string => localDate(instant, zone).slice(0, 7);

/**
 * For figures grouped by day or month (statistics, crisis indicators): the local day and month of an
 * instant at a structure. A visit at 2026-01-31T22:00Z counts on 1 February at La Réunion (UTC+4)
 * and on 31 January in Guadeloupe (UTC−4).
 */
export function localPeriodAt(instant: Date, place: Located): { day: string; month: string } {
  const day = localDate(instant, timeZoneOfPlace(place));
  return { day, month: day.slice(0, 7) };
}

// ---------------------------------------------------------------------------------------------
// Current rules, for the iCalendar VTIMEZONE of each zone
// ---------------------------------------------------------------------------------------------

/** A yearly clock change: month, RFC 5545 BYDAY (`-1SU` last Sunday, `2SU` second) and local time. */
export interface ClockChange {
  readonly month: number;
  readonly byDay: string;
  readonly localTime: string; // HH:MM, on the clock before the change
}

export interface ZoneRule {
  readonly standardOffsetMinutes: number;
  readonly standardName: string;
  /** Daylight saving, when the zone observes it (today: metropolitan France and Saint-Pierre-et-Miquelon). */
  readonly daylight?: {
    readonly offsetMinutes: number;
    readonly name: string;
    readonly starts: ClockChange;
    readonly ends: ClockChange;
  };
}

/**
 * The rules in force (IANA tz database, 2024): the EU rule for metropolitan France, the North American
 * rule for Saint-Pierre-et-Miquelon; every other overseas zone keeps one offset all year.
 */
export const ZONE_RULES: Readonly<Record<TimeZone, ZoneRule>> = {
  'Europe/Paris': {
    standardOffsetMinutes: 60,
    standardName: 'CET',
    daylight: {
      offsetMinutes: 120,
      name: 'CEST',
      starts: { month: 3, byDay: '-1SU', localTime: '02:00' },
      ends: { month: 10, byDay: '-1SU', localTime: '03:00' },
    },
  },
  'America/Guadeloupe': { standardOffsetMinutes: -240, standardName: 'AST' },
  'America/Martinique': { standardOffsetMinutes: -240, standardName: 'AST' },
  'America/Cayenne': { standardOffsetMinutes: -180, standardName: '-03' },
  'Indian/Reunion': { standardOffsetMinutes: 240, standardName: '+04' },
  'Indian/Mayotte': { standardOffsetMinutes: 180, standardName: 'EAT' },
  'America/Miquelon': {
    standardOffsetMinutes: -180,
    standardName: '-03',
    daylight: {
      offsetMinutes: -120,
      name: '-02',
      starts: { month: 3, byDay: '2SU', localTime: '02:00' },
      ends: { month: 11, byDay: '1SU', localTime: '02:00' },
    },
  },
  'America/St_Barthelemy': { standardOffsetMinutes: -240, standardName: 'AST' },
  'America/Marigot': { standardOffsetMinutes: -240, standardName: 'AST' },
};

/**
 * A local date no place of the network has passed yet at `instant`: the UTC date minus one day (every
 * zone we serve is within UTC−4 and UTC+4). Scans over several zones start there, then filter by instant.
 */
export const earliestLocalDate = (instant: Date): string =>
  new Date(instant.getTime() - 86_400_000).toISOString().slice(0, 10);

/** A local date every place of the network has reached at `instant` or before: the UTC date plus one day. */
export const latestLocalDate = (instant: Date): string =>
  new Date(instant.getTime() + 86_400_000).toISOString().slice(0, 10);
