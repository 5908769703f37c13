import { describe, expect, it } from 'vitest';
import { easterSunday, holidayOn, holidayZone, publicHolidays } from './public-holidays.js';

const formatDay = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

const find = (year: number, name: string, commune?: string) =>
  publicHolidays(year, commune).find((h) => h.name === name)?.date;

describe('Easter and the holidays that follow it', () => {
  it.each([
    [2024, '2024-03-31', '2024-04-01', '2024-05-09', '2024-05-20'],
    [2025, '2025-04-20', '2025-04-21', '2025-05-29', '2025-06-09'],
    [2026, '2026-04-05', '2026-04-06', '2026-05-14', '2026-05-25'],
    [2027, '2027-03-28', '2027-03-29', '2027-05-06', '2027-05-17'],
    [2038, '2038-04-25', '2038-04-26', '2038-06-03', '2038-06-14'],
  ])(
    '%i: Easter %s, Lundi de Pâques %s, Ascension %s, Lundi de Pentecôte %s',
    (year, easter, monday, ascension, pentecost) => {
      expect(formatDay(easterSunday(year))).toBe(easter);
      expect(find(year, 'Lundi de Pâques')).toBe(monday);
      expect(find(year, 'Ascension')).toBe(ascension);
      expect(find(year, 'Lundi de Pentecôte')).toBe(pentecost);
    },
  );

  it('has the eight fixed days everywhere', () => {
    const dates = publicHolidays(2026, '02361').map((h) => h.date);
    for (const d of ['01-01', '05-01', '05-08', '07-14', '08-15', '11-01', '11-11', '12-25']) {
      expect(dates).toContain(`2026-${d}`);
    }
    expect(dates).toHaveLength(11);
  });
});

describe('Alsace-Moselle', () => {
  it.each([
    ['57463', 'Metz'],
    ['67482', 'Strasbourg'],
    ['68224', 'Mulhouse'],
  ])('%s (%s) adds Good Friday and 26 December', (code) => {
    expect(find(2026, 'Vendredi saint', code)).toBe('2026-04-03');
    expect(find(2027, 'Vendredi saint', code)).toBe('2027-03-26');
    expect(find(2026, 'Saint-Étienne', code)).toBe('2026-12-26');
    expect(publicHolidays(2026, code)).toHaveLength(13);
  });

  it('does not apply to the neighbours (54 Nancy, 88 Épinal) nor to Guise', () => {
    for (const code of ['54395', '88160', '02361']) {
      expect(find(2026, 'Vendredi saint', code)).toBeUndefined();
      expect(find(2026, 'Saint-Étienne', code)).toBeUndefined();
    }
  });
});

describe('Abolition of slavery, on each territory’s own date (décret 83-1003, art. 1, as amended)', () => {
  it.each([
    ['97105', 'Basse-Terre, Guadeloupe', '2026-05-27'],
    ['97209', 'Fort-de-France, Martinique', '2026-05-22'],
    ['97302', 'Cayenne, Guyane', '2026-06-10'],
    ['97414', 'Saint-Louis, La Réunion', '2026-12-20'],
    ['97611', 'Mamoudzou, Mayotte', '2026-04-27'],
    ['97701', 'Saint-Barthélemy', '2026-10-09'],
    ['97801', 'Saint-Martin', '2026-05-28'],
  ])('%s (%s): %s, and only there', (code, _name, date) => {
    expect(find(2026, 'Abolition de l’esclavage', code)).toBe(date);
    expect(publicHolidays(2026, code)).toHaveLength(12);
    expect(holidayOn(date, code)).toBe('Abolition de l’esclavage');
    expect(holidayOn(date, '02361')).toBeUndefined();
  });

  it('accepts the department code as well as the commune code', () => {
    expect(holidayOn('2026-05-22', '972')).toBe('Abolition de l’esclavage');
    expect(holidayOn('2026-05-22', '971')).toBeUndefined();
  });

  it('Saint-Pierre-et-Miquelon and metropolitan France have none', () => {
    for (const code of ['97502', '75056', '2A004']) {
      expect(find(2026, 'Abolition de l’esclavage', code)).toBeUndefined();
      expect(publicHolidays(2026, code)).toHaveLength(11);
    }
  });

  it('an unreadable or hostile code gets the national list only', () => {
    for (const code of ['', '<script>', '9', '974<b>', '99999x', undefined, null]) {
      expect(holidayZone(code)).toBe('');
      expect(publicHolidays(2026, code)).toHaveLength(11);
    }
    expect(holidayOn('25/12/2026', '02361')).toBeUndefined();
    expect(holidayOn('2026-12-25', '02361')).toBe('Noël');
  });

  it('rejects an impossible year with a French message', () => {
    for (const year of [Number.POSITIVE_INFINITY, Number.NaN, 2026.5, -1, 1e9]) {
      expect(() => publicHolidays(year)).toThrow(/Année invalide/);
    }
  });
});
