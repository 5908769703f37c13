import { holidaysOf, holidayZone } from '../shared/public-holidays.js';
import { type TimeZone, timeZoneOf, zonedInstant } from '../shared/time-zone.js';
import { type Day, formatDay, formatHhmm, parseDay, parseHhmm, ymd } from './days.js';
import type { Occurrence, Schedule, Stop, TourEntry, TourException } from './model.js';
import { expandRecurrence, parseRecurrence, type Recurrence } from './recurrence.js';

/**
 * Occurrence expansion. Recurrences run on floating days; each day then gets the wall-clock time of
 * its stop's zone (the commune's: a bus at La Réunion runs on Réunion time) and is converted to an
 * instant, so 09:00 stays 09:00 across DST changes. The UTC offset is looked up once per zone and day
 * (twice through luxon), not once per occurrence.
 */
const recurrences = new Map<string, Recurrence>();
export function recurrenceOf(entry: TourEntry): Recurrence {
  let r = recurrences.get(entry.rrule);
  if (!r) {
    r = parseRecurrence(entry.rrule);
    if (recurrences.size > 10_000) recurrences.clear();
    recurrences.set(entry.rrule, r);
  }
  return r;
}

/**
 * What expansion needs to know about a day in a zone, computed once: its ISO text, its year, and the
 * UTC offset (minutes east) valid for the whole local day, or null on a DST change day.
 */
interface DayInfo {
  readonly iso: string;
  readonly year: number;
  readonly offset: number | null;
}
const dayInfos = new Map<TimeZone, Map<Day, DayInfo>>();
function dayInfo(day: Day, zone: TimeZone): DayInfo {
  let byDay = dayInfos.get(zone);
  if (!byDay) {
    byDay = new Map();
    dayInfos.set(zone, byDay);
  }
  let info = byDay.get(day);
  if (info === undefined) {
    const iso = formatDay(day);
    const at = (hhmm: string, min: number) =>
      day * 1440 + min - zonedInstant(iso, hhmm, zone).getTime() / 60_000;
    const a = at('00:00', 0);
    const b = at('23:59', 1439);
    info = { iso, year: ymd(day).y, offset: a === b ? a : null };
    if (byDay.size > 200_000) byDay.clear();
    byDay.set(day, info);
  }
  return info;
}

/** A local wall-clock day and minute in a zone to the instant. */
export function localAt(day: Day, minutes: number, zone: TimeZone): Date {
  const info = dayInfo(day, zone);
  if (info.offset === null) return zonedInstant(info.iso, formatHhmm(minutes), zone);
  return new Date((day * 1440 + minutes - info.offset) * 60_000);
}

const parsedDays = new Map<string, Day>();
const mustDay = (s: string): Day => {
  const cached = parsedDays.get(s);
  if (cached !== undefined) return cached;
  const d = parseDay(s);
  if (d === undefined) throw new RangeError(`Date invalide : ${s}`);
  if (parsedDays.size > 100_000) parsedDays.clear();
  parsedDays.set(s, d);
  return d;
};
const mustMin = (s: string): number => {
  const m = parseHhmm(s);
  if (m === undefined) throw new RangeError(`Heure invalide : ${s}`);
  return m;
};

export interface EntryDay {
  readonly day: Day;
  /** Set when the day is a public holiday of the stop's commune (and so skipped under `holidays: skip`). */
  readonly holiday?: string;
}

/** The days the entry's rule produces in its own period, holidays marked. */
export function ruleDays(entry: TourEntry, commune: string | undefined): EntryDay[] {
  const days = expandRecurrence(recurrenceOf(entry), mustDay(entry.from), mustDay(entry.until));
  const zone = holidayZone(commune);
  return days.map((day) => {
    const h = holidaysOf(ymd(day).y, zone).get(day);
    return h === undefined ? { day } : { day, holiday: h };
  });
}

/** The regular days of an entry: rule days minus skipped holidays. */
export function regularDays(entry: TourEntry, commune: string | undefined): Day[] {
  const out: Day[] = [];
  for (const d of ruleDays(entry, commune))
    if (d.holiday === undefined || entry.holidays === 'keep') out.push(d.day);
  return out;
}

export interface OccurrenceFilter {
  readonly unit?: string;
  readonly stop?: string;
  readonly commune?: string;
  readonly includeCancelled?: boolean; // default true
}

function groupExceptions(exceptions: readonly TourException[]): Map<string, TourException[]> {
  const map = new Map<string, TourException[]>();
  for (const x of exceptions) {
    const list = map.get(x.entry);
    if (list) list.push(x);
    else map.set(x.entry, [x]);
  }
  return map;
}

/** The occurrences of one entry whose (possibly moved) date falls in [lo, hi]. */
export function entryOccurrences(
  entry: TourEntry,
  stop: Stop | undefined,
  exceptions: readonly TourException[],
  lo: Day,
  hi: Day,
  includeCancelled = true,
  out: Occurrence[] = [],
): Occurrence[] {
  const commune = stop?.commune ?? '';
  const zone = holidayZone(commune);
  const tz = timeZoneOf(commune);
  const at = (day: Day, minutes: number) => localAt(day, minutes, tz);
  const startMin = mustMin(entry.start);
  const endMin = mustMin(entry.end);
  const byDate = new Map<string, TourException>();
  for (const x of exceptions) byDate.set(x.date, x);
  const base = { entry: entry.id, unit: entry.unit, stop: entry.stop, commune };
  const from = mustDay(entry.from);
  const until = mustDay(entry.until);
  const skip = entry.holidays === 'skip';
  if (until >= lo && from <= hi) {
    for (const day of expandRecurrence(recurrenceOf(entry), from, until)) {
      if (day < lo) continue;
      if (day > hi) break;
      const info = dayInfo(day, tz);
      if (skip && holidaysOf(info.year, zone).has(day)) continue;
      const x = byDate.size > 0 ? byDate.get(info.iso) : undefined;
      if (x === undefined) {
        const off = info.offset;
        out.push({
          entry: base.entry,
          unit: base.unit,
          stop: base.stop,
          commune,
          date: info.iso,
          start: off === null ? at(day, startMin) : new Date((day * 1440 + startMin - off) * 60_000),
          end: off === null ? at(day, endMin) : new Date((day * 1440 + endMin - off) * 60_000),
          status: 'scheduled',
        });
        continue;
      }
      if (x.action === 'move' || x.action === 'add') continue; // emitted below
      if (!includeCancelled) continue;
      out.push({
        ...base,
        date: info.iso,
        start: at(day, startMin),
        end: at(day, endMin),
        status: 'cancelled',
        ...(x.reason ? { reason: x.reason } : {}),
      });
    }
  }
  for (const x of exceptions) {
    if (x.action === 'move' && x.to) {
      const day = mustDay(x.to.date);
      if (day < lo || day > hi) continue;
      out.push({
        ...base,
        date: x.to.date,
        start: at(day, mustMin(x.to.start)),
        end: at(day, mustMin(x.to.end)),
        status: 'moved',
        movedFrom: x.date,
        ...(x.reason ? { reason: x.reason } : {}),
      });
    } else if (x.action === 'add') {
      const day = mustDay(x.date);
      if (day < lo || day > hi) continue;
      out.push({
        ...base,
        date: x.date,
        start: at(day, startMin),
        end: at(day, endMin),
        status: 'scheduled',
        added: true,
        ...(x.reason ? { reason: x.reason } : {}),
      });
    }
  }
  return out;
}

const byStart = (a: Occurrence, b: Occurrence) =>
  a.start.getTime() - b.start.getTime() || (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0);

/**
 * Sorts by start, then entry id, in linear time: a stable counting sort by entry rank, then a stable
 * counting sort by start minute (times are whole minutes). A comparison sort of 60,000 Dates, or
 * buckets of the 160 buses that all open at 09:00, cost several times more.
 */
export function sortByStart(list: Occurrence[]): Occurrence[] {
  const n = list.length;
  if (n < 64) return list.sort(byStart);
  const ids = [...new Set(list.map((o) => o.entry))].sort();
  const rankOf = new Map(ids.map((id, i) => [id, i]));
  const minutes = new Float64Array(n);
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t = (list[i] as Occurrence).start.getTime();
    if (t % 60_000 !== 0) return list.sort(byStart);
    const m = t / 60_000;
    minutes[i] = m;
    if (m < min) min = m;
    if (m > max) max = m;
  }
  const span = max - min + 1;
  if (span > 4 * n + 2_000_000) return list.sort(byStart);
  const countingSort = (order: Uint32Array, key: (i: number) => number, buckets: number): Uint32Array => {
    const count = new Uint32Array(buckets + 1);
    for (let p = 0; p < n; p++) {
      const k = key(order[p] as number) + 1;
      count[k] = (count[k] as number) + 1;
    }
    for (let b = 0; b < buckets; b++) count[b + 1] = (count[b + 1] as number) + (count[b] as number);
    const out = new Uint32Array(n);
    for (let p = 0; p < n; p++) {
      const i = order[p] as number;
      const k = key(i);
      out[count[k] as number] = i;
      count[k] = (count[k] as number) + 1;
    }
    return out;
  };
  const ranks = new Uint32Array(n);
  for (let i = 0; i < n; i++) ranks[i] = rankOf.get((list[i] as Occurrence).entry) ?? 0;
  const identity = new Uint32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  const byRank = countingSort(identity, (i) => ranks[i] as number, ids.length);
  const order = countingSort(byRank, (i) => (minutes[i] as number) - min, span);
  const out = new Array<Occurrence>(n);
  for (let p = 0; p < n; p++) out[p] = list[order[p] as number] as Occurrence;
  return out;
}

const NONE: readonly TourException[] = [];

/**
 * Every passage between two local dates (inclusive, each stop's dates in its own zone), sorted by start.
 * Holiday-skipped dates are absent; cancelled ones are listed with their status and reason;
 * moved ones are listed at their new date and time; added dates are listed.
 */
export function expandOccurrences(
  schedule: Schedule,
  fromDate: string,
  toDate: string,
  filter: OccurrenceFilter = {},
): Occurrence[] {
  const lo = mustDay(fromDate);
  const hi = mustDay(toDate);
  const stops = new Map(schedule.stops.map((s) => [s.id, s]));
  const exceptions = groupExceptions(schedule.exceptions);
  const out: Occurrence[] = [];
  for (const entry of schedule.entries) {
    if (filter.unit !== undefined && entry.unit !== filter.unit) continue;
    if (filter.stop !== undefined && entry.stop !== filter.stop) continue;
    const stop = stops.get(entry.stop);
    if (filter.commune !== undefined && stop?.commune !== filter.commune) continue;
    entryOccurrences(
      entry,
      stop,
      exceptions.get(entry.id) ?? NONE,
      lo,
      hi,
      filter.includeCancelled ?? true,
      out,
    );
  }
  return sortByStart(out);
}

/**
 * The next `n` passages that have not ended at `now` (a passage under way is included),
 * cancelled ones included unless the filter says otherwise. Looks ahead up to `horizonDays`.
 */
export function nextPassages(
  schedule: Schedule,
  now: Date,
  n: number,
  filter: OccurrenceFilter = {},
  horizonDays = 400,
): Occurrence[] {
  // Local dates run from UTC−4 to UTC+4 in the network: the day before the UTC date covers every zone.
  const today = Math.floor(now.getTime() / 86_400_000);
  const t = now.getTime();
  let out: Occurrence[] = [];
  for (let span = 35; ; span *= 3) {
    const hi = today + Math.min(span, horizonDays);
    out = expandOccurrences(schedule, formatDay(today - 1), formatDay(hi), filter).filter(
      (o) => o.end.getTime() > t,
    );
    if (out.length >= n || span >= horizonDays) break;
  }
  return out.slice(0, n);
}

/** The passage under way at `now` (not cancelled), if any: "open now" is true only while the bus is there. */
export function currentPassage(
  schedule: Schedule,
  now: Date,
  filter: OccurrenceFilter = {},
): Occurrence | undefined {
  // The local date of `now` is the UTC date or one of its neighbours, whatever the stop's zone.
  const utcDay = Math.floor(now.getTime() / 86_400_000);
  const t = now.getTime();
  return expandOccurrences(schedule, formatDay(utcDay - 1), formatDay(utcDay + 1), {
    ...filter,
    includeCancelled: false,
  }).find((o) => o.start.getTime() <= t && t < o.end.getTime());
}

export const isUnitAtStop = (schedule: Schedule, now: Date, filter: OccurrenceFilter = {}): boolean =>
  currentPassage(schedule, now, filter) !== undefined;
