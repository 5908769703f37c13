import { describe, expect, it } from 'vitest';
import { plageInput } from './availability.js';
import { attendanceAllowed, contact, missedRate, phoneCountryOf } from './booking.js';
import { motifInput } from './motif.js';

describe('contact details', () => {
  it('takes a name and an email or a phone, the phone in E.164', () => {
    expect(contact({ name: '  Marie   Curie ', email: 'marie@example.fr' })).toEqual({
      name: 'Marie Curie',
      email: 'marie@example.fr',
      phone: null,
    });
    expect(contact({ name: 'Jean', phone: '06 12 34 56 78' }).phone).toBe('+33612345678');
    expect(contact({ name: 'Jean', phone: '0692 12 34 56' }, phoneCountryOf('974')).phone).toBe(
      '+262692123456',
    );
  });

  it('refuses, naming the field: no name, a 10 kB name, no way to reach, a malformed email or phone', () => {
    expect(() => contact({ name: '', email: 'a@b.fr' })).toThrow(expect.objectContaining({ field: 'name' }));
    expect(() => contact({ name: 'x'.repeat(10_000), email: 'a@b.fr' })).toThrow(/100 caractères/);
    expect(() => contact({ name: 'Jean' })).toThrow(expect.objectContaining({ field: 'email' }));
    for (const email of ['pas-une-adresse', 'a@b', 'a b@c.fr', '<script>@x.fr', `${'a'.repeat(300)}@b.fr`]) {
      expect(() => contact({ name: 'Jean', email })).toThrow(expect.objectContaining({ field: 'email' }));
    }
    for (const phone of ['12', 'abcdefghij', '06 12', '+33 1 23', '9'.repeat(40)]) {
      expect(() => contact({ name: 'Jean', phone })).toThrow(expect.objectContaining({ field: 'phone' }));
    }
    expect(() => contact({ name: 'a\u0000b', email: 'a@b.fr' })).toThrow(
      expect.objectContaining({ field: 'name' }),
    );
  });
});

describe('motifs and plages', () => {
  it('builds a motif, and refuses what makes no sense', () => {
    expect(
      motifInput({
        label: 'Aide CAF',
        durationMin: '30',
        channel: 'visio',
        partner: 'caf',
        bookableOnline: 'on',
      }),
    ).toMatchObject({
      durationMin: 30,
      channel: 'visio',
      partner: 'caf',
      bookableOnline: true,
      minNoticeMin: 0,
      maxNoticeDays: 56,
    });
    expect(() => motifInput({ label: 'x', durationMin: 7, channel: 'sur_place' })).toThrow(/multiple de 5/);
    expect(() =>
      motifInput({ label: 'x', durationMin: Number.POSITIVE_INFINITY, channel: 'sur_place' }),
    ).toThrow(expect.objectContaining({ field: 'durationMin' }));
    expect(() => motifInput({ label: 'x', durationMin: 30, channel: 'fax' })).toThrow(
      expect.objectContaining({ field: 'channel' }),
    );
    expect(() => motifInput({ label: 'x', durationMin: 30, channel: 'visio' })).toThrow(
      expect.objectContaining({ field: 'partner' }),
    );
    expect(() => motifInput({ label: '', durationMin: 30, channel: 'sur_place' })).toThrow(
      expect.objectContaining({ field: 'label' }),
    );
    expect(() =>
      motifInput({ label: 'x', durationMin: 30, channel: 'sur_place', minNoticeMin: 2000, maxNoticeDays: 1 }),
    ).toThrow(expect.objectContaining({ field: 'minNoticeMin' }));
  });

  it('builds a plage from HH:MM, and refuses bad times and dates', () => {
    expect(plageInput({ weekday: 'mardi', start: '09:00', end: '12:30' })).toEqual({
      weekday: 'mardi',
      start: 540,
      end: 750,
      validFrom: null,
      validUntil: null,
      motifIds: null,
    });
    expect(() => plageInput({ weekday: 'funday', start: '09:00', end: '10:00' })).toThrow(
      expect.objectContaining({ field: 'weekday' }),
    );
    expect(() => plageInput({ weekday: 'lundi', start: '25:00', end: '10:00' })).toThrow(
      expect.objectContaining({ field: 'start' }),
    );
    expect(() => plageInput({ weekday: 'lundi', start: '10:00', end: '09:00' })).toThrow(
      expect.objectContaining({ field: 'end' }),
    );
    expect(() => plageInput({ weekday: 'lundi', start: '09:03', end: '10:00' })).toThrow(/multiple/);
    expect(() =>
      plageInput({ weekday: 'lundi', start: '09:00', end: '10:00', validFrom: '2026-02-30' }),
    ).toThrow(expect.objectContaining({ field: 'validFrom' }));
  });

  it('attendance: seen or missed only once started; never on a cancelled appointment', () => {
    const start = new Date('2026-01-05T08:00:00Z');
    expect(attendanceAllowed('confirme', 'honore', start, new Date('2026-01-05T07:00:00Z'))).toMatch(
      /pas encore/,
    );
    expect(attendanceAllowed('confirme', 'excuse', start, new Date('2026-01-05T07:00:00Z'))).toBeNull();
    expect(attendanceAllowed('confirme', 'absent', start, new Date('2026-01-05T09:00:00Z'))).toBeNull();
    expect(attendanceAllowed('annule', 'honore', start, new Date('2026-01-05T09:00:00Z'))).toMatch(/annulé/);
  });
});

describe('missed-appointment rate', () => {
  it('is absent ÷ recorded, with a 95 % Wilson interval; unrecorded appointments stay apart', () => {
    const r = missedRate({ honore: 80, excuse: 10, absent: 10, nonRenseigne: 7 });
    expect(r).toMatchObject({ total: 100, missedRate: 0.1, nonRenseigne: 7, small: false });
    // Known value: 10/100 gives [0.0552, 0.1744].
    expect(r.interval?.low).toBeCloseTo(0.0552, 3);
    expect(r.interval?.high).toBeCloseTo(0.1744, 3);
  });

  it('says when there is nothing to compute on, and flags small counts', () => {
    expect(missedRate({ honore: 0, excuse: 0, absent: 0, nonRenseigne: 3 })).toMatchObject({
      total: 0,
      missedRate: null,
      interval: null,
      small: true,
    });
    const few = missedRate({ honore: 2, excuse: 0, absent: 1, nonRenseigne: 0 });
    expect(few.small).toBe(true);
    // One missed in three: the interval is wide, which is the honest answer.
    expect(few.interval?.low).toBeLessThan(0.1);
    expect(few.interval?.high).toBeGreaterThan(0.7);
    const none = missedRate({ honore: 40, excuse: 0, absent: 0, nonRenseigne: 0 });
    expect(none.interval?.low).toBeCloseTo(0, 10);
    expect(none.interval?.high).toBeGreaterThan(0.05);
  });
});
