import { describe, expect, it } from 'vitest';
import { toParisIso } from '../shared/time.js';
import { sampleDocument } from './fixtures.js';
import { parseMobileDocument } from './load.js';
import type { Occurrence, Schedule } from './model.js';
import { currentPassage, expandOccurrences, isUnitAtStop, nextPassages, sortByStart } from './occurrences.js';

const schedule = (patch?: (d: ReturnType<typeof sampleDocument>) => void): Schedule => {
  const doc = sampleDocument();
  patch?.(doc);
  return parseMobileDocument(doc).data;
};
const iso = (o: { start: Date; end: Date }) => [toParisIso(o.start), toParisIso(o.end)];

describe('daylight-saving changes (2026-03-29 and 2026-10-25)', () => {
  it('keeps 09:00 at 09:00 on the Tuesdays around the spring change', () => {
    const occ = expandOccurrences(schedule(), '2026-03-20', '2026-04-02', {
      unit: 'bus-tso',
      stop: 'guise-marche',
    });
    expect(occ.map(iso)).toEqual([
      ['2026-03-24T09:00:00+01:00', '2026-03-24T12:00:00+01:00'],
      ['2026-03-31T09:00:00+02:00', '2026-03-31T12:00:00+02:00'],
    ]);
    expect(occ[1]?.start.toISOString()).toBe('2026-03-31T07:00:00.000Z');
  });

  it('keeps 09:00 at 09:00 around the autumn change', () => {
    const occ = expandOccurrences(schedule(), '2026-10-19', '2026-11-01', { stop: 'guise-marche' });
    expect(occ.map(iso)).toEqual([
      ['2026-10-20T09:00:00+02:00', '2026-10-20T12:00:00+02:00'],
      ['2026-10-27T09:00:00+01:00', '2026-10-27T12:00:00+01:00'],
    ]);
  });

  it('on the change days themselves (a Sunday market)', () => {
    const s = schedule((d) => {
      Object.assign(d.entries[0] as object, { rrule: 'FREQ=WEEKLY;BYDAY=SU', start: '08:00', end: '12:30' });
      d.exceptions = [];
    });
    const occ = expandOccurrences(s, '2026-03-29', '2026-03-29', { stop: 'guise-marche' });
    expect(occ.map(iso)).toEqual([['2026-03-29T08:00:00+02:00', '2026-03-29T12:30:00+02:00']]);
    const oct = expandOccurrences(s, '2026-10-25', '2026-10-25', { stop: 'guise-marche' });
    expect(oct.map(iso)).toEqual([['2026-10-25T08:00:00+01:00', '2026-10-25T12:30:00+01:00']]);
    // The 25 October passage lasts 4 h 30 of real time, not 5 h 30: the extra hour falls at night.
    expect(((oct[0]?.end.getTime() ?? 0) - (oct[0]?.start.getTime() ?? 0)) / 3_600_000).toBe(4.5);
  });
});

describe('expandOccurrences', () => {
  const all = expandOccurrences(schedule(), '2026-01-01', '2026-12-31');

  it('is sorted by start', () => {
    const t = all.map((o) => o.start.getTime());
    expect(t).toEqual([...t].sort((a, b) => a - b));
  });

  it('lists a cancellation with its status and public reason', () => {
    const o = all.find((x) => x.entry === 'e1' && x.date === '2026-05-12');
    expect(o).toMatchObject({ status: 'cancelled', reason: 'Panne du véhicule', commune: '02361' });
  });

  it('lists a moved passage at its new date and time, and not at the old one', () => {
    expect(all.some((x) => x.entry === 'e1' && x.date === '2026-06-02')).toBe(false);
    const o = all.find((x) => x.entry === 'e1' && x.date === '2026-06-03');
    expect(o?.status).toBe('moved');
    expect(o && iso(o)).toEqual(['2026-06-03T10:00:00+02:00', '2026-06-03T13:00:00+02:00']);
  });

  it('lists an added date at the entry’s times', () => {
    const o = all.find((x) => x.entry === 'e1' && x.date === '2026-07-15');
    expect(o?.status).toBe('scheduled');
    expect(o && iso(o)).toEqual(['2026-07-15T09:00:00+02:00', '2026-07-15T12:00:00+02:00']);
  });

  it('skips public holidays unless the entry keeps them', () => {
    // 14 July 2026 is a Tuesday; 25 and 29 December a Friday (last one of the month: 25).
    expect(all.some((x) => x.date === '2026-07-14')).toBe(false);
    expect(all.some((x) => x.entry === 'e2' && x.date === '2026-12-25')).toBe(false);
    const kept = expandOccurrences(
      schedule((d) => Object.assign(d.entries[0] as object, { holidays: 'keep' })),
      '2026-07-14',
      '2026-07-14',
    );
    expect(kept.map((o) => o.status)).toEqual(['scheduled']);
  });

  it('counts the passages of the year', () => {
    // 52 Tuesdays in 2026 (6 Jan … 29 Dec); 14 July is the only Tuesday holiday; the moved
    // 2 June is listed once (on 3 June); the cancelled 12 May is listed; plus the added 15 July.
    const e1 = all.filter((o) => o.entry === 'e1');
    expect(e1).toHaveLength(52 - 1 + 1);
    // Last Fridays: 12, minus 25 December (Noël).
    expect(all.filter((o) => o.entry === 'e2')).toHaveLength(11);
  });

  it('uses the commune’s holidays: 26 December only in Alsace-Moselle', () => {
    const s = schedule((d) => {
      Object.assign(d.entries[1] as object, { rrule: 'FREQ=MONTHLY;BYMONTHDAY=26' });
      Object.assign(d.stops[1] as object, { commune: '67482', lat: 48.58, lon: 7.75 });
      d.units[0] = { ...(d.units[0] as object), depot: { lat: 48.6, lon: 7.7 } };
      d.stops.splice(0, 1);
      d.entries.splice(0, 1);
      d.exceptions = [];
    });
    const dec = expandOccurrences(s, '2026-12-01', '2026-12-31');
    expect(dec).toHaveLength(0);
    const nov = expandOccurrences(s, '2026-11-01', '2026-11-30');
    expect(nov.map((o) => o.date)).toEqual(['2026-11-26']);
  });
});

describe('next passages and "open now"', () => {
  const s = schedule();

  it('gives the next passages, a passage under way first', () => {
    const now = new Date('2026-05-05T08:30:00Z'); // Tuesday 10:30 in Paris: the bus is at Guise
    const next = nextPassages(s, now, 3, { stop: 'guise-marche' });
    expect(next.map((o) => [o.date, o.status])).toEqual([
      ['2026-05-05', 'scheduled'],
      ['2026-05-12', 'cancelled'],
      ['2026-05-19', 'scheduled'],
    ]);
  });

  it('looks far enough ahead for a monthly stop', () => {
    const next = nextPassages(s, new Date('2026-01-31T12:00:00Z'), 2, { stop: 'wassigny-mairie' });
    expect(next.map((o) => o.date)).toEqual(['2026-02-27', '2026-03-27']);
  });

  it('is open only while the bus is actually there', () => {
    const f = { stop: 'guise-marche' };
    expect(isUnitAtStop(s, new Date('2026-05-05T06:59:00Z'), f)).toBe(false); // 08:59
    expect(isUnitAtStop(s, new Date('2026-05-05T07:00:00Z'), f)).toBe(true); // 09:00
    expect(currentPassage(s, new Date('2026-05-05T09:59:00Z'), f)?.entry).toBe('e1'); // 11:59
    expect(isUnitAtStop(s, new Date('2026-05-05T10:00:00Z'), f)).toBe(false); // 12:00
    expect(isUnitAtStop(s, new Date('2026-05-05T08:00:00Z'), { stop: 'wassigny-mairie' })).toBe(false);
  });

  it('is not open during a cancelled passage, and open at the moved time', () => {
    expect(isUnitAtStop(s, new Date('2026-05-12T08:00:00Z'), { unit: 'bus-tso' })).toBe(false);
    expect(isUnitAtStop(s, new Date('2026-06-02T08:00:00Z'), { unit: 'bus-tso' })).toBe(false);
    expect(isUnitAtStop(s, new Date('2026-06-03T10:30:00Z'), { unit: 'bus-tso' })).toBe(true); // 12:30
  });
});

describe('sortByStart', () => {
  it('orders by start then entry, like a comparison sort, on 5,000 seeded passages', () => {
    let seed = 7;
    const rand = () => {
      seed = (seed * 16_807) % 2_147_483_647;
      return seed / 2_147_483_647;
    };
    const t0 = Date.UTC(2026, 0, 1);
    const list: Occurrence[] = Array.from({ length: 5000 }, () => {
      const start = new Date(t0 + Math.floor(rand() * 365 * 48) * 1_800_000);
      return {
        entry: `e${Math.floor(rand() * 50)}`,
        unit: 'u',
        stop: 's',
        commune: '02361',
        date: '',
        start,
        end: start,
        status: 'scheduled',
      };
    });
    const expected = [...list].sort(
      (a, b) => a.start.getTime() - b.start.getTime() || (a.entry < b.entry ? -1 : a.entry > b.entry ? 1 : 0),
    );
    const got = sortByStart([...list]);
    expect(got.map((o) => [o.start.getTime(), o.entry])).toEqual(
      expected.map((o) => [o.start.getTime(), o.entry]),
    );
  });
});
