import { describe, expect, it } from 'vitest';
import { validateStatusChange } from './status-change.js';
import { changedFields, parseTelephone, validateStructureEdit } from './structure-edit.js';

const ctx = {
  current: 'ouverte' as const,
  email: null,
  telephone: '03 23 00 00 00',
  today: '2026-11-24',
  mayClosePermanently: false,
};

describe('structure edit', () => {
  it('parses the official hour format, and reports what it merged', () => {
    const e = validateStructureEdit({
      hours: { lundi: '09:00 - 12:00 / 13:30 - 17:00', mardi: '09:00 - 12:00 / 11:00 - 13:00', mercredi: '' },
    });
    expect(e.hours.lundi).toEqual([
      { start: 540, end: 720 },
      { start: 810, end: 1020 },
    ]);
    expect(e.hours.mardi).toEqual([{ start: 540, end: 780 }]);
    expect(e.hours.mercredi).toEqual([]);
    expect(e.notices.join()).toMatch(/mardi/);
  });
  it('names the day at fault in unreadable hours', () => {
    expect(() => validateStructureEdit({ hours: { jeudi: 'le matin' } })).toThrow(
      expect.objectContaining({ field: 'hours.jeudi' }),
    );
    expect(() => validateStructureEdit({ hours: { jeudi: 12 as unknown as string } })).toThrow(/texte/);
  });
  it('keeps several addresses and numbers typed in one field, and bounds them', () => {
    const e = validateStructureEdit({
      email: 'Accueil@Mairie.fr, b@x.fr; accueil@mairie.fr',
      telephone: '03 23 45 67 89 / +33 6 12 34 56 78',
    });
    expect(e.emails).toEqual(['accueil@mairie.fr', 'b@x.fr']);
    expect(e.telephones).toEqual(['03 23 45 67 89', '06 12 34 56 78']);
    expect(validateStructureEdit({ email: '  ', telephone: '' })).toMatchObject({
      emails: [],
      telephones: [],
    });
    expect(() => validateStructureEdit({ email: 'a@x.fr, <script>@x.fr' })).toThrow(
      expect.objectContaining({ field: 'email' }),
    );
    expect(() => validateStructureEdit({ email: Array(6).fill('a@x.fr').join(', ') })).toThrow(/Au plus 5/);
    expect(() => validateStructureEdit({ telephone: '0'.repeat(500) })).toThrow(/400/);
    expect(() => validateStructureEdit({ telephone: ['03 23 45 67 89'] as unknown as string })).toThrow(
      /texte/,
    );
  });
  it('validates contact, closures, partners and text lengths', () => {
    expect(parseTelephone('+33 3 23 45 67 89')).toBe('03 23 45 67 89');
    expect(() => parseTelephone('<script>')).toThrow(/invalide/);
    expect(() => validateStructureEdit({ email: 'pas un courriel' })).toThrow(/électronique/);
    expect(() => validateStructureEdit({ partners: ['caf', 'nasa'] })).toThrow(/nasa/);
    expect(() => validateStructureEdit({ description: 'x'.repeat(2001) })).toThrow(/2000/);
    expect(() =>
      validateStructureEdit({ closures: [{ from: '2026-12-24', to: '2026-12-20', message: 'Noël' }] }),
    ).toThrow(/précède/);
    expect(() => validateStructureEdit({ closures: [{ from: '2026-12-24', to: '', message: '' }] })).toThrow(
      /message/,
    );
    const e = validateStructureEdit({
      partners: ['msa', 'caf', 'caf'],
      closures: [{ from: '2026-12-24', to: '', message: ' Fermé la veille de Noël ' }],
      appointment: 'on',
    });
    expect(e.partners).toEqual(['caf', 'msa']);
    expect(e.closures).toEqual([
      { from: '2026-12-24', to: '2026-12-24', message: 'Fermé la veille de Noël' },
    ]);
    expect(e.appointment).toBe(true);
  });
  it('lists only the changed fields', () => {
    expect(changedFields({ a: 1, b: [1] }, { a: 1, b: [2] })).toEqual({
      before: { b: [1] },
      after: { b: [2] },
    });
  });
});

describe('status change', () => {
  it('allows remote reception only with a phone or an e-mail', () => {
    expect(validateStatusChange({ status: 'accueil_a_distance' }, ctx)).toEqual({
      status: 'accueil_a_distance',
      until: null,
    });
    expect(() => validateStatusChange({ status: 'accueil_a_distance' }, { ...ctx, telephone: null })).toThrow(
      /téléphone ou une adresse/,
    );
  });
  it('wants a future reopening date for a temporary closure', () => {
    expect(() => validateStatusChange({ status: 'fermee_temporairement' }, ctx)).toThrow(/réouverture/);
    expect(() => validateStatusChange({ status: 'fermee_temporairement', until: '2026-11-01' }, ctx)).toThrow(
      /passée/,
    );
    expect(validateStatusChange({ status: 'fermee_temporairement', until: '2026-12-01' }, ctx).until).toBe(
      '2026-12-01',
    );
  });
  it('keeps permanent closure, and reopening from it, to the national team', () => {
    expect(() => validateStatusChange({ status: 'fermee_definitivement' }, ctx)).toThrow(/équipe nationale/);
    expect(() =>
      validateStatusChange({ status: 'ouverte' }, { ...ctx, current: 'fermee_definitivement' }),
    ).toThrow(/équipe nationale/);
    expect(
      validateStatusChange({ status: 'fermee_definitivement' }, { ...ctx, mayClosePermanently: true }).status,
    ).toBe('fermee_definitivement');
  });
  it('refuses unknown statuses', () => {
    expect(() => validateStatusChange({ status: 'en_greve' }, ctx)).toThrow(/liste/);
    expect(() => validateStatusChange({ status: ['ouverte'] }, ctx)).toThrow(/liste/);
  });
});
