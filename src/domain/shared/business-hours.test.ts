import { describe, expect, it } from 'vitest';
import { addBusinessHours, businessHoursBetween } from './business-hours.js';

/** Expected instants are written by hand from the calendars of 2025–2026, not computed by the code. */
const at = (iso: string) => new Date(iso);
const add = (iso: string, hours: number, commune: string) =>
  addBusinessHours(at(iso), hours, commune).toISOString();

describe('addBusinessHours', () => {
  it('crosses the abolition day in Martinique (Friday 22 May 2026), then Whit Monday', () => {
    // Thursday 21 May, 10:00 in Fort-de-France (UTC−4) = 14:00 UTC. 14 hours run to Thursday midnight;
    // Friday 22 (abolition), the weekend and Monday 25 (Lundi de Pentecôte) pause; 10 more hours on
    // Tuesday 26 May: 10:00 local, 14:00 UTC.
    expect(add('2026-05-21T14:00:00Z', 24, '97209')).toBe('2026-05-26T14:00:00.000Z');
    // Guadeloupe commemorates on 27 May: the same Friday is a business day there.
    expect(add('2026-05-21T14:00:00Z', 24, '97105')).toBe('2026-05-22T14:00:00.000Z');
    // The department code works as well as the commune code.
    expect(add('2026-05-21T14:00:00Z', 24, '972')).toBe('2026-05-26T14:00:00.000Z');
  });

  it('pauses on Good Friday and Saint-Étienne in Alsace-Moselle only', () => {
    // Thursday 2 April 2026, 12:00 in Strasbourg (CEST) = 10:00 UTC; Good Friday 3 and Easter Monday 6 pause.
    expect(add('2026-04-02T10:00:00Z', 24, '67482')).toBe('2026-04-07T10:00:00.000Z');
    // In Guise (Aisne), Good Friday is a business day.
    expect(add('2026-04-02T10:00:00Z', 24, '02361')).toBe('2026-04-03T10:00:00.000Z');
    // Wednesday 24 December 2025 00:00 CET; 48 hours: Christmas and Friday 26 pause in Metz, not in Guise.
    expect(add('2025-12-23T23:00:00Z', 48, '57463')).toBe('2025-12-29T23:00:00.000Z');
    expect(add('2025-12-23T23:00:00Z', 48, '02361')).toBe('2025-12-26T23:00:00.000Z');
  });

  it('starts outside a business day from 00:00 of the next one, on the local clock', () => {
    // Saturday 28 March 2026, 10:00 at Saint-Louis, La Réunion (UTC+4); one hour after Monday 00:00 local.
    expect(add('2026-03-28T06:00:00Z', 1, '97414')).toBe('2026-03-29T21:00:00.000Z');
    // Zero hours from a Sunday: Monday 00:00 local. Réunion: 2026-03-29T20:00Z; Paris (CEST): 22:00Z.
    expect(add('2026-03-29T12:00:00Z', 0, '97414')).toBe('2026-03-29T20:00:00.000Z');
    expect(add('2026-03-29T12:00:00Z', 0, '75056')).toBe('2026-03-29T22:00:00.000Z');
    // Zero hours inside a business day: the start itself.
    expect(add('2026-03-31T09:17:00Z', 0, '75056')).toBe('2026-03-31T09:17:00.000Z');
  });

  it('counts fractions of an hour and ends exactly at midnight when the hours run out there', () => {
    expect(add('2026-03-31T09:00:00Z', 0.5, '75056')).toBe('2026-03-31T09:30:00.000Z');
    // Tuesday 31 March 2026 00:00 CEST = 30 March 22:00 UTC; 24 hours end at Wednesday 00:00 CEST.
    expect(add('2026-03-30T22:00:00Z', 24, '75056')).toBe('2026-03-31T22:00:00.000Z');
  });

  it('answers hostile input with a French message naming the field', () => {
    for (const hours of [Number.POSITIVE_INFINITY, Number.NaN, -1, 1e12, '24' as unknown as number]) {
      expect(() => addBusinessHours(at('2026-03-31T09:00:00Z'), hours, '75056')).toThrow(
        /heures ouvrées invalide/,
      );
    }
    expect(() => addBusinessHours(new Date('demain'), 1, '75056')).toThrow(/Date de début invalide/);
    // An unreadable commune falls back to the national calendar and metropolitan time.
    expect(add('2026-03-31T09:00:00Z', 1, '<script>alert(1)</script>')).toBe('2026-03-31T10:00:00.000Z');
  });

  it('bounds its work: ten years of business hours run in a few thousand steps', () => {
    const end = addBusinessHours(at('2026-01-05T00:00:00Z'), 24 * 260 * 10, '97414');
    expect(end.getUTCFullYear()).toBeGreaterThanOrEqual(2035);
    expect(end.getUTCFullYear()).toBeLessThanOrEqual(2037);
  });
});

describe('businessHoursBetween, the inverse of addBusinessHours', () => {
  const between = (a: string, b: string, commune: string) => businessHoursBetween(at(a), at(b), commune);

  it('counts by hand-checked calendars: Moselle’s Good Friday, Réunion’s weekend, a DST night', () => {
    // Thursday 2 April 2026 12:00 CEST → Tuesday 7 April 12:00 CEST in Strasbourg: 12 + 12 = 24 hours.
    expect(between('2026-04-02T10:00:00Z', '2026-04-07T10:00:00Z', '67482')).toBe(24);
    // The same span in Guise counts Good Friday: 12 + 24 + 12 = 48 hours (Easter Monday pauses).
    expect(between('2026-04-02T10:00:00Z', '2026-04-07T10:00:00Z', '02361')).toBe(48);
    // Friday 27 March 2026 23:00 Réunion → Monday 30 March 01:00 Réunion: 1 + 1 hours.
    expect(between('2026-03-27T19:00:00Z', '2026-03-29T21:00:00Z', '97414')).toBe(2);
    // Monday 26 October 2026 00:00 CET → Tuesday 00:00: 24 hours; the Sunday of the clock change is closed.
    expect(between('2026-10-25T23:00:00Z', '2026-10-26T23:00:00Z', '75056')).toBe(24);
    // Martinique’s abolition day (Friday 22 May 2026) and Whit Monday pause.
    expect(between('2026-05-21T14:00:00Z', '2026-05-26T14:00:00Z', '97209')).toBe(24);
  });

  it('is zero when the end is not after the start, or lies in the same closed days', () => {
    expect(between('2026-03-31T10:00:00Z', '2026-03-31T09:00:00Z', '75056')).toBe(0);
    expect(between('2026-03-28T08:00:00Z', '2026-03-29T20:00:00Z', '75056')).toBe(0);
  });

  it('undoes addBusinessHours for hours, communes and starts across DST, holidays and overseas', () => {
    const starts = [
      '2026-03-27T21:30:00Z', // Friday night before the spring clock change
      '2026-04-02T10:00:00Z', // before Good Friday
      '2025-12-23T23:00:00Z', // Christmas week
      '2026-10-24T12:00:00Z', // Saturday before the autumn clock change
      '2026-05-21T14:00:00Z', // before Martinique's abolition day
    ];
    for (const commune of ['75056', '57463', '67482', '97209', '97414', '97302', '976', '2A004']) {
      for (const s of starts) {
        for (const hours of [0.25, 1, 23, 48, 72, 360]) {
          const due = addBusinessHours(at(s), hours, commune);
          expect(businessHoursBetween(at(s), due, commune), `${commune} ${s} ${hours}`).toBeCloseTo(hours, 9);
          // And the other way: adding the hours counted up to an instant never goes past it (0 hours from a
          // closed day means the next business day's midnight, which may be after it: skipped).
          const end = new Date(at(s).getTime() + hours * 7_200_000);
          const counted = businessHoursBetween(at(s), end, commune);
          if (counted > 0)
            expect(addBusinessHours(at(s), counted, commune).getTime()).toBeLessThanOrEqual(end.getTime());
        }
      }
    }
  });

  it('refuses invalid dates with a French message', () => {
    expect(() => businessHoursBetween(new Date('x'), at('2026-01-01T00:00:00Z'), '75056')).toThrow(
      /Date invalide/,
    );
  });
});
