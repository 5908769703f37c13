import { describe, expect, it } from 'vitest';
import { weeklyHoursFromText } from '../directory/opening-hours.js';
import { toLocalIso } from '../shared/time-zone.js';
import type { Plage } from './availability.js';
import {
  type BookingCalendar,
  freeSlots,
  hasFreeSlotWithin,
  type SlotRequest,
  unitsOf,
  wallToInstant,
} from './slots.js';

const DAYS = '09:00 - 12:00 / 13:30 - 17:00';
const hours = weeklyHoursFromText({
  lundi: DAYS,
  mardi: DAYS,
  mercredi: DAYS,
  jeudi: DAYS,
  vendredi: DAYS,
  samedi: DAYS,
  dimanche: DAYS,
}).hours;
const guise: BookingCalendar = {
  zone: 'Europe/Paris',
  commune: '02361',
  hours,
  closures: [],
  status: 'ouverte',
  statusUntil: null,
};
const motif = {
  id: 'm1',
  durationMin: 30,
  channel: 'sur_place' as const,
  minNoticeMin: 0,
  maxNoticeDays: 93,
};
const plage = (over: Partial<Plage> = {}): Plage => ({
  id: 'p',
  agentId: 'a1',
  structureId: 's',
  weekday: 'lundi',
  start: 9 * 60,
  end: 12 * 60,
  validFrom: null,
  validUntil: null,
  motifIds: null,
  ...over,
});
const req = (over: Partial<SlotRequest>): SlotRequest => ({
  // Asked a day before the range unless said otherwise (the motif allows 93 days ahead).
  now: new Date((over.from ?? new Date('2026-01-01T00:00:00Z')).getTime() - 86_400_000),
  calendar: guise,
  motif,
  plages: [plage()],
  from: new Date('2026-01-01T00:00:00Z'),
  to: new Date('2026-01-31T00:00:00Z'),
  ...over,
});
const locals = (slots: ReturnType<typeof freeSlots>, zone = guise.zone) =>
  slots.map((s) => toLocalIso(s.start, zone));

describe('free slots', () => {
  it('cuts a plage into slots of the motif’s duration, on the local wall clock', () => {
    const slots = freeSlots(
      req({ from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-06T00:00:00Z') }),
    );
    expect(locals(slots)).toEqual([
      '2026-01-05T09:00:00+01:00',
      '2026-01-05T09:30:00+01:00',
      '2026-01-05T10:00:00+01:00',
      '2026-01-05T10:30:00+01:00',
      '2026-01-05T11:00:00+01:00',
      '2026-01-05T11:30:00+01:00',
    ]);
    expect(slots[0]?.agentIds).toEqual(['a1']);
    expect(Number(slots[0]?.end) - Number(slots[0]?.start)).toBe(30 * 60_000);
  });

  it('keeps inside the opening hours (lunch break) even when the plage is wider', () => {
    const slots = freeSlots(
      req({
        plages: [plage({ start: 11 * 60, end: 15 * 60 })],
        from: new Date('2026-01-05T00:00:00Z'),
        to: new Date('2026-01-06T00:00:00Z'),
      }),
    );
    expect(locals(slots).map((s) => s.slice(11, 16))).toEqual(['11:00', '11:30', '13:30', '14:00', '14:30']);
  });

  it('a 09:00 slot stays 09:00 local across the March and the October clock changes', () => {
    const march = freeSlots(
      req({
        plages: [plage({ weekday: 'dimanche', start: 0, end: 12 * 60 }), plage({ weekday: 'lundi' })],
        calendar: { ...guise, hours: weeklyHoursFromText({ dimanche: '00:00 - 12:00', lundi: DAYS }).hours },
        from: new Date('2026-03-22T00:00:00Z'),
        to: new Date('2026-03-31T00:00:00Z'),
      }),
    );
    const l = locals(march);
    expect(l).toContain('2026-03-23T09:00:00+01:00'); // Monday before the change
    expect(l).toContain('2026-03-30T09:00:00+02:00'); // Monday after the change
    // Sunday 29 March: 02:00 and 02:30 do not exist on the wall clock, so no slot there.
    expect(l.filter((s) => s.startsWith('2026-03-29T02'))).toEqual([]);
    expect(l).toContain('2026-03-29T01:30:00+01:00');
    expect(l).toContain('2026-03-29T03:00:00+02:00');
    const october = freeSlots(
      req({ from: new Date('2026-10-19T00:00:00Z'), to: new Date('2026-10-27T00:00:00Z') }),
    );
    expect(
      locals(october).filter((s) => s.endsWith('T09:00:00+02:00') || s.endsWith('T09:00:00+01:00')),
    ).toEqual(['2026-10-19T09:00:00+02:00', '2026-10-26T09:00:00+01:00']);
  });

  it('overseas: 09:00 at La Réunion is 05:00 UTC, with no clock change', () => {
    const reunion: BookingCalendar = { ...guise, zone: 'Indian/Reunion', commune: '97411' };
    const slots = freeSlots(
      req({
        calendar: reunion,
        from: new Date('2026-03-23T00:00:00Z'),
        to: new Date('2026-03-31T00:00:00Z'),
      }),
    );
    expect(slots[0]?.start.toISOString()).toBe('2026-03-23T05:00:00.000Z');
    expect(locals(slots, 'Indian/Reunion').filter((s) => s.includes('T09:00'))).toEqual([
      '2026-03-23T09:00:00+04:00',
      '2026-03-30T09:00:00+04:00',
    ]);
  });

  it('no slot on a public holiday of the commune, nor on an overseas abolition day', () => {
    // Easter Monday 2026-04-06 in Guise; 2026-12-21 is an ordinary Monday at La Réunion, 20 Dec a Sunday.
    const slots = freeSlots(
      req({ from: new Date('2026-04-01T00:00:00Z'), to: new Date('2026-04-14T00:00:00Z') }),
    );
    expect(new Set(locals(slots).map((s) => s.slice(0, 10)))).toEqual(new Set(['2026-04-13']));
    const reunion: BookingCalendar = { ...guise, zone: 'Indian/Reunion', commune: '97411' };
    const sunday = freeSlots(
      req({
        calendar: reunion,
        plages: [plage({ weekday: 'dimanche' })],
        from: new Date('2026-12-13T00:00:00Z'),
        to: new Date('2026-12-22T00:00:00Z'),
      }),
    );
    expect(new Set(locals(sunday, 'Indian/Reunion').map((s) => s.slice(0, 10)))).toEqual(
      new Set(['2026-12-13']),
    );
  });

  it('no slot during an exceptional closure, nor while the structure is closed by its status', () => {
    const range = { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-20T00:00:00Z') };
    const closed = freeSlots(
      req({
        ...range,
        calendar: { ...guise, closures: [{ from: '2026-01-05', to: '2026-01-12', message: 'Travaux' }] },
      }),
    );
    expect(new Set(locals(closed).map((s) => s.slice(0, 10)))).toEqual(new Set(['2026-01-19']));
    const temp = freeSlots(
      req({ ...range, calendar: { ...guise, status: 'fermee_temporairement', statusUntil: '2026-01-12' } }),
    );
    expect(new Set(locals(temp).map((s) => s.slice(0, 10)))).toEqual(new Set(['2026-01-19']));
    expect(freeSlots(req({ ...range, calendar: { ...guise, status: 'fermee_definitivement' } }))).toEqual([]);
    expect(
      freeSlots(
        req({ ...range, calendar: { ...guise, status: 'fermee_temporairement', statusUntil: null } }),
      ),
    ).toEqual([]);
    // Remote reception only: phone appointments yes, on-site no.
    const remote = { ...guise, status: 'accueil_a_distance' as const };
    expect(freeSlots(req({ ...range, calendar: remote }))).toEqual([]);
    expect(
      freeSlots(req({ ...range, calendar: remote, motif: { ...motif, channel: 'telephone' } })).length,
    ).toBeGreaterThan(0);
  });

  it('respects the motif’s minimum and maximum notice', () => {
    const now = new Date('2026-01-05T08:00:00Z'); // 09:00 in Guise, a Monday
    const slots = freeSlots(
      req({
        now,
        from: now,
        to: new Date('2026-02-28T00:00:00Z'),
        motif: { ...motif, minNoticeMin: 120, maxNoticeDays: 8 },
      }),
    );
    expect(locals(slots)).toEqual([
      '2026-01-05T11:00:00+01:00',
      '2026-01-05T11:30:00+01:00',
      '2026-01-12T09:00:00+01:00',
      '2026-01-12T09:30:00+01:00',
      '2026-01-12T10:00:00+01:00',
      '2026-01-12T10:30:00+01:00',
      '2026-01-12T11:00:00+01:00',
      '2026-01-12T11:30:00+01:00',
    ]);
    // An agent booking at the counter is only held to "not in the past".
    const counter = freeSlots(
      req({
        now,
        from: now,
        to: new Date('2026-01-06T00:00:00Z'),
        motif: { ...motif, minNoticeMin: 120 },
        ignoreNotice: true,
      }),
    );
    expect(locals(counter)[0]).toBe('2026-01-05T09:00:00+01:00');
  });

  it('leaves out taken slots and absences, per agent, and merges agents free at the same time', () => {
    const range = { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-06T00:00:00Z') };
    const two = [plage(), plage({ id: 'q', agentId: 'a2' })];
    const busy = [
      { agentId: 'a1', start: new Date('2026-01-05T08:00:00Z'), end: new Date('2026-01-05T08:15:00Z') },
    ];
    const absences = [
      {
        id: 'x',
        agentId: 'a2',
        start: new Date('2026-01-05T10:00:00Z'),
        end: new Date('2026-01-05T11:00:00Z'),
        label: null,
      },
    ];
    const slots = freeSlots(req({ ...range, plages: two, busy, absences }));
    const byTime = Object.fromEntries(
      slots.map((s) => [toLocalIso(s.start, guise.zone).slice(11, 16), s.agentIds]),
    );
    expect(byTime['09:00']).toEqual(['a2']); // a1 taken 09:00–09:15
    expect(byTime['09:30']).toEqual(['a1', 'a2']);
    expect(byTime['11:00']).toEqual(['a1']); // a2 away 11:00–12:00 local
    const both = freeSlots(
      req({
        ...range,
        busy: [
          ...busy,
          { agentId: 'a1', start: new Date('2026-01-05T08:30:00Z'), end: new Date('2026-01-05T11:00:00Z') },
        ],
      }),
    );
    expect(both).toEqual([]);
  });

  it('plages for some motifs only, and between dates', () => {
    const range = { from: new Date('2026-01-05T00:00:00Z'), to: new Date('2026-01-20T00:00:00Z') };
    expect(freeSlots(req({ ...range, plages: [plage({ motifIds: ['other'] })] }))).toEqual([]);
    const dated = freeSlots(
      req({ ...range, plages: [plage({ validFrom: '2026-01-10', validUntil: '2026-01-12' })] }),
    );
    expect(new Set(locals(dated).map((s) => s.slice(0, 10)))).toEqual(new Set(['2026-01-12']));
  });

  it('refuses a range longer than 93 days or backwards, with the field', () => {
    expect(() =>
      freeSlots(req({ from: new Date('2026-01-01T00:00:00Z'), to: new Date('2026-06-01T00:00:00Z') })),
    ).toThrow(/93 jours/);
    expect(() =>
      freeSlots(req({ from: new Date('2026-02-01T00:00:00Z'), to: new Date('2026-01-01T00:00:00Z') })),
    ).toThrow(/suivre/);
    expect(() => freeSlots(req({ from: new Date('x') }))).toThrow(/invalide/);
  });

  it('maps wall times to instants; none inside the spring-forward gap; units are 5 minutes', () => {
    expect(wallToInstant('2026-03-29', 150, 'Europe/Paris')).toBeNull();
    expect(new Date(wallToInstant('2026-03-29', 180, 'Europe/Paris') as number).toISOString()).toBe(
      '2026-03-29T01:00:00.000Z',
    );
    expect(new Date(wallToInstant('2026-10-25', 150, 'Europe/Paris') as number).toISOString()).toBe(
      '2026-10-25T01:30:00.000Z',
    );
    expect(
      unitsOf(new Date('2026-01-05T08:00:00Z'), new Date('2026-01-05T08:20:00Z')).map((d) =>
        d.toISOString().slice(11, 16),
      ),
    ).toEqual(['08:00', '08:05', '08:10', '08:15']);
  });
});

describe('bookable within N days (the locator’s filter)', () => {
  // Tuesday 6 January 2026, 10:00 in Guise; the only plage is on Mondays.
  const now = new Date('2026-01-06T09:00:00Z');
  const base = { calendar: guise, motifs: [motif], plages: [plage()], absences: [], busy: [], now, days: 14 };

  it('finds the next Monday’s slots, and stops at the first day with one', () => {
    expect(hasFreeSlotWithin(base)).toBe(true);
    const first = freeSlots(req({ from: now, to: new Date('2026-01-20T09:00:00Z'), now, limit: 1 }));
    // The whole first Monday, not the second one.
    expect(locals(first)[0]).toBe('2026-01-12T09:00:00+01:00');
    expect(first.every((s) => toLocalIso(s.start, guise.zone).startsWith('2026-01-12'))).toBe(true);
  });

  it('is false beyond the window, within the notice, once taken, or with no motif', () => {
    expect(hasFreeSlotWithin({ ...base, days: 5 })).toBe(false);
    expect(hasFreeSlotWithin({ ...base, motifs: [{ ...motif, minNoticeMin: 14 * 1440 }] })).toBe(false);
    expect(hasFreeSlotWithin({ ...base, motifs: [] })).toBe(false);
    // Both Mondays fully taken by appointments of the agent.
    const busy = ['2026-01-12', '2026-01-19'].map((d) => ({
      agentId: 'a1',
      start: new Date(`${d}T08:00:00Z`),
      end: new Date(`${d}T11:00:00Z`),
    }));
    expect(hasFreeSlotWithin({ ...base, busy })).toBe(false);
    expect(hasFreeSlotWithin({ ...base, busy: busy.slice(0, 1) })).toBe(true);
    expect(hasFreeSlotWithin({ ...base, calendar: { ...guise, status: 'fermee_definitivement' } })).toBe(
      false,
    );
  });
});
