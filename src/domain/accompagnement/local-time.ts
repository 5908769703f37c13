import { DateTime } from 'luxon';
import { PARIS } from '../shared/time.js';

/**
 * The ONE place that chooses the time zone an accompaniment's local day and month are read in.
 * Until the per-commune zone function (branch `tz`) is merged, every structure is on Paris time;
 * the merge replaces the body of this function and nothing else.
 */
export function zoneOfStructure(_communeInsee: string | null): string {
  return PARIS;
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
