/**
 * French public holidays (jours fériés) per commune: the one calendar used by buses, open-now, business-hour
 * deadlines and appointments.
 *
 * - Everywhere (Code du travail, art. L3133-1): 1 January, Easter Monday, 1 May, 8 May, Ascension,
 *   Whit Monday, 14 July, 15 August, 1 November, 11 November, 25 December.
 * - Alsace-Moselle (departments 57, 67, 68; Code du travail, art. L3134-13): Good Friday and 26 December.
 * - Overseas: the commemoration of the abolition of slavery (loi n° 83-550 du 30 juin 1983; Code du travail,
 *   art. L3422-2), on the date fixed for each territory by décret n° 83-1003 du 23 novembre 1983, art. 1,
 *   as amended by décret n° 2012-553 du 23 avril 2012 (which added Saint-Barthélemy and Saint-Martin):
 *   Guadeloupe 27 May, Guyane 10 June, Martinique 22 May, Mayotte 27 April, La Réunion 20 December,
 *   Saint-Barthélemy 9 October, Saint-Martin 27 May in that text, observed on 28 May since 2018 (deliberation
 *   of the conseil territorial of 5 November 2015, applied by the prefecture under L3422-2).
 *   Saint-Pierre-et-Miquelon has no such day.
 * The dates are to be checked against Légifrance whenever a text changes; the tests pin them.
 */
import { invalid } from './errors.js';

/** A calendar day as an integer: days since 1970-01-01, no time zone (the same numbering as the bus calendar). */
export type CalendarDay = number;

export interface Holiday {
  readonly date: string; // YYYY-MM-DD
  readonly name: string;
}

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export const calendarDay = (y: number, month: number, d: number): CalendarDay =>
  Date.UTC(y, month - 1, d) / MS_PER_DAY;
const isoOf = (day: CalendarDay): string => new Date(day * MS_PER_DAY).toISOString().slice(0, 10);

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): CalendarDay {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return calendarDay(year, month, day);
}

const ALSACE_MOSELLE = new Set(['57', '67', '68']);

/** The abolition day [month, day] by territory code (see the header for the texts). */
const ABOLITION: Readonly<Record<string, readonly [number, number]>> = {
  '971': [5, 27], // Guadeloupe
  '972': [5, 22], // Martinique
  '973': [6, 10], // Guyane
  '974': [12, 20], // La Réunion
  '976': [4, 27], // Mayotte
  '977': [10, 9], // Saint-Barthélemy
  '978': [5, 28], // Saint-Martin
};

const COMMUNE = /^(?:\d{2}|2[AB])\d{3}$/;
const DEPARTEMENT = /^(?:\d{2}|2[AB]|97\d)$/;

/**
 * The holiday calendar a commune (INSEE code) or department code follows: '57', '974', …, or '' for the
 * national list only (also for a missing or unreadable code).
 */
const zoneByCode = new Map<string, string>(); // memoised: the locator asks it for every result
export function holidayZone(code: string | null | undefined): string {
  if (typeof code !== 'string') return '';
  let zone = zoneByCode.get(code);
  if (zone === undefined) {
    const c = code.trim().toUpperCase();
    zone = COMMUNE.test(c)
      ? c.startsWith('97')
        ? c.slice(0, 3)
        : c.slice(0, 2)
      : DEPARTEMENT.test(c)
        ? c
        : '';
    if (zoneByCode.size > 100_000) zoneByCode.clear();
    zoneByCode.set(code, zone);
  }
  return zone;
}

function holidayDays(year: number, zone: string): Array<[CalendarDay, string]> {
  const easter = easterSunday(year);
  const list: Array<[CalendarDay, string]> = [
    [calendarDay(year, 1, 1), 'Jour de l’an'],
    [easter + 1, 'Lundi de Pâques'],
    [calendarDay(year, 5, 1), 'Fête du Travail'],
    [calendarDay(year, 5, 8), 'Victoire 1945'],
    [easter + 39, 'Ascension'],
    [easter + 50, 'Lundi de Pentecôte'],
    [calendarDay(year, 7, 14), 'Fête nationale'],
    [calendarDay(year, 8, 15), 'Assomption'],
    [calendarDay(year, 11, 1), 'Toussaint'],
    [calendarDay(year, 11, 11), 'Armistice 1918'],
    [calendarDay(year, 12, 25), 'Noël'],
  ];
  if (ALSACE_MOSELLE.has(zone)) {
    list.push([easter - 2, 'Vendredi saint'], [calendarDay(year, 12, 26), 'Saint-Étienne']);
  }
  const ab = ABOLITION[zone];
  if (ab) list.push([calendarDay(year, ab[0], ab[1]), 'Abolition de l’esclavage']);
  return list.sort((a, b) => a[0] - b[0]);
}

/**
 * The holidays of one year in one holiday zone (see `holidayZone`), as day number → name; memoised per
 * zone and year (the bus expansion asks this for 80,000 dates, the locator for every result).
 */
const cache = new Map<string, Map<number, Map<CalendarDay, string>>>();
export function holidaysOf(year: number, zone: string): Map<CalendarDay, string> {
  let byYear = cache.get(zone);
  if (!byYear) {
    byYear = new Map();
    cache.set(zone, byYear);
  }
  let days = byYear.get(year);
  if (!days) {
    days = new Map(holidayDays(year, zone));
    if (byYear.size > 1_000) byYear.clear();
    byYear.set(year, days);
  }
  return days;
}

/** The public holidays of a year in a commune (INSEE code) or department, sorted by date. */
export function publicHolidays(year: number, commune?: string | null): Holiday[] {
  if (!Number.isInteger(year) || year < 1583 || year > 9999) {
    throw invalid('annee', `Année invalide : ${year} (entre 1583 et 9999).`);
  }
  return holidayDays(year, holidayZone(commune)).map(([d, name]) => ({ date: isoOf(d), name }));
}

/** The name of the holiday on a local date (`YYYY-MM-DD`) in a commune, or undefined. */
export function holidayOn(isoDate: string, commune: string | null | undefined): string | undefined {
  const m = ISO_DATE.exec(isoDate);
  if (!m) return undefined;
  const y = Number(m[1]);
  return holidaysOf(y, holidayZone(commune)).get(calendarDay(y, Number(m[2]), Number(m[3])));
}

/** The name of the holiday on a day number in a commune, or undefined. */
export function holidayName(
  day: CalendarDay,
  year: number,
  commune: string | null | undefined,
): string | undefined {
  return holidaysOf(year, holidayZone(commune)).get(day);
}
