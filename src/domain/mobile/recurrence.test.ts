import rrulePkg from 'rrule';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import { formatDay, parseDay } from './days.js';
import { expandRecurrence, formatRecurrence, parseRecurrence } from './recurrence.js';

const { RRule } = rrulePkg;
const day = (s: string) => parseDay(s) as number;
const expand = (rule: string, from: string, until: string) =>
  expandRecurrence(parseRecurrence(rule), day(from), day(until)).map(formatDay);

describe('parseRecurrence', () => {
  it.each([
    ['', 'vide'],
    ['FREQ=DAILY', 'FREQ=DAILY'],
    ['BYDAY=TU', 'FREQ est obligatoire'],
    ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY'],
    ['FREQ=WEEKLY;BYDAY=2TU', 'FREQ=MONTHLY'],
    ['FREQ=MONTHLY;BYDAY=6TU', 'rang'],
    ['FREQ=WEEKLY;INTERVAL=0', 'INTERVAL'],
    ['FREQ=WEEKLY;INTERVAL=x', 'INTERVAL'],
    ['FREQ=WEEKLY;COUNT=3', 'from'],
    ['FREQ=WEEKLY;UNTIL=20261231T000000Z', 'from'],
    ['FREQ=WEEKLY;BYHOUR=9', 'pas pris en charge'],
    ['FREQ=WEEKLY;FREQ=MONTHLY', 'deux fois'],
    ['FREQ=WEEKLY;BYDAY=MO,TU;BYSETPOS=1', 'FREQ=MONTHLY'],
    ['FREQ=MONTHLY;BYSETPOS=1', 'BYSETPOS demande'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY'],
    ['FREQ=WEEKLY;BYMONTHDAY=1', 'MONTHLY'],
    ['FREQ=WEEKLY;BYDAY', 'mal formé'],
    ['FREQ=MONTHLY;BYDAY=WE,1SU', 'deux entrées'],
  ])('refuses %j, naming the field', (rule, words) => {
    try {
      parseRecurrence(rule, 'entries[2].rrule');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(DomainError);
      expect((e as DomainError).field).toBe('entries[2].rrule');
      expect((e as DomainError).message).toContain(words);
    }
  });

  it('normalises case and the RRULE: prefix', () => {
    expect(formatRecurrence(parseRecurrence('rrule:freq=monthly;byday=-1fr'))).toBe(
      'FREQ=MONTHLY;BYDAY=-1FR',
    );
    expect(formatRecurrence(parseRecurrence('FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU'))).toBe(
      'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH;WKST=SU',
    );
  });
});

describe('expandRecurrence', () => {
  it('weekly on Tuesdays', () => {
    expect(expand('FREQ=WEEKLY;BYDAY=TU', '2026-03-01', '2026-03-31')).toEqual([
      '2026-03-03',
      '2026-03-10',
      '2026-03-17',
      '2026-03-24',
      '2026-03-31',
    ]);
  });

  it('every other week, phase anchored on the first week', () => {
    expect(expand('FREQ=WEEKLY;INTERVAL=2;BYDAY=WE', '2026-01-05', '2026-02-28')).toEqual([
      '2026-01-07',
      '2026-01-21',
      '2026-02-04',
      '2026-02-18',
    ]);
  });

  it('the fifth Tuesday exists only in some months', () => {
    // 2026: months with five Tuesdays are March, June, September and December.
    expect(expand('FREQ=MONTHLY;BYDAY=5TU', '2026-01-01', '2026-12-31')).toEqual([
      '2026-03-31',
      '2026-06-30',
      '2026-09-29',
      '2026-12-29',
    ]);
  });

  it('the last Friday of each month', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=-1FR', '2026-01-01', '2026-06-30')).toEqual([
      '2026-01-30',
      '2026-02-27',
      '2026-03-27',
      '2026-04-24',
      '2026-05-29',
      '2026-06-26',
    ]);
  });

  it('BYSETPOS: the last weekday of the month', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1', '2026-01-01', '2026-05-31')).toEqual([
      '2026-01-30',
      '2026-02-27',
      '2026-03-31',
      '2026-04-30',
      '2026-05-29',
    ]);
  });

  it('expands the first Sunday and the last Wednesday together', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=1SU,-1WE', '2026-03-01', '2026-04-30')).toEqual([
      '2026-03-01',
      '2026-03-25',
      '2026-04-05',
      '2026-04-29',
    ]);
  });

  it('can produce nothing', () => {
    expect(expand('FREQ=MONTHLY;BYDAY=5MO', '2026-07-01', '2026-08-30')).toEqual([]);
    expect(expand('FREQ=MONTHLY;BYMONTHDAY=31', '2026-04-01', '2026-04-30')).toEqual([]);
  });

  it('agrees with the rrule package on 300 seeded random rules', () => {
    let seed = 42;
    const rand = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
    const wd = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
    for (let k = 0; k < 300; k++) {
      const monthly = rand() < 0.5;
      const parts = [`FREQ=${monthly ? 'MONTHLY' : 'WEEKLY'}`];
      if (rand() < 0.4) parts.push(`INTERVAL=${1 + Math.floor(rand() * 3)}`);
      const n = 1 + Math.floor(rand() * 3);
      const days = new Set<string>();
      // rrule 2.8 returns nothing when ordinal and plain days are mixed (BYDAY=WE,1SU): not compared here.
      const ordinals = monthly && rand() < 0.6;
      for (let j = 0; j < n; j++) {
        const ord = ordinals ? pick(['1', '2', '3', '4', '5', '-1', '-2']) : '';
        days.add(`${ord}${pick(wd)}`);
      }
      parts.push(`BYDAY=${[...days].join(',')}`);
      if (monthly && rand() < 0.25) parts.push(`BYSETPOS=${pick(['1', '-1', '2'])}`);
      const rule = parts.join(';');
      const from = formatDay(day('2026-01-01') + Math.floor(rand() * 200));
      const until = formatDay(day(from) + 30 + Math.floor(rand() * 500));
      const [fy, fm, fd] = from.split('-').map(Number) as [number, number, number];
      const [uy, um, ud] = until.split('-').map(Number) as [number, number, number];
      const reference = new RRule({
        ...RRule.parseString(rule),
        dtstart: new Date(Date.UTC(fy, fm - 1, fd, 9)),
        until: new Date(Date.UTC(uy, um - 1, ud, 23, 59)),
      })
        .all()
        .map((d) => d.toISOString().slice(0, 10));
      expect(expand(rule, from, until), `${rule} ${from}..${until}`).toEqual(reference);
    }
  });
});
