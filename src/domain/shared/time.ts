import { DateTime, FixedOffsetZone } from 'luxon';

/** All civil time in Maillage is Europe/Paris. Instants are stored and passed as UTC `Date`s. */
export const PARIS = 'Europe/Paris';

/** The injected clock: "open now" and "next passage" are testable with a fixed one. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export const fixedClock = (iso: string): Clock => {
  const at = new Date(iso);
  return { now: () => new Date(at) };
};

/** An instant seen on a Paris wall clock. */
export const inParis = (instant: Date): DateTime => DateTime.fromJSDate(instant, { zone: PARIS });

/** A Paris wall-clock date and time (`2026-03-29`, `09:00`) to the instant it denotes. */
export function parisInstant(isoDate: string, hhmm: string): Date {
  return DateTime.fromISO(`${isoDate}T${hhmm}`, { zone: PARIS }).toJSDate();
}

/**
 * Paris's UTC offset (minutes) at an instant. The clocks change on whole UTC hours, so one zone lookup per
 * hour is enough: the locator reads the wall clock for every result, and the zone lookup is the costly part.
 */
const offsetByUtcHour = new Map<number, number>();
export function parisOffsetMinutes(instant: Date): number {
  const hour = Math.floor(instant.getTime() / 3_600_000);
  let offset = offsetByUtcHour.get(hour);
  if (offset === undefined) {
    offset = DateTime.fromMillis(hour * 3_600_000, { zone: PARIS }).offset;
    if (offsetByUtcHour.size > 100_000) offsetByUtcHour.clear();
    offsetByUtcHour.set(hour, offset);
  }
  return offset;
}

/**
 * The Paris wall clock at an instant, for reading and formatting only (date, weekday, hour). Do not do
 * calendar arithmetic on it across a clock change: use `inParis` for that.
 */
export const parisWallClock = (instant: Date): DateTime =>
  DateTime.fromMillis(instant.getTime(), { zone: FixedOffsetZone.instance(parisOffsetMinutes(instant)) });

/** ISO 8601 with the Paris offset, e.g. `2026-03-31T09:00:00+02:00`. */
export const toParisIso = (instant: Date): string =>
  parisWallClock(instant).toISO({ suppressMilliseconds: true, includeOffset: true }) ?? '';

/** `YYYY-MM-DD` of the Paris day an instant falls on. */
export const parisDate = (instant: Date): string => parisWallClock(instant).toISODate() ?? '';

/** Month names, for French dates written out ("1er mai 2026"). */
export const FRENCH_MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
] as const;
