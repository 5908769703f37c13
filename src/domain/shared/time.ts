import { DateTime } from 'luxon';

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

/** ISO 8601 with the Paris offset, e.g. `2026-03-31T09:00:00+02:00`. */
export const toParisIso = (instant: Date): string =>
  inParis(instant).toISO({ suppressMilliseconds: true, includeOffset: true }) ?? '';

/** `YYYY-MM-DD` of the Paris day an instant falls on. */
export const parisDate = (instant: Date): string => inParis(instant).toISODate() ?? '';
