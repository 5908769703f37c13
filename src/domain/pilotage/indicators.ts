import { DateTime } from 'luxon';
import {
  parseStatsRange,
  parseStatsTerritory,
  STATS_DIMENSIONS,
  type StatsDimension,
  type StatsTerritory,
} from '../accompagnement/index.js';
import { invalid } from '../shared/errors.js';

/**
 * Indicators of the pilotage dashboards (issue 14): a territory (FR | reg:XX | dep:XX |
 * structure:<id_fs>), an inclusive range of local days, a dimension. Everything is checked here,
 * BEFORE any query: a reversed or too long range, an unreadable territory, an unknown dimension are
 * refused with the field at fault and a French message.
 */
export const INDICATOR_DIMENSIONS = STATS_DIMENSIONS;
export type IndicatorDimension = StatsDimension;
/** Five years at most: the work of one dashboard query stays bounded. */
export const MAX_YEARS = 5;

export interface IndicatorQuery {
  readonly territory: StatsTerritory;
  readonly from: string;
  readonly to: string;
}

export function parseIndicatorRange(from: unknown, to: unknown): { from: string; to: string } {
  const r = parseStatsRange(from, to);
  if (DateTime.fromISO(r.to) >= DateTime.fromISO(r.from).plus({ years: MAX_YEARS }))
    throw invalid('to', `Période trop longue : ${MAX_YEARS} ans au plus.`);
  return r;
}

export function parseIndicatorQuery(input: {
  territory?: unknown;
  from?: unknown;
  to?: unknown;
}): IndicatorQuery {
  const territory = parseStatsTerritory(input.territory);
  return { territory, ...parseIndicatorRange(input.from, input.to) };
}

export function parseIndicatorDimension(input: unknown): IndicatorDimension {
  if (typeof input === 'string' && (INDICATOR_DIMENSIONS as readonly string[]).includes(input))
    return input as IndicatorDimension;
  throw invalid('by', `Dimension inconnue. Valeurs : ${INDICATOR_DIMENSIONS.join(', ')}.`);
}

/**
 * How a range of days is read from the rollups: the whole months inside it from the month rows, the
 * days before and after them from the day rows. `months` are first days of months (inclusive).
 */
export interface RangePlan {
  readonly months: { readonly from: string; readonly to: string } | null;
  readonly days: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

const iso = (d: DateTime) => d.toISODate() as string;

export function planRange(from: string, to: string): RangePlan {
  const f = DateTime.fromISO(from, { zone: 'utc' });
  const t = DateTime.fromISO(to, { zone: 'utc' });
  const firstFull = f.day === 1 ? f : f.plus({ months: 1 }).startOf('month');
  const lastFull = t.equals(t.endOf('month').startOf('day'))
    ? t.startOf('month')
    : t.startOf('month').minus({ months: 1 });
  if (firstFull > lastFull) return { months: null, days: [{ from, to }] };
  const days: Array<{ from: string; to: string }> = [];
  if (firstFull > f) days.push({ from, to: iso(firstFull.minus({ days: 1 })) });
  const afterLast = lastFull.plus({ months: 1 });
  if (afterLast <= t) days.push({ from: iso(afterLast), to });
  return { months: { from: iso(firstFull), to: iso(lastFull) }, days };
}

/** The rollup dimension a statistic is read from: months are counted on the partner rows. */
export const rollupDimensionOf = (by: IndicatorDimension) => (by === 'mois' ? 'partenaire' : by);

export const REMOTE_LABEL = 'À distance (téléphone, courriel, visio)';
