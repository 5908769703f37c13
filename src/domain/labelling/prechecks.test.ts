import { describe, expect, it } from 'vitest';
import { weeklyHoursFromText } from '../directory/opening-hours.js';
import { PARTNERS } from '../directory/structure.js';
import { type PrecheckInput, precheck } from './prechecks.js';

const week = (days: Record<string, string>) => weeklyHoursFromText(days).hours;
const allReferents = Object.fromEntries(PARTNERS.map((p) => [p, `Référent ${p}`]));
const base = (over: Partial<PrecheckInput> = {}): PrecheckInput => ({
  idFs: 'FS-TEST',
  format: 'fixe',
  hours: week({
    lundi: '09:00 - 12:00 / 13:30 - 17:00',
    mardi: '09:00 - 12:00 / 13:30 - 17:00',
    mercredi: '09:00 - 12:00',
    jeudi: '09:00 - 12:00 / 13:30 - 17:00',
    vendredi: '09:00 - 12:00 / 13:30 - 17:00',
  }),
  agents: [
    { name: 'Anne', trainedOn: '2025-01-15' },
    { name: 'Bruno', trainedOn: '2025-02-03' },
  ],
  partners: [...PARTNERS],
  referents: allReferents,
  mobile: null,
  ...over,
});
const status = (input: PrecheckInput, code: string) =>
  precheck(input).criteria.find((c) => c.code === code)?.status;

describe('pre-checks', () => {
  it('passes a complete fixed structure, and reports hours and days', () => {
    const r = precheck(base());
    expect(r.weeklyHours).toBe(29);
    expect(r.openDays).toBe(5);
    expect(r.criteria.map((c) => [c.code, c.status])).toEqual([
      ['OUV-01', 'ok'],
      ['OUV-02', 'ok'],
      ['PER-01', 'ok'],
      ['PER-02', 'ok'],
      ['PAR-01', 'ok'],
      ['PAR-02', 'ok'],
    ]);
  });

  it('24 h exactly is enough; 23 h 59 is not', () => {
    const five = (range: string) =>
      week({ lundi: range, mardi: range, mercredi: range, jeudi: range, vendredi: '09:00 - 13:00' });
    // 4 × 5 h + 4 h = 24 h
    const exactly = base({ hours: five('09:00 - 14:00') });
    expect(precheck(exactly).weeklyHours).toBe(24);
    expect(status(exactly, 'OUV-01')).toBe('ok');
    const short = base({
      hours: week({
        lundi: '09:00 - 14:00',
        mardi: '09:00 - 14:00',
        mercredi: '09:00 - 14:00',
        jeudi: '09:00 - 14:00',
        vendredi: '09:00 - 12:59',
      }),
    });
    expect(status(short, 'OUV-01')).toBe('failed');
    expect(precheck(short).criteria[0]?.detail).toBe('23 h 59 d’ouverture par semaine (minimum 24 h).');
  });

  it('5 days with one of them 30 minutes: the short day still counts as an open day', () => {
    const r = precheck(
      base({
        hours: week({
          lundi: '08:00 - 14:00',
          mardi: '08:00 - 14:00',
          mercredi: '08:00 - 14:00',
          jeudi: '08:00 - 14:00',
          vendredi: '09:00 - 09:30',
        }),
      }),
    );
    expect(r.openDays).toBe(5);
    expect(r.weeklyHours).toBe(24.5);
    expect(r.criteria.slice(0, 2).map((c) => c.status)).toEqual(['ok', 'ok']);
    // and with 4 long days only, the 5-day rule fails though hours are enough
    const four = precheck(
      base({
        hours: week({
          lundi: '08:00 - 15:00',
          mardi: '08:00 - 15:00',
          mercredi: '08:00 - 15:00',
          jeudi: '08:00 - 15:00',
        }),
      }),
    );
    expect(four.weeklyHours).toBe(28);
    expect(four.criteria.find((c) => c.code === 'OUV-02')).toMatchObject({
      status: 'failed',
      detail: 'Ouverte 4 jour(s) par semaine (minimum 5).',
    });
  });

  it('overlapping ranges count once (union after normalisation)', () => {
    const hours = {
      days: {
        lundi: [
          { start: 540, end: 780 },
          { start: 720, end: 1020 },
        ],
        mardi: [{ start: 540, end: 1020 }],
        mercredi: [{ start: 540, end: 1020 }],
        jeudi: [],
        vendredi: [],
        samedi: [],
        dimanche: [],
      },
    };
    expect(precheck(base({ hours })).weeklyHours).toBe(24);
  });

  it('fails with fewer than 2 agents, or an agent without training date', () => {
    expect(status(base({ agents: [{ name: 'Anne', trainedOn: '2025-01-15' }] }), 'PER-01')).toBe('failed');
    const r = precheck(
      base({
        agents: [
          { name: 'Anne', trainedOn: '2025-01-15' },
          { name: 'Bruno', trainedOn: null },
        ],
      }),
    );
    expect(r.criteria.find((c) => c.code === 'PER-01')?.status).toBe('ok');
    expect(r.criteria.find((c) => c.code === 'PER-02')).toMatchObject({
      status: 'failed',
      detail: 'Date de formation manquante pour : Bruno.',
    });
  });

  it('says unknown, not failed, for facts the directory does not hold', () => {
    const r = precheck(base({ agents: null, referents: null }));
    expect(r.criteria.filter((c) => c.status === 'unknown').map((c) => c.code)).toEqual([
      'PER-01',
      'PER-02',
      'PAR-02',
    ]);
  });

  it('names missing partners and partners without référent', () => {
    const r = precheck(
      base({ partners: PARTNERS.filter((p) => p !== 'msa'), referents: { ...allReferents, caf: ' ' } }),
    );
    expect(r.criteria.find((c) => c.code === 'PAR-01')?.detail).toContain('Mutualité sociale agricole');
    expect(r.criteria.find((c) => c.code === 'PAR-02')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('CAF'),
    });
  });

  it('buses: stops and a calendar with dates are required; a calendar with no dates fails', () => {
    const bus = (mobile: PrecheckInput['mobile']) => base({ format: 'bus', mobile });
    expect(status(base(), 'OUV-04')).toBeUndefined();
    expect(status(bus({ stops: 6, calendarDates: 48, calendarPublished: true }), 'OUV-04')).toBe('ok');
    const empty = precheck(bus({ stops: 6, calendarDates: 0, calendarPublished: true }));
    expect(empty.criteria.find((c) => c.code === 'OUV-04')).toMatchObject({
      status: 'failed',
      detail: 'Itinérance : le calendrier publié ne contient aucune date de passage.',
    });
    expect(
      precheck(bus({ stops: 0, calendarDates: 0, calendarPublished: false })).criteria.at(-1)?.detail,
    ).toBe('Itinérance : aucun point d’arrêt déclaré ; calendrier de passage non publié.');
    expect(status(bus(null), 'OUV-04')).toBe('unknown');
  });
});
