import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { TIME_ZONES } from '../shared/time-zone.js';
import { localDay } from './local-time.js';
import { parseDebut, plainIsoInstant } from './record.js';

const luxonDay = (instant: Date, zone: string) => DateTime.fromJSDate(instant, { zone }).toISODate();

describe('localDay, with its remembered offsets', () => {
  it('agrees with Luxon over 2019–2027 in every zone served, across each offset change', () => {
    // A step of 7 × 37 minutes lands on every minute of the UTC hour over the years.
    const start = Date.UTC(2019, 0, 1);
    const end = Date.UTC(2027, 11, 31);
    let compared = 0;
    for (const zone of TIME_ZONES)
      for (let t = start; t < end; t += 7 * 37 * 60_000) {
        const instant = new Date(t);
        expect(localDay(instant, zone), `${zone} ${instant.toISOString()}`).toBe(luxonDay(instant, zone));
        compared++;
      }
    expect(compared).toBeGreaterThan(150_000);
  });

  it('is exact on both sides of the Paris and Miquelon changes (minute by minute)', () => {
    const changes = [
      ['Europe/Paris', '2026-03-29T01:00:00Z'],
      ['Europe/Paris', '2026-10-25T01:00:00Z'],
      ['America/Miquelon', '2026-03-08T05:00:00Z'],
      ['America/Miquelon', '2026-11-01T04:00:00Z'],
    ] as const;
    for (const [zone, at] of changes)
      for (let m = -180; m <= 180; m++) {
        const instant = new Date(Date.parse(at) + m * 60_000);
        expect(localDay(instant, zone)).toBe(luxonDay(instant, zone));
      }
    // Midnight local on the day of the change: 22:00 UTC in summer time, 23:00 UTC in winter time.
    expect(localDay(new Date('2026-10-24T21:59:59Z'), 'Europe/Paris')).toBe('2026-10-24');
    expect(localDay(new Date('2026-10-24T22:00:00Z'), 'Europe/Paris')).toBe('2026-10-25');
    expect(localDay(new Date('2026-10-25T22:59:59Z'), 'Europe/Paris')).toBe('2026-10-25');
    expect(localDay(new Date('2026-10-25T23:00:00Z'), 'Europe/Paris')).toBe('2026-10-26');
  });

  it('gives an empty day for an unknown zone or an invalid instant, as before', () => {
    expect(localDay(new Date('2026-05-01T10:00:00Z'), 'Mars/Olympus')).toBe('');
    expect(localDay(new Date(Number.NaN), 'Europe/Paris')).toBe('');
  });
});

describe('plainIsoInstant, the import’s reading of debut', () => {
  it('gives the instant Luxon gives for the common shapes', () => {
    const samples = [
      '2026-05-04T09:30:00+02:00',
      '2026-05-04T09:30+02:00',
      '2026-05-04T09:30:00Z',
      '2026-05-04T09:30:00.5Z',
      '2026-05-04T09:30:00.123456-03:00',
      '2024-02-29T23:59:59+0530',
      '2026-12-31T23:59:59-09:30',
      '2019-01-01T00:00:00+14:00',
    ];
    for (const s of samples)
      expect(plainIsoInstant(s)?.getTime(), s).toBe(DateTime.fromISO(s, { setZone: true }).toMillis());
  });

  it('leaves anything unusual to Luxon, which names the problem', () => {
    for (const s of [
      '2026-02-30T10:00:00Z',
      '2026-13-01T10:00:00Z',
      '2026-05-04T24:00:00Z',
      '2026-05-04T10:60Z',
    ])
      expect(plainIsoInstant(s), s).toBeNull();
    expect(parseDebut('2026-02-30T10:00:00Z')).toMatch(/impossible/);
    expect(plainIsoInstant('2026-05-04T10:00:00+25:00')).toBeNull();
    expect(parseDebut('0099-05-04T10:00:00Z')).toBeInstanceOf(Date);
  });
});
