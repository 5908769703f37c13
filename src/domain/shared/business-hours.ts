import { invalid } from './errors.js';
import { calendarDay, holidaysOf, holidayZone } from './public-holidays.js';
import { inZone, timeZoneOf } from './time-zone.js';

/**
 * Deadlines counted in business hours at a commune (escalations, answers due): a business day is Monday
 * to Friday and not a public holiday at that commune (so Good Friday and 26 December count as closed in
 * 57/67/68, the abolition day in each overseas department). The hours of a business day run continuously
 * from local midnight to local midnight (24 of them; 23 or 25 on a clock-change day, as they are real
 * hours); time stops outside business days. A start outside a
 * business day counts from 00:00 of the next business day. Days are read on the commune's own clock.
 */

/** Bounds on what a caller may ask: a deadline of more than ten years of business hours is a mistake. */
export const MAX_BUSINESS_HOURS = 24 * 260 * 10;
const MAX_CALENDAR_DAYS = 366 * 12;

const isBusinessDay = (year: number, month: number, day: number, zone: string): boolean => {
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay(); // 0 Sunday … 6 Saturday
  if (weekday === 0 || weekday === 6) return false;
  return !holidaysOf(year, zone).has(calendarDay(year, month, day));
};

/**
 * The instant `hours` business hours after `start` at `commune` (INSEE code or department code).
 * `hours` may be fractional (0.5 = 30 minutes); 0 gives the start itself, moved to the next business
 * day if it falls outside one. Throws `invalid` on an invalid date or an out-of-range number of hours.
 */
export function addBusinessHours(start: Date, hours: number, commune: string): Date {
  if (!(start instanceof Date) || Number.isNaN(start.getTime()))
    throw invalid('debut', 'Date de début invalide.');
  if (typeof hours !== 'number' || !Number.isFinite(hours) || hours < 0 || hours > MAX_BUSINESS_HOURS) {
    throw invalid(
      'heures',
      `Nombre d’heures ouvrées invalide : ${hours} (entre 0 et ${MAX_BUSINESS_HOURS}).`,
    );
  }
  const zone = timeZoneOf(commune);
  const holidays = holidayZone(commune);
  let remaining = Math.round(hours * 3_600_000); // milliseconds of business time still to run
  let cursor = inZone(start, zone);
  for (let i = 0; i <= MAX_CALENDAR_DAYS; i += 1) {
    const dayStart = cursor.startOf('day');
    const nextDay = dayStart.plus({ days: 1 }); // luxon keeps local midnight across clock changes
    if (isBusinessDay(dayStart.year, dayStart.month, dayStart.day, holidays)) {
      const left = nextDay.toMillis() - cursor.toMillis();
      if (remaining <= left) return new Date(cursor.toMillis() + remaining);
      remaining -= left;
    }
    cursor = nextDay;
  }
  /* c8 ignore next */
  throw invalid('heures', 'Échéance trop lointaine.');
}

/**
 * The business hours between two instants at `commune`, by the same definition as `addBusinessHours` (its
 * inverse: `businessHoursBetween(s, addBusinessHours(s, h, c), c) === h`). 0 when `end` is not after `start`.
 * Used for the figures: time to first answer, time to close.
 */
export function businessHoursBetween(start: Date, end: Date, commune: string): number {
  for (const [d, field] of [
    [start, 'debut'],
    [end, 'fin'],
  ] as const)
    if (!(d instanceof Date) || Number.isNaN(d.getTime())) throw invalid(field, 'Date invalide.');
  const endMs = end.getTime();
  if (endMs <= start.getTime()) return 0;
  const zone = timeZoneOf(commune);
  const holidays = holidayZone(commune);
  let total = 0;
  let cursor = inZone(start, zone);
  for (let i = 0; i <= MAX_CALENDAR_DAYS; i += 1) {
    const dayStart = cursor.startOf('day');
    const nextDay = dayStart.plus({ days: 1 });
    if (isBusinessDay(dayStart.year, dayStart.month, dayStart.day, holidays))
      total += Math.min(nextDay.toMillis(), endMs) - cursor.toMillis();
    if (nextDay.toMillis() >= endMs) return total / 3_600_000;
    cursor = nextDay;
  }
  throw invalid('fin', 'Période trop longue (plus de douze ans).');
}
