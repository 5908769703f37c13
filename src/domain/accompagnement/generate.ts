import { DateTime } from 'luxon';
import type { TimeRange, Weekday } from '../directory/opening-hours.js';
import { publicHolidays } from '../mobile/index.js';
import { seededRandom } from '../shared/seeded-random.js';
import { METROPOLITAN_ZONE } from '../shared/time-zone.js';
import type { Demarche } from './catalogue.js';
import type { Canal, Partenaire, Resultat, TrancheAge } from './codes.js';
import { EXCHANGE_COLUMNS } from './exchange-csv.js';
import { zoneOfStructure } from './local-time.js';

/**
 * A realistic SYNTHETIC year of accompaniments, for benchmarks and demonstrations only: never real
 * figures. Seeded, so one seed always gives the same file.
 *
 * - partner shares close to the published 2023 ones (ANTS, CAF, Assurance maladie, DGFiP each 15–19 %);
 * - the income-tax declaration season: DGFiP requests weigh about 2.5 times more in May;
 * - starts only within the structure's opening hours, on open days (no public holiday);
 * - a channel mix and durations by channel close to what agents report (counter first, phone next).
 */
export interface GeneratorStructure {
  readonly idFs: string;
  readonly communeInsee: string;
  readonly mobile: boolean;
  readonly hours: Readonly<Record<Weekday, readonly TimeRange[]>>;
}

export const PARTNER_WEIGHTS: ReadonlyArray<readonly [Partenaire, number]> = [
  ['ants', 18],
  ['caf', 17],
  ['assurance_maladie', 16],
  ['dgfip', 16],
  ['france_travail', 9],
  ['assurance_retraite', 9],
  ['la_poste', 3],
  ['msa', 3],
  ['justice', 3],
  ['autre', 6],
];
/** DGFiP weight per month (Jan = 0): the May tax season, quieter in summer; the year averages 1. */
const DGFIP_SEASON = [0.85, 0.85, 0.9, 1.2, 2.5, 0.95, 0.7, 0.5, 0.85, 0.9, 0.9, 0.85];
/** Monthly volume (Jan = 0): August is quiet, autumn busy. */
const MONTH_VOLUME = [1, 1, 1.05, 1, 1.05, 1, 0.85, 0.6, 1.05, 1.1, 1.05, 0.9];
const CHANNELS_FIXED: ReadonlyArray<readonly [Canal, number]> = [
  ['guichet', 76],
  ['telephone', 16],
  ['courriel', 5],
  ['visio', 3],
];
const CHANNELS_BUS: ReadonlyArray<readonly [Canal, number]> = [
  ['bus', 88],
  ['telephone', 9],
  ['courriel', 3],
];
/** Median minutes by channel; durations are log-normal around it. */
const MEDIAN_MINUTES: Record<Canal, number> = { guichet: 22, bus: 25, telephone: 10, courriel: 8, visio: 20 };
const RESULTS: ReadonlyArray<readonly [Resultat, number]> = [
  ['resolu', 62],
  ['oriente', 14],
  ['rendez_vous', 10],
  ['escalade', 5],
  ['sans_suite', 9],
];
const AGES: ReadonlyArray<readonly [TrancheAge, number]> = [
  ['moins_25', 12],
  ['25_39', 24],
  ['40_59', 28],
  ['60_74', 20],
  ['75_plus', 9],
  ['inconnu', 7],
];
const WEEKDAY_NAMES: readonly Weekday[] = [
  'lundi',
  'mardi',
  'mercredi',
  'jeudi',
  'vendredi',
  'samedi',
  'dimanche',
];

export { seededRandom };

function pick<T>(random: () => number, weighted: ReadonlyArray<readonly [T, number]>): T {
  const total = weighted.reduce((s, [, w]) => s + w, 0);
  let r = random() * total;
  for (const [v, w] of weighted) {
    r -= w;
    if (r < 0) return v;
  }
  return (weighted[weighted.length - 1] as readonly [T, number])[0];
}

function uuidFrom(random: () => number): string {
  const hex: string[] = [];
  for (let i = 0; i < 32; i++) hex.push(Math.floor(random() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Number.parseInt(hex[16] as string, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export interface GenerateOptions {
  readonly records: number;
  readonly year: number;
  readonly seed: number;
  /** Nothing is generated after this instant (a record cannot start in the future). */
  readonly notAfter: Date;
}

/** Rows of the exchange CSV (values in EXCHANGE_COLUMNS order), one at a time: constant memory. */
export function* generateRecords(
  structures: readonly GeneratorStructure[],
  catalogue: readonly Demarche[],
  options: GenerateOptions,
): Generator<string[]> {
  const open = structures.filter((s) => WEEKDAY_NAMES.some((d) => (s.hours[d] ?? []).length > 0));
  if (open.length === 0) return;
  const random = seededRandom(options.seed);
  const byPartner = new Map<Partenaire, Demarche[]>();
  for (const d of catalogue) byPartner.set(d.partenaire, [...(byPartner.get(d.partenaire) ?? []), d]);
  const lastDay = DateTime.fromJSDate(options.notAfter, { zone: METROPOLITAN_ZONE }).toISODate() ?? '';
  const holidays = new Map<string, Set<string>>();
  const holidaySet = (commune: string) => {
    let set = holidays.get(commune.slice(0, 3));
    if (!set) {
      set = new Set(publicHolidays(options.year, commune).map((h) => h.date));
      holidays.set(commune.slice(0, 3), set);
    }
    return set;
  };
  const months = MONTH_VOLUME.map((w, i) => [i, w] as const);
  const partnersByMonth = DGFIP_SEASON.map((factor) =>
    PARTNER_WEIGHTS.map(([p, w]) => [p, p === 'dgfip' ? w * factor : w] as const),
  );

  let produced = 0;
  let attempts = 0;
  while (produced < options.records && attempts < options.records * 50) {
    attempts++;
    const structure = open[Math.floor(random() * open.length)] as GeneratorStructure;
    const month = pick(random, months);
    const daysInMonth = DateTime.local(options.year, month + 1).daysInMonth ?? 28;
    const dayNumber = 1 + Math.floor(random() * daysInMonth);
    const date = DateTime.local(options.year, month + 1, dayNumber);
    const iso = date.toISODate() ?? '';
    if (iso > lastDay) continue;
    const ranges = structure.hours[WEEKDAY_NAMES[date.weekday - 1] as Weekday] ?? [];
    if (ranges.length === 0 || holidaySet(structure.communeInsee).has(iso)) continue;
    const range = ranges[Math.floor(random() * ranges.length)] as TimeRange;
    const canal = pick(random, structure.mobile ? CHANNELS_BUS : CHANNELS_FIXED);
    // Log-normal duration around the channel's median, within 1–480 and within the opening range.
    const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const duree = Math.max(1, Math.min(480, Math.round(MEDIAN_MINUTES[canal] * Math.exp(0.55 * gaussian))));
    const latestStart = Math.max(range.start, range.end - Math.min(duree, range.end - range.start));
    const startMinute = range.start + Math.floor(random() * (latestStart - range.start + 1));
    const zone = zoneOfStructure(structure.communeInsee);
    const debut = DateTime.fromObject(
      {
        year: options.year,
        month: month + 1,
        day: dayNumber,
        hour: Math.floor(startMinute / 60),
        minute: startMinute % 60,
      },
      { zone },
    );
    if (debut.toJSDate().getTime() > options.notAfter.getTime()) continue;
    const partenaire = pick(random, partnersByMonth[month] as ReadonlyArray<readonly [Partenaire, number]>);
    const demarches = byPartner.get(partenaire) ?? [];
    const demarche =
      demarches.length > 0 && random() < 0.8
        ? (demarches[Math.floor(random() * demarches.length)] as Demarche).code
        : '';
    const row: Record<(typeof EXCHANGE_COLUMNS)[number], string> = {
      id: uuidFrom(random),
      id_fs: structure.idFs,
      debut: debut.toISO({ suppressMilliseconds: true }) ?? '',
      duree_min: String(duree),
      canal,
      partenaire,
      demarche,
      resultat: pick(random, RESULTS),
      tranche_age: pick(random, AGES),
      commune_usager: random() < 0.6 ? structure.communeInsee : '',
    };
    produced++;
    yield EXCHANGE_COLUMNS.map((c) => row[c]);
  }
}
