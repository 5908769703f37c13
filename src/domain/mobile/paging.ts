import { invalid } from '../shared/errors.js';
import { timeZoneOf, toLocalIso } from '../shared/time-zone.js';
import type { Occurrence, OccurrenceStatus } from './model.js';

/**
 * Pages of passages for the public API (security review, finding 5: a three-year range answered 108 MB).
 * A range is at most `MAX_OCCURRENCE_RANGE_DAYS` days; a page at most `MAX_OCCURRENCE_PAGE` passages; the
 * cursor names the last passage sent, so a page never repeats nor skips one even if the list is recomputed.
 */
export const MAX_OCCURRENCE_RANGE_DAYS = 366;
export const MAX_OCCURRENCE_PAGE = 1_000;
export const DEFAULT_OCCURRENCE_PAGE = 500;

/** A passage's place in the order of a list: its start, its entry, then the date it was planned for. */
interface Key {
  readonly start: number;
  readonly entry: string;
  readonly origin: string;
}

const keyOf = (o: Occurrence): Key => ({
  start: o.start.getTime(),
  entry: o.entry,
  origin: o.movedFrom ?? o.date,
});

const compare = (a: Key, b: Key): number =>
  a.start - b.start ||
  (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0) ||
  (a.origin < b.origin ? -1 : a.origin > b.origin ? 1 : 0);

const CURSOR = /^(\d{1,15})\.([A-Za-z0-9][A-Za-z0-9._-]{0,63})\.(\d{4}-\d{2}-\d{2})$/;

/** The cursor after a passage: `<start, ms since 1970>.<entry>.<planned date>`, URL-safe as it is. */
export function occurrenceCursor(o: Occurrence): string {
  const k = keyOf(o);
  return `${k.start}.${k.entry}.${k.origin}`;
}

function parseCursor(cursor: string): Key {
  const m = cursor.length <= 120 ? CURSOR.exec(cursor) : null;
  if (!m)
    throw invalid('cursor', 'Curseur de page invalide : reprenez le lien « next » de la page précédente.');
  return { start: Number(m[1]), entry: m[2] as string, origin: m[3] as string };
}

export interface OccurrencePage {
  readonly items: readonly Occurrence[];
  /** The cursor of the next page, or null on the last one. */
  readonly next: string | null;
}

/**
 * One page of a list sorted by start then entry (`expandOccurrences`): the passages after the cursor, at most
 * `limit`. Ties on (start, entry) are ordered by the date each passage was planned for, so the order is total.
 */
export function pageOfOccurrences(
  sorted: readonly Occurrence[],
  limit: number,
  cursor?: string | null,
): OccurrencePage {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_OCCURRENCE_PAGE)
    throw invalid('limit', `Taille de page : un entier de 1 à ${MAX_OCCURRENCE_PAGE}.`);
  const after = cursor ? parseCursor(cursor) : null;
  const keyed = sorted.map((o) => ({ o, k: keyOf(o) }));
  // Already sorted by (start, entry): only runs of equal (start, entry) need the third key.
  keyed.sort((a, b) => compare(a.k, b.k));
  let i = 0;
  if (after) {
    let lo = 0;
    let hi = keyed.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare((keyed[mid] as { k: Key }).k, after) <= 0) lo = mid + 1;
      else hi = mid;
    }
    i = lo;
  }
  const page = keyed.slice(i, i + limit).map((x) => x.o);
  const last = page.at(-1);
  return { items: page, next: i + limit < keyed.length && last ? occurrenceCursor(last) : null };
}

/** A passage as the API and `maillage mobile occurrences` publish it: local times of the stop's commune, with offset. */
export interface PublishedOccurrence {
  entry: string;
  stop: string;
  commune: string;
  start: string;
  end: string;
  status: OccurrenceStatus;
}

export function publishedOccurrence(o: Occurrence): PublishedOccurrence {
  const zone = timeZoneOf(o.commune);
  return {
    entry: o.entry,
    stop: o.stop,
    commune: o.commune,
    start: toLocalIso(o.start, zone),
    end: toLocalIso(o.end, zone),
    status: o.status,
  };
}
