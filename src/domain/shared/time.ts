import type { DateTime } from 'luxon';
import {
  inZone,
  localDate,
  METROPOLITAN_ZONE,
  offsetMinutes,
  toLocalIso,
  wallClock,
  zonedInstant,
} from './time-zone.js';

/**
 * Instants are stored and passed as UTC `Date`s; civil time is the local time of the place concerned
 * (src/domain/shared/time-zone.ts gives the zone of a commune, and reads wall clocks in it).
 */

/** The injected clock: "open now" and "next passage" are testable with a fixed one. */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
export const fixedClock = (iso: string): Clock => {
  const at = new Date(iso);
  return { now: () => new Date(at) };
};

// Metropolitan time, for the few national, place-less moments (see docs/adr/0001-architecture.md).
// Kept under their old names so that branches written before issue 10 still build; new code should
// take the zone of the place concerned (`timeZoneOfPlace`) and call the zoned functions directly.

/** @deprecated Use `METROPOLITAN_ZONE`, or better the zone of the place concerned. */
export const PARIS = METROPOLITAN_ZONE;
/** @deprecated Use `inZone(instant, zone)`. */
export const inParis = (instant: Date): DateTime => inZone(instant, METROPOLITAN_ZONE);
/** @deprecated Use `zonedInstant(isoDate, hhmm, zone)`. */
export const parisInstant = (isoDate: string, hhmm: string): Date =>
  zonedInstant(isoDate, hhmm, METROPOLITAN_ZONE);
/** @deprecated Use `offsetMinutes(instant, zone)`. */
export const parisOffsetMinutes = (instant: Date): number => offsetMinutes(instant, METROPOLITAN_ZONE);
/** @deprecated Use `wallClock(instant, zone)`. */
export const parisWallClock = (instant: Date): DateTime => wallClock(instant, METROPOLITAN_ZONE);
/** @deprecated Use `toLocalIso(instant, zone)`. */
export const toParisIso = (instant: Date): string => toLocalIso(instant, METROPOLITAN_ZONE);
/** @deprecated Use `localDate(instant, zone)`. */
export const parisDate = (instant: Date): string => localDate(instant, METROPOLITAN_ZONE);

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
