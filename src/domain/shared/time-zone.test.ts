import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  localDate,
  localMonth,
  localPeriodAt,
  offsetMinutes,
  TIME_ZONES,
  timeZoneOf,
  timeZoneOfPlace,
  toLocalIso,
  wallClock,
  zonedInstant,
} from './time-zone.js';

describe('timeZoneOf: the zone of a commune or a department', () => {
  it.each([
    ['02361', 'Europe/Paris'], // Guise
    ['2A004', 'Europe/Paris'], // Ajaccio
    ['2B', 'Europe/Paris'],
    ['75056', 'Europe/Paris'],
    ['97105', 'America/Guadeloupe'],
    ['971', 'America/Guadeloupe'],
    ['97209', 'America/Martinique'],
    ['97302', 'America/Cayenne'],
    ['97414', 'Indian/Reunion'],
    ['974', 'Indian/Reunion'],
    ['97611', 'Indian/Mayotte'],
    ['97502', 'America/Miquelon'],
    ['97701', 'America/St_Barthelemy'],
    ['97801', 'America/Marigot'],
  ])('%s → %s', (code, zone) => {
    expect(timeZoneOf(code)).toBe(zone);
  });

  it('is metropolitan for a missing or unreadable code', () => {
    for (const code of [undefined, null, '', '979', '<script>974</script>', '  ']) {
      expect(timeZoneOf(code)).toBe('Europe/Paris');
    }
    expect(timeZoneOf(' 97414 ')).toBe('Indian/Reunion');
  });

  it('takes a structure’s commune, else its department', () => {
    expect(timeZoneOfPlace({ codeInsee: '97414', departement: '974' })).toBe('Indian/Reunion');
    expect(timeZoneOfPlace({ codeInsee: '', departement: '972' })).toBe('America/Martinique');
    expect(timeZoneOfPlace({ codeInsee: null, departement: null })).toBe('Europe/Paris');
  });
});

describe('wall clocks of each zone (expected values written by hand)', () => {
  it('reads 2026-03-30T04:30:00Z as 08:30 at La Réunion and 06:30 in Paris', () => {
    expect(wallClock(new Date('2026-03-30T04:30:00Z'), 'Indian/Reunion').toFormat('HH:mm')).toBe('08:30');
    expect(wallClock(new Date('2026-03-30T04:30:00Z'), 'Europe/Paris').toFormat('HH:mm')).toBe('06:30');
  });

  it('writes ISO 8601 with the local offset', () => {
    expect(toLocalIso(new Date('2026-12-01T12:00:00Z'), 'Indian/Reunion')).toBe('2026-12-01T16:00:00+04:00');
    expect(toLocalIso(new Date('2026-12-01T12:00:00Z'), 'America/Cayenne')).toBe('2026-12-01T09:00:00-03:00');
    expect(toLocalIso(new Date('2026-07-01T12:00:00Z'), 'Europe/Paris')).toBe('2026-07-01T14:00:00+02:00');
    expect(toLocalIso(new Date('2026-07-01T12:00:00Z'), 'America/Miquelon')).toBe(
      '2026-07-01T10:00:00-02:00',
    );
  });

  it('writes the same text as luxon for every zone, across clock changes, with and without milliseconds', () => {
    const start = Date.parse('2026-01-01T00:00:00Z');
    const changes = [
      '2026-03-08T04:59:59Z', // Miquelon springs forward at 05:00 UTC
      '2026-03-08T05:00:00Z',
      '2026-03-29T00:59:59Z', // Paris at 01:00 UTC
      '2026-03-29T01:00:00Z',
      '2026-10-25T00:59:59Z',
      '2026-10-25T01:00:00Z',
      '2026-11-01T03:59:59Z', // Miquelon falls back at 04:00 UTC
      '2026-11-01T04:00:00Z',
    ].map(Date.parse);
    const instants: number[] = [...changes];
    for (let t = start; t < start + 366 * 86_400_000; t += 61 * 3_600_000 + 13 * 60_000) instants.push(t);
    for (const zone of TIME_ZONES) {
      for (const t of instants) {
        for (const instant of [new Date(t), new Date(t + 123), new Date(t + 7), new Date(t + 40)]) {
          const luxon = wallClock(instant, zone).toISO({ suppressMilliseconds: true, includeOffset: true });
          expect(toLocalIso(instant, zone), `${zone} ${instant.toISOString()}`).toBe(luxon);
        }
      }
    }
    expect(toLocalIso(new Date(Number.NaN), 'Europe/Paris')).toBe('');
  });

  it('follows each zone’s own clock changes, and only its own', () => {
    // Paris changes on 29 March 2026 at 01:00 UTC; La Réunion never does; Miquelon on 8 March at 05:00 UTC.
    expect(offsetMinutes(new Date('2026-03-29T00:59:00Z'), 'Europe/Paris')).toBe(60);
    expect(offsetMinutes(new Date('2026-03-29T01:00:00Z'), 'Europe/Paris')).toBe(120);
    expect(offsetMinutes(new Date('2026-03-29T01:00:00Z'), 'Indian/Reunion')).toBe(240);
    expect(offsetMinutes(new Date('2026-03-08T04:59:00Z'), 'America/Miquelon')).toBe(-180);
    expect(offsetMinutes(new Date('2026-03-08T05:00:00Z'), 'America/Miquelon')).toBe(-120);
    // The per-hour cache answers each zone separately.
    expect(offsetMinutes(new Date('2026-03-29T01:30:00Z'), 'America/Martinique')).toBe(-240);
    expect(offsetMinutes(new Date('2026-03-29T01:30:00Z'), 'Europe/Paris')).toBe(120);
  });

  it('turns a local date and time into the instant', () => {
    expect(zonedInstant('2026-03-30', '08:30', 'Indian/Reunion').toISOString()).toBe(
      '2026-03-30T04:30:00.000Z',
    );
    expect(zonedInstant('2026-05-22', '08:00', 'America/Martinique').toISOString()).toBe(
      '2026-05-22T12:00:00.000Z',
    );
  });
});

describe('local day and month, for figures grouped by period', () => {
  it('counts 2026-01-31T22:00Z on 1 February at La Réunion and on 31 January in Guadeloupe', () => {
    const instant = new Date('2026-01-31T22:00:00Z');
    expect(localPeriodAt(instant, { codeInsee: '97414' })).toEqual({ day: '2026-02-01', month: '2026-02' });
    expect(localPeriodAt(instant, { codeInsee: '97105' })).toEqual({ day: '2026-01-31', month: '2026-01' });
    expect(localPeriodAt(instant, { codeInsee: '02361' })).toEqual({ day: '2026-01-31', month: '2026-01' });
    expect(localDate(new Date('2026-01-31T23:30:00Z'), 'Europe/Paris')).toBe('2026-02-01');
    expect(localMonth(new Date('2026-01-31T23:30:00Z'), 'America/Cayenne')).toBe('2026-01');
  });
});

/** Every non-test source file: the zone module is the only place allowed to name a zone. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

describe('no fixed zone outside the zone module', () => {
  it('names Europe/Paris nowhere else in src/, and hard-codes no Intl time zone', () => {
    const src = fileURLToPath(new URL('../../', import.meta.url));
    const offenders = sources(src)
      .filter((path) => !path.endsWith(join('domain', 'shared', 'time-zone.ts')))
      .filter((path) => {
        const text = readFileSync(path, 'utf8');
        return text.includes('Europe/Paris') || /timeZone:\s*['"`]/.test(text);
      })
      .map((path) => relative(src, path));
    expect(offenders).toEqual([]);
  });
});
