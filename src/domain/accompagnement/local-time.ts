import { DateTime } from 'luxon';
import { type TimeZone, timeZoneOf } from '../shared/time-zone.js';

/**
 * The ONE place that chooses the time zone an accompaniment's local day and month are read in: the
 * zone of the structure's commune (metropolitan time in metropolitan France, each overseas zone there).
 */
export function zoneOfStructure(communeInsee: string | null): TimeZone {
  return timeZoneOf(communeInsee);
}

const HOUR_MS = 3_600_000;
/** Offset (minutes) of a zone during one UTC hour. */
const offsets = new Map<string, number>();

/**
 * `YYYY-MM-DD` of the local day an instant falls on, in a zone. The zone's offset is asked of Luxon
 * once per zone and UTC hour, then remembered: every zone we serve changes its offset on a whole UTC
 * hour (Paris at 01:00 UTC, Saint-Pierre-et-Miquelon at 05:00 UTC; the others never), and an import
 * reads a million instants. Tested against Luxon around every change (local-time.test.ts).
 */
export function localDay(instant: Date, zone: string): string {
  const ms = instant.getTime();
  if (!Number.isFinite(ms)) return '';
  const hour = Math.floor(ms / HOUR_MS);
  const key = `${zone}|${hour}`;
  let offset = offsets.get(key);
  if (offset === undefined) {
    if (offsets.size > 100_000) offsets.clear();
    const at = DateTime.fromMillis(hour * HOUR_MS, { zone });
    offset = at.isValid ? at.offset : Number.NaN;
    offsets.set(key, offset);
  }
  if (Number.isNaN(offset)) return '';
  return new Date(ms + offset * 60_000).toISOString().slice(0, 10);
}

/** `YYYY-MM` of the local month. */
export const localMonth = (instant: Date, zone: string): string => localDay(instant, zone).slice(0, 7);

/** `HH:mm` local. */
export const localTime = (instant: Date, zone: string): string =>
  DateTime.fromJSDate(instant, { zone }).toFormat('HH:mm');

/** The instant a local calendar day starts at (00:00 local, whatever the offset that day). */
export function startOfLocalDay(day: string, zone: string): Date {
  return DateTime.fromISO(day, { zone }).startOf('day').toJSDate();
}

/** [start, end) instants covering the inclusive local days `from`..`to`. */
export function localDayRange(from: string, to: string, zone: string): { start: Date; end: Date } {
  return {
    start: startOfLocalDay(from, zone),
    end: DateTime.fromISO(to, { zone }).plus({ days: 1 }).startOf('day').toJSDate(),
  };
}
