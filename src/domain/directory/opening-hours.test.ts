import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { readRealText } from '../../../test/support/real-data.js';
import { DomainError } from '../shared/errors.js';
import { parisInstant } from '../shared/time.js';
import {
  CLOSED_WEEK,
  describeOpeningState,
  formatDayHours,
  localWeekday,
  openDaysCount,
  openingState,
  parseDayHours,
  type TimeRange,
  WEEKDAYS,
  type WeeklyHours,
  weeklyHoursFromText,
  weeklyTotalHours,
} from './opening-hours.js';
import type { ExceptionalClosure } from './structure.js';

const catchError = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
};

/** A week from literal day texts; the parser is tested on its own below. */
const week = (days: Parameters<typeof weeklyHoursFromText>[0]): WeeklyHours =>
  weeklyHoursFromText(days).hours;
const OFFICE = '09:00 - 12:00 / 13:30 - 17:00';
const usual = week({
  lundi: OFFICE,
  mardi: OFFICE,
  mercredi: OFFICE,
  jeudi: OFFICE,
  vendredi: OFFICE,
  samedi: '09:00 - 12:00',
});
const paris = (date: string, time: string) => parisInstant(date, time);

describe('parseDayHours', () => {
  it('reads the official format', () => {
    expect(parseDayHours(OFFICE)).toEqual({
      ranges: [
        { start: 540, end: 720 },
        { start: 810, end: 1020 },
      ],
      changes: [],
    });
  });

  it.each([[''], ['   '], [null], [undefined], ['00:00 - 00:00'], ['00:00 - 00:00 / 00:00 - 00:00']])(
    'reads %j as closed that day',
    (text) => {
      expect(parseDayHours(text)).toEqual({ ranges: [], changes: [] });
    },
  );

  it.each([
    ['9h00-12h', '09:00 - 12:00'],
    ['09h00 - 12h00', '09:00 - 12:00'],
    ['9:00-12:00', '09:00 - 12:00'],
    ['9H30 - 12H', '09:30 - 12:00'],
    ['  09:00   -  12:00  /  13:30 -17:00 ', OFFICE],
    ['9h-12h, 13h30-17h', OFFICE],
    ['9h-12h; 13h30-17h', OFFICE],
    ['9h00 - 12h00 et 13h30 - 17h00', OFFICE],
    ['09:00 – 12:00 / 13:30 – 17:00', OFFICE],
    ['9h à 12h', '09:00 - 12:00'],
    ['20:00 - 24:00', '20:00 - 24:00'],
  ])('tolerates %j', (text, official) => {
    const { ranges, changes } = parseDayHours(text);
    expect(formatDayHours(ranges)).toBe(official);
    if (text !== official)
      expect(changes).toContain(`Écriture normalisée : « ${text.trim()} » devient « ${official} »`);
  });

  it('allows 24:00 as an end', () => {
    expect(parseDayHours('18:00 - 24:00').ranges).toEqual([{ start: 1080, end: 1440 }]);
  });

  it.each([
    ['17:00 - 09:00', 'Plage horaire inversée dans « 17:00 - 09:00 »'],
    ['09:00 - 12:00 / 16:00 - 14:00', 'Plage horaire inversée dans « 09:00 - 12:00 / 16:00 - 14:00 »'],
    ['09:00 - 25:00', 'Heure impossible 25:00 dans « 09:00 - 25:00 »'],
    ['09:00 - 24:30', 'Heure impossible 24:30'],
    ['09:75 - 12:00', 'Heure impossible 09:75'],
    ['24:00 - 24:00', 'ne peut pas commencer à 24:00'],
    ['sur rendez-vous', 'Horaires illisibles : « sur rendez-vous »'],
    ['09:00 - 12:00 /', 'Horaires illisibles : « 09:00 - 12:00 / »'],
    ['9-12', 'Horaires illisibles : « 9-12 »'],
    ['09:00 - 12:00 13:30 - 17:00', 'Horaires illisibles'],
  ])('rejects %j with a French message naming the field', (text, message) => {
    const e = catchError(() => parseDayHours(text, 'h_lundi'));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'invalid', field: 'h_lundi' });
    expect((e as DomainError).message).toContain(message);
  });

  it('names the default field "horaires"', () => {
    expect(catchError(() => parseDayHours('fermé le matin'))).toMatchObject({ field: 'horaires' });
  });

  it('merges the overlapping ranges of the real file', () => {
    expect(parseDayHours('09:00 - 12:00 / 09:00 - 16:30 / 14:00 - 16:30')).toEqual({
      ranges: [{ start: 540, end: 990 }],
      changes: ['Plages qui se chevauchent fusionnées : 09:00 - 16:30'],
    });
    expect(parseDayHours('09:00 - 16:30 / 09:00 - 12:00').changes).toEqual([
      'Plages qui se chevauchent fusionnées : 09:00 - 16:30',
    ]);
    expect(parseDayHours('13:30 - 16:00 / 13:30 - 16:00').changes).toEqual([
      'Plages qui se chevauchent fusionnées : 13:30 - 16:00',
    ]);
  });

  it('merges touching ranges, sorts, and drops zero-length ranges', () => {
    expect(parseDayHours('09:00 - 11:00 / 11:00 - 12:00 / 13:30 - 17:00')).toEqual({
      ranges: [
        { start: 540, end: 720 },
        { start: 810, end: 1020 },
      ],
      changes: ['Plages contiguës fusionnées : 09:00 - 12:00'],
    });
    expect(parseDayHours('13:30 - 17:00 / 09:00 - 12:00')).toEqual({
      ranges: [
        { start: 540, end: 720 },
        { start: 810, end: 1020 },
      ],
      changes: ['Plages remises dans l’ordre'],
    });
    expect(parseDayHours('12:00 - 12:00 / 14:00 - 16:00')).toEqual({
      ranges: [{ start: 840, end: 960 }],
      changes: ['Plage de durée nulle ignorée : 12:00 - 12:00'],
    });
    // The official "00:00 - 00:00" placeholder is dropped without a note.
    expect(parseDayHours('00:00 - 00:00 / 00:00 - 00:00 / 08:30 - 16:00')).toEqual({
      ranges: [{ start: 510, end: 960 }],
      changes: [],
    });
  });

  it('is stable through formatDayHours', () => {
    for (const text of [
      '9h-12h et 11h-18h',
      '13:30 - 17:00 / 09:00 - 12:00',
      '20:00 - 24:00',
      '',
      '00:00 - 24:00',
    ]) {
      const once = parseDayHours(text);
      const again = parseDayHours(formatDayHours(once.ranges));
      expect(again).toEqual({ ranges: once.ranges, changes: [] });
    }
    expect(formatDayHours([])).toBe('');
  });
});

describe('weeklyHoursFromText', () => {
  it('builds a week, missing days closed, changes carrying their day', () => {
    const { hours, changes } = weeklyHoursFromText({
      lundi: OFFICE,
      mardi: '9h-12h',
      samedi: '00:00 - 00:00',
    });
    expect(hours.days.lundi).toHaveLength(2);
    expect(hours.days.mardi).toEqual([{ start: 540, end: 720 }]);
    for (const day of ['mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'] as const) {
      expect(hours.days[day]).toEqual([]);
    }
    expect(changes).toEqual([
      { day: 'mardi', message: 'Écriture normalisée : « 9h-12h » devient « 09:00 - 12:00 »' },
    ]);
  });

  it('names the day in errors', () => {
    const e = catchError(() => weeklyHoursFromText({ lundi: OFFICE, mardi: '14:00 - 12:00' }));
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toMatchObject({ code: 'invalid', field: 'horaires.mardi' });
    expect((e as DomainError).message).toMatch(/^Mardi : Plage horaire inversée/);
  });

  it('rejects an unknown day rather than closing it silently', () => {
    const days = { Lundi: OFFICE } as unknown as Record<'lundi', string>;
    expect(catchError(() => weeklyHoursFromText(days))).toMatchObject({ code: 'invalid', field: 'horaires' });
  });
});

describe('weekly figures', () => {
  it('CLOSED_WEEK is closed every day', () => {
    expect(WEEKDAYS.map((d) => CLOSED_WEEK.days[d].length)).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(weeklyTotalHours(CLOSED_WEEK)).toBe(0);
    expect(openDaysCount(CLOSED_WEEK)).toBe(0);
  });

  it('counts hours per week', () => {
    expect(weeklyTotalHours(usual)).toBe(5 * 6.5 + 3);
    expect(weeklyTotalHours(week({ dimanche: '00:00 - 24:00' }))).toBe(24);
    const sixHours = '09:00 - 12:00 / 13:00 - 16:00';
    expect(
      weeklyTotalHours(week({ lundi: sixHours, mardi: sixHours, mercredi: sixHours, jeudi: sixHours })),
    ).toBe(24);
    expect(weeklyTotalHours(week({ lundi: '09:00 - 12:00 / 13:30 - 15:00', mardi: '08:15 - 10:15' }))).toBe(
      6.5,
    );
  });

  it('counts overlapping ranges once, even when built without the parser', () => {
    const overlapping: readonly TimeRange[] = [
      { start: 600, end: 900 },
      { start: 540, end: 720 },
      { start: 600, end: 600 },
    ];
    const hours: WeeklyHours = {
      days: { ...CLOSED_WEEK.days, lundi: overlapping, mardi: [{ start: 60, end: 60 }] },
    };
    expect(weeklyTotalHours(hours)).toBe(6);
    expect(openDaysCount(hours)).toBe(1);
  });

  it('counts open days', () => {
    expect(openDaysCount(usual)).toBe(6);
    expect(openDaysCount(week({ mercredi: OFFICE, dimanche: '10:00 - 11:00' }))).toBe(2);
  });
});

describe('localWeekday', () => {
  it('reads the Paris wall clock, not UTC', () => {
    expect(localWeekday(new Date('2026-03-29T01:30:00Z'), 'Europe/Paris')).toBe('dimanche');
    expect(localWeekday(new Date('2026-05-03T22:30:00Z'), 'Europe/Paris')).toBe('lundi'); // 00:30 on Monday in Paris
    expect(localWeekday(new Date('2026-01-04T23:30:00Z'), 'Europe/Paris')).toBe('lundi'); // winter: UTC+1
    expect(localWeekday(new Date('2026-01-04T22:30:00Z'), 'Europe/Paris')).toBe('dimanche');
  });

  it('reads the wall clock of the zone it is given', () => {
    // Sunday 2026-03-29 21:00 UTC: still Sunday in Paris (23:00), already Monday 01:00 at La Réunion.
    expect(localWeekday(new Date('2026-03-29T21:00:00Z'), 'Indian/Reunion')).toBe('lundi');
    // Monday 2026-03-30 02:00 UTC: Monday in Paris, still Sunday 22:00 in Martinique.
    expect(localWeekday(new Date('2026-03-30T02:00:00Z'), 'America/Martinique')).toBe('dimanche');
  });
});

describe('an overseas structure, on its own wall clock (issue 10)', () => {
  // Saint-Louis, La Réunion (UTC+4 all year, no daylight saving): 08:00-16:00 Monday to Friday.
  const reunion = { zone: 'Indian/Reunion', commune: '97414' } as const;
  const weekdays = week({
    lundi: '08:00 - 16:00',
    mardi: '08:00 - 16:00',
    mercredi: '08:00 - 16:00',
    jeudi: '08:00 - 16:00',
    vendredi: '08:00 - 16:00',
  });
  const at = (iso: string) => new Date(iso);

  it('is open at 15:00 in Réunion (11:00 UTC) and closes at 16:00 local, 12:00 UTC', () => {
    const state = openingState(weekdays, at('2026-12-01T11:00:00Z'), [], reunion);
    expect(state).toMatchObject({ open: true, closesAt: at('2026-12-01T12:00:00Z'), opensAt: null });
    expect(describeOpeningState(state, at('2026-12-01T11:00:00Z'))).toBe(
      'Ouvert maintenant · ferme à 16:00 (heure locale)',
    );
  });

  it('is closed at 17:00 in Réunion although it is only 14:00 in Paris', () => {
    const state = openingState(weekdays, at('2026-12-01T13:00:00Z'), [], reunion);
    expect(state).toMatchObject({ open: false, opensAt: at('2026-12-02T04:00:00Z') });
    expect(describeOpeningState(state, at('2026-12-01T13:00:00Z'))).toBe(
      'Fermé · ouvre demain à 08:00 (heure locale)',
    );
  });

  it('Monday locally while still Sunday in Paris: it opens the same local day', () => {
    // 2026-03-29T21:00Z: Sunday 23:00 in Paris, Monday 01:00 at La Réunion.
    const sundayInParis = at('2026-03-29T21:00:00Z');
    const state = openingState(weekdays, sundayInParis, [], reunion);
    expect(state).toMatchObject({ open: false, opensAt: at('2026-03-30T04:00:00Z') }); // 08:00 Monday
    expect(describeOpeningState(state, sundayInParis)).toBe('Fermé · ouvre à 08:00 (heure locale)');
    // Read in Paris, the same hours would say "tomorrow".
    expect(describeOpeningState(openingState(weekdays, sundayInParis), sundayInParis)).toBe(
      'Fermé · ouvre demain à 08:00',
    );
    // 2026-03-30T04:30Z is Monday 08:30 at La Réunion: open until 16:00 local, 12:00 UTC.
    expect(openingState(weekdays, at('2026-03-30T04:30:00Z'), [], reunion)).toMatchObject({
      open: true,
      closesAt: at('2026-03-30T12:00:00Z'),
    });
  });

  it('Friday evening in Guadeloupe is already Saturday in Paris', () => {
    const guadeloupe = { zone: 'America/Guadeloupe', commune: '97105' } as const; // UTC−4
    // 2026-12-05T00:30Z: Saturday 01:30 in Paris, Friday 20:30 in Guadeloupe.
    const state = openingState(
      week({ vendredi: '14:00 - 21:00' }),
      at('2026-12-05T00:30:00Z'),
      [],
      guadeloupe,
    );
    expect(state).toMatchObject({ open: true, closesAt: at('2026-12-05T01:00:00Z') });
  });

  it('is closed all day on its own abolition day, and says why', () => {
    // Sunday 20 December 2026 is the abolition day at La Réunion; take Martinique, 22 May 2026, a Friday.
    const martinique = { zone: 'America/Martinique', commune: '97209' } as const; // UTC−4
    const friday = at('2026-05-22T14:00:00Z'); // 10:00 local
    const state = openingState(weekdays, friday, [], martinique);
    expect(state).toMatchObject({ open: false, holiday: 'Abolition de l’esclavage' });
    expect(state.opensAt).toEqual(at('2026-05-26T12:00:00Z')); // Tuesday 08:00: Monday 25 May is Whit Monday
    expect(describeOpeningState(state, friday)).toBe(
      'Fermé (jour férié : Abolition de l’esclavage) · ouvre mardi à 08:00 (heure locale)',
    );
    // The same Friday at La Réunion is an ordinary working day.
    expect(openingState(weekdays, at('2026-05-22T06:00:00Z'), [], reunion).open).toBe(true);
  });
});

describe('openingState and describeOpeningState', () => {
  // May 2026: Monday 4, Tuesday 5, … Saturday 9, Sunday 10, Monday 11.
  const at = (date: string, time: string) => {
    const instant = paris(date, time);
    const state = openingState(usual, instant);
    return { state, text: describeOpeningState(state, instant) };
  };

  it('is open inside a range and says when it closes', () => {
    expect(at('2026-05-05', '10:00')).toMatchObject({
      state: { open: true, closesAt: paris('2026-05-05', '12:00'), opensAt: null, closure: null },
      text: 'Ouvert maintenant · ferme à 12:00',
    });
    expect(at('2026-05-05', '09:00').state.open).toBe(true);
  });

  it('is closed at the end of a range and reopens the same day', () => {
    expect(at('2026-05-05', '12:00')).toMatchObject({
      state: { open: false, closesAt: null, opensAt: paris('2026-05-05', '13:30'), closure: null },
      text: 'Fermé · ouvre à 13:30',
    });
    expect(at('2026-05-05', '07:00').text).toBe('Fermé · ouvre à 09:00');
  });

  it('reopens tomorrow, or on a named weekday', () => {
    expect(at('2026-05-05', '18:00').text).toBe('Fermé · ouvre demain à 09:00');
    expect(at('2026-05-09', '13:00')).toMatchObject({
      state: { opensAt: paris('2026-05-11', '09:00') },
      text: 'Fermé · ouvre lundi à 09:00',
    });
  });

  it('goes from Sunday to Monday', () => {
    expect(at('2026-05-10', '15:00')).toMatchObject({
      state: { open: false, opensAt: paris('2026-05-11', '09:00') },
      text: 'Fermé · ouvre demain à 09:00',
    });
    expect(at('2026-05-10', '23:59').state.opensAt).toEqual(paris('2026-05-11', '09:00'));
  });

  it('crosses midnight: ranges touching at midnight are one opening', () => {
    const late = week({ vendredi: '20:00 - 24:00', samedi: '00:00 - 02:00', jeudi: '20:00 - 24:00' });
    const friday = paris('2026-05-08', '23:00');
    const state = openingState(late, friday);
    expect(state).toMatchObject({
      open: true,
      closesAt: paris('2026-05-09', '02:00'),
      opensAt: null,
      closure: null,
    });
    expect(describeOpeningState(state, friday)).toBe('Ouvert maintenant · ferme demain à 02:00');
    expect(openingState(late, paris('2026-05-09', '00:00')).open).toBe(true);
    expect(openingState(late, paris('2026-05-09', '02:00')).open).toBe(false);

    const thursday = paris('2026-05-07', '21:00');
    const untilMidnight = openingState(late, thursday);
    expect(untilMidnight.closesAt).toEqual(paris('2026-05-08', '00:00'));
    expect(describeOpeningState(untilMidnight, thursday)).toBe('Ouvert maintenant · ferme à minuit');
  });

  it('never closes when open round the clock', () => {
    const always = week(Object.fromEntries(WEEKDAYS.map((d) => [d, '00:00 - 24:00'])));
    const instant = paris('2026-05-05', '03:00');
    const state = openingState(always, instant);
    expect(state).toMatchObject({ open: true, closesAt: null, opensAt: null, closure: null });
    expect(describeOpeningState(state, instant)).toBe('Ouvert maintenant');
  });

  describe('exceptional closures', () => {
    const inventaire: ExceptionalClosure = { from: '2026-05-05', to: '2026-05-07', message: 'Inventaire' };

    it('closes every Paris day of a closure spanning days', () => {
      for (const [date, time, sentence] of [
        ['2026-05-05', '00:00', 'Fermé · ouvre vendredi à 09:00'],
        ['2026-05-06', '10:00', 'Fermé · ouvre vendredi à 09:00'],
        ['2026-05-07', '16:59', 'Fermé · ouvre demain à 09:00'],
      ] as const) {
        const instant = paris(date, time);
        const state = openingState(usual, instant, [inventaire]);
        expect(state).toMatchObject({
          open: false,
          closesAt: null,
          opensAt: paris('2026-05-08', '09:00'),
          closure: inventaire,
        });
        expect(describeOpeningState(state, instant)).toBe(sentence);
      }
      expect(openingState(usual, paris('2026-05-08', '09:30'), [inventaire])).toMatchObject({
        open: true,
        closure: null,
      });
    });

    it('skips the next opening to after a closure', () => {
      const monday = paris('2026-05-04', '18:00');
      const state = openingState(usual, monday, [inventaire]);
      expect(state).toMatchObject({
        open: false,
        closesAt: null,
        opensAt: paris('2026-05-08', '09:00'),
        closure: null,
      });
      expect(describeOpeningState(state, monday)).toBe('Fermé · ouvre vendredi à 09:00');
    });

    it('ends an opening at midnight before a closure', () => {
      const late = week({ lundi: '20:00 - 24:00', mardi: '00:00 - 02:00' });
      expect(openingState(late, paris('2026-05-04', '21:00'), [inventaire]).closesAt).toEqual(
        paris('2026-05-05', '00:00'),
      );
    });

    it('names the date beyond six days', () => {
      const monday = paris('2026-04-27', '18:00');
      const ponts = { from: '2026-04-28', to: '2026-05-03', message: 'Ponts de mai' };
      const state = openingState(usual, monday, [ponts]);
      expect(state.opensAt).toEqual(paris('2026-05-04', '09:00'));
      expect(describeOpeningState(state, monday)).toBe('Fermé · ouvre le lundi 4 mai à 09:00');
      const thursday = paris('2026-04-23', '18:00');
      const first = openingState(usual, thursday, [
        { from: '2026-04-24', to: '2026-04-30', message: 'Travaux' },
      ]);
      expect(describeOpeningState(first, thursday)).toBe('Fermé · ouvre le vendredi 1er mai à 09:00');
    });

    it('has no opening within 14 days', () => {
      const instant = paris('2026-05-05', '10:00');
      const long = { from: '2026-05-01', to: '2026-06-30', message: 'Travaux' };
      const state = openingState(usual, instant, [long]);
      expect(state).toMatchObject({ open: false, closesAt: null, opensAt: null, closure: long });
      expect(describeOpeningState(state, instant)).toBe('Fermé · pas d’ouverture prévue');
      expect(describeOpeningState(openingState(CLOSED_WEEK, instant), instant)).toBe(
        'Fermé · pas d’ouverture prévue',
      );
      // The horizon is now + 14 days: Tuesday 19 May at 10:00, so 09:00 that day is within, 20 May is not.
      expect(openingState(usual, instant, [{ ...long, to: '2026-05-19' }]).opensAt).toBeNull();
      expect(openingState(usual, instant, [{ ...long, to: '2026-05-18' }]).opensAt).toEqual(
        paris('2026-05-19', '09:00'),
      );
      const early = paris('2026-05-05', '08:00'); // horizon 19 May 08:00: 09:00 that day is beyond it
      expect(openingState(usual, early, [{ ...long, to: '2026-05-18' }]).opensAt).toBeNull();
    });

    it('rejects an invalid instant', () => {
      expect(catchError(() => openingState(usual, new Date('demain')))).toMatchObject({
        code: 'invalid',
        field: 'date',
      });
    });

    it('rejects malformed closure dates', () => {
      const e = catchError(() =>
        openingState(usual, new Date(), [{ from: '5 mai', to: '2026-05-07', message: '' }]),
      );
      expect(e).toBeInstanceOf(DomainError);
      expect(e).toMatchObject({ code: 'invalid', field: 'fermetures' });
    });
  });

  describe('daylight saving time (2026)', () => {
    it('spring forward, 29 March: 01:00-04:00 lasts two real hours', () => {
      const night = week({ dimanche: '01:00 - 04:00' });
      const before = openingState(night, new Date('2026-03-28T23:30:00Z')); // 00:30 CET
      expect(before.opensAt).toEqual(new Date('2026-03-29T00:00:00Z')); // 01:00 CET
      const inside = openingState(night, new Date('2026-03-29T01:30:00Z')); // 03:30 CEST
      expect(inside.open).toBe(true);
      expect(inside.closesAt).toEqual(new Date('2026-03-29T02:00:00Z')); // 04:00 CEST
      expect((inside.closesAt?.getTime() ?? 0) - (before.opensAt?.getTime() ?? 0)).toBe(2 * 3_600_000);
      expect(describeOpeningState(inside, new Date('2026-03-29T01:30:00Z'))).toBe(
        'Ouvert maintenant · ferme à 04:00',
      );
    });

    it('spring forward: a range starting in the missing hour opens at 03:00', () => {
      const state = openingState(week({ dimanche: '02:30 - 05:00' }), new Date('2026-03-29T00:30:00Z'));
      expect(state.opensAt).toEqual(new Date('2026-03-29T01:00:00Z'));
    });

    it('spring forward: daytime hours use the summer offset', () => {
      const saturday = new Date('2026-03-28T18:00:00Z');
      const state = openingState(week({ dimanche: '09:00 - 12:00' }), saturday);
      expect(state.opensAt).toEqual(new Date('2026-03-29T07:00:00Z'));
      expect(describeOpeningState(state, saturday)).toBe('Fermé · ouvre demain à 09:00');
      // From a winter Friday evening to a summer Monday morning.
      expect(openingState(usual, new Date('2026-03-27T17:00:00Z')).opensAt).toEqual(
        new Date('2026-03-28T08:00:00Z'),
      );
      expect(openingState(usual, new Date('2026-03-28T12:00:00Z')).opensAt).toEqual(
        new Date('2026-03-30T07:00:00Z'),
      );
    });

    it('fall back, 25 October: 02:00-03:00 covers both 02:30s', () => {
      const night = week({ dimanche: '02:00 - 03:00' });
      for (const iso of ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z']) {
        expect(openingState(night, new Date(iso))).toMatchObject({
          open: true,
          closesAt: new Date('2026-10-25T02:00:00Z'), // 03:00 CET
          opensAt: null,
          closure: null,
          holiday: null,
          zone: 'Europe/Paris',
        });
      }
      expect(openingState(night, new Date('2026-10-24T23:30:00Z')).opensAt).toEqual(
        new Date('2026-10-25T00:00:00Z'),
      );
      expect(openingState(night, new Date('2026-10-25T02:00:00Z')).open).toBe(false);
    });

    it('fall back: daytime hours use the winter offset', () => {
      const state = openingState(usual, new Date('2026-10-25T12:00:00Z'));
      expect(state.opensAt).toEqual(new Date('2026-10-26T08:00:00Z'));
    });
  });
});

// ../shared/data when present, else the bundled snapshot: never skipped for lack of data.
describe('every day text of the real France services file', () => {
  it('parses into normalised ranges or fails with a DomainError', () => {
    const rows: Record<string, string>[] = parse(readRealText('france-services-2024-08.csv'), {
      columns: true,
    });
    const columns = ['h_lundi', 'h_mardi', 'h_mercredi', 'h_jeudi', 'h_vendredi', 'h_samedi'];
    let texts = 0;
    let failures = 0;
    for (const row of rows) {
      for (const column of columns) {
        const text = row[column];
        texts += 1;
        let parsed: ReturnType<typeof parseDayHours>;
        try {
          parsed = parseDayHours(text, column);
        } catch (e) {
          expect(e).toBeInstanceOf(DomainError);
          failures += 1;
          continue;
        }
        const { ranges } = parsed;
        for (const [i, r] of ranges.entries()) {
          expect(r.start).toBeGreaterThanOrEqual(0);
          expect(r.end).toBeGreaterThan(r.start);
          expect(r.end).toBeLessThanOrEqual(1440);
          if (i > 0) expect(r.start).toBeGreaterThan(ranges[i - 1]?.end ?? -1);
        }
        expect(parseDayHours(formatDayHours(ranges))).toMatchObject({ ranges, changes: [] });
      }
    }
    expect(rows.length).toBeGreaterThan(2000);
    expect(texts).toBe(rows.length * columns.length);
    expect(failures / texts).toBeLessThan(0.01);
  });
});
