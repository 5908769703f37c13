import { type CodeInsee, departementOfCommune, isCodeInsee } from '../shared/insee.js';
import { type Day, dayOf, formatDay } from './days.js';

/**
 * French public holidays (jours fériés, Code du travail L3133-1), per commune:
 * - everywhere: 1 January, Easter Monday, 1 May, 8 May, Ascension, Whit Monday, 14 July,
 *   15 August, 1 November, 11 November, 25 December;
 * - Alsace-Moselle (departments 57, 67, 68; local law, L3134-13): Good Friday and 26 December;
 * - overseas departments: the day commemorating the abolition of slavery (décret 83-1003).
 */
export interface Holiday {
  readonly date: string; // YYYY-MM-DD
  readonly name: string;
}

/** Gregorian Easter Sunday (anonymous Gregorian algorithm, Meeus/Jones/Butcher). */
export function easterSunday(year: number): Day {
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
  return dayOf(year, month, day);
}

const ALSACE_MOSELLE = new Set(['57', '67', '68']);
const ABOLITION: Record<string, [number, number]> = {
  '971': [5, 27], // Guadeloupe
  '972': [5, 22], // Martinique
  '973': [6, 10], // Guyane
  '974': [12, 20], // La Réunion
  '976': [4, 27], // Mayotte
};

/** The department key of a commune code, or '' when the code is not an INSEE code (national set only). */
function departement(commune: string | undefined): string {
  return commune !== undefined && isCodeInsee(commune) ? departementOfCommune(commune as CodeInsee) : '';
}

function holidayDays(year: number, dep: string): Array<[Day, string]> {
  const easter = easterSunday(year);
  const list: Array<[Day, string]> = [
    [dayOf(year, 1, 1), 'Jour de l’an'],
    [easter + 1, 'Lundi de Pâques'],
    [dayOf(year, 5, 1), 'Fête du Travail'],
    [dayOf(year, 5, 8), 'Victoire 1945'],
    [easter + 39, 'Ascension'],
    [easter + 50, 'Lundi de Pentecôte'],
    [dayOf(year, 7, 14), 'Fête nationale'],
    [dayOf(year, 8, 15), 'Assomption'],
    [dayOf(year, 11, 1), 'Toussaint'],
    [dayOf(year, 11, 11), 'Armistice 1918'],
    [dayOf(year, 12, 25), 'Noël'],
  ];
  if (ALSACE_MOSELLE.has(dep)) {
    list.push([easter - 2, 'Vendredi saint'], [dayOf(year, 12, 26), 'Saint-Étienne']);
  }
  const ab = ABOLITION[dep];
  if (ab) list.push([dayOf(year, ab[0], ab[1]), 'Abolition de l’esclavage']);
  return list.sort((a, b) => a[0] - b[0]);
}

/** The public holidays of a year in a commune (INSEE code). */
export function publicHolidays(year: number, commune?: string): Holiday[] {
  return holidayDays(year, departement(commune)).map(([d, name]) => ({ date: formatDay(d), name }));
}

/**
 * A fast membership test for expansion: the holiday days of a commune over a range of years,
 * memoised per department and year (the benchmark asks this for 80,000 dates).
 */
const cache = new Map<string, Map<Day, string>>();
export function holidaysOf(year: number, dep: string): Map<Day, string> {
  const key = `${dep}:${year}`;
  let set = cache.get(key);
  if (!set) {
    set = new Map(holidayDays(year, dep));
    cache.set(key, set);
  }
  return set;
}

export { departement as holidayZone };

export function holidayName(day: Day, year: number, commune: string | undefined): string | undefined {
  return holidaysOf(year, departement(commune)).get(day);
}
