import { DateTime } from 'luxon';
import { invalid } from '../shared/errors.js';

/** Statistics of accompaniments over a territory and a range of local days (issue 12, section 4). */
export const STATS_DIMENSIONS = ['partenaire', 'canal', 'resultat', 'mois', 'demarche'] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];
/** Ten years of days at most: the work of one query stays bounded. */
export const STATS_MAX_DAYS = 3660;

export type StatsTerritory =
  | { readonly kind: 'FR'; readonly code: 'FR' }
  | { readonly kind: 'reg' | 'dep'; readonly code: string; readonly value: string }
  | { readonly kind: 'structure'; readonly code: string; readonly value: string };

/** Collectivités d'outre-mer (975, 977, 978, 98x): outside the programme, as for coverage. 976 is Mayotte. */
export const isCom = (departement: string) =>
  /^9[78]\d$/.test(departement) && Number(departement) >= 975 && departement !== '976';

export function parseStatsTerritory(input: unknown): StatsTerritory {
  const raw = typeof input === 'string' ? input.trim() : '';
  if (raw.toUpperCase() === 'FR') return { kind: 'FR', code: 'FR' };
  const m = /^(reg|dep|structure):([0-9A-Za-z_.-]{1,64})$/.exec(raw);
  if (!m)
    throw invalid(
      'territory',
      `Territoire illisible : « ${raw.slice(0, 40)} » (attendu FR, reg:32, dep:02 ou structure:<id_fs>).`,
    );
  const kind = m[1] as 'reg' | 'dep' | 'structure';
  const value = kind === 'structure' ? (m[2] as string) : (m[2] as string).toUpperCase();
  if (kind === 'dep' && isCom(value))
    throw invalid('territory', `Le territoire ${value} est une collectivité d’outre-mer, hors du programme.`);
  return { kind, code: `${kind}:${value}`, value };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export function parseStatsRange(from: unknown, to: unknown): { from: string; to: string } {
  const check = (v: unknown, field: string) => {
    if (typeof v !== 'string' || !DAY.test(v) || !DateTime.fromISO(v).isValid)
      throw invalid(field, 'Date invalide : AAAA-MM-JJ attendu (ex. 2026-01-31).');
    return v;
  };
  const f = check(from, 'from');
  const t = check(to, 'to');
  if (t < f) throw invalid('to', 'La date de fin précède la date de début.');
  const days = DateTime.fromISO(t).diff(DateTime.fromISO(f), 'days').days;
  if (days > STATS_MAX_DAYS) throw invalid('to', 'Période trop longue : dix ans au plus.');
  return { from: f, to: t };
}

export function parseStatsDimension(input: unknown): StatsDimension {
  if (typeof input === 'string' && (STATS_DIMENSIONS as readonly string[]).includes(input))
    return input as StatsDimension;
  throw invalid('by', `Regroupement inconnu. Valeurs : ${STATS_DIMENSIONS.join(', ')}.`);
}

export interface StatsGroup {
  readonly key: string;
  readonly count: number;
  readonly share: number;
}
export interface StatsReport {
  readonly territory: string;
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly minutes: { readonly total: number; readonly mean: number };
  readonly groups: readonly StatsGroup[];
}

/** Shares rounded to 4 decimals; groups by count (descending), months in calendar order. */
export function statsReport(
  query: { territory: string; from: string; to: string; by: StatsDimension },
  rows: ReadonlyArray<{ key: string | null; count: number; minutes: number }>,
): StatsReport {
  const total = rows.reduce((s, r) => s + r.count, 0);
  const minutes = rows.reduce((s, r) => s + r.minutes, 0);
  const groups = rows
    .map((r) => ({
      key: r.key ?? 'non_renseigne',
      count: r.count,
      share: total === 0 ? 0 : Math.round((r.count / total) * 10_000) / 10_000,
    }))
    .sort((a, b) =>
      query.by === 'mois' ? a.key.localeCompare(b.key) : b.count - a.count || a.key.localeCompare(b.key),
    );
  return {
    territory: query.territory,
    from: query.from,
    to: query.to,
    total,
    minutes: { total: minutes, mean: total === 0 ? 0 : Math.round((minutes / total) * 10) / 10 },
    groups,
  };
}
