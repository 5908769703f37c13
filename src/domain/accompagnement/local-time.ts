import { DateTime } from 'luxon';
import { type TimeZone, timeZoneOf } from '../shared/time-zone.js';

/**
 * The ONE place that chooses the time zone an accompaniment's local day and month are read in: the
 * zone of the structure's commune (metropolitan time in metropolitan France, each overseas zone there).
 */
export function zoneOfStructure(communeInsee: string | null): TimeZone {
  return timeZoneOf(communeInsee);
}

/** `YYYY-MM-DD` of the local day an instant falls on, in a zone. */
export const localDay = (instant: Date, zone: string): string =>
  DateTime.fromJSDate(instant, { zone }).toISODate() ?? '';

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
