import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import { contactErasureCutoff, delaiRappel, demandeRappel, isOverdue, rappelDueAt } from './rappel.js';

const ok = { telephone: '06 12 34 56 78', partenaire: 'caf', description: 'Ma prime d’activité est bloquée' };
const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return { field: e.field, message: e.message };
    throw e;
  }
  throw new Error('accepted');
};

describe('demandeRappel (the public form)', () => {
  it('accepts a phone number or an e-mail, normalised, with defaults', () => {
    expect(demandeRappel(ok)).toEqual({
      nom: null,
      telephone: '06 12 34 56 78',
      email: null,
      partenaire: 'caf',
      description: 'Ma prime d’activité est bloquée',
      creneau: 'indifferent',
    });
    const byMail = demandeRappel({ ...ok, telephone: '', email: ' Marie@Exemple.FR ', creneau: 'matin' });
    expect([byMail.telephone, byMail.email, byMail.creneau]).toEqual([null, 'marie@exemple.fr', 'matin']);
    expect(demandeRappel({ ...ok, telephone: '+33612345678' }).telephone).toBe('06 12 34 56 78');
    expect(demandeRappel({ ...ok, telephone: '+262 692 12 34 56' }).telephone).toBe('+262692123456');
  });

  it('asks for a way to answer, on the phone field, in French', () => {
    expect(refusal(() => demandeRappel({ ...ok, telephone: '  ' }))).toMatchObject({ field: 'telephone' });
    expect(refusal(() => demandeRappel({ ...ok, telephone: '12' })).message).toContain(
      'Numéro de téléphone invalide',
    );
    expect(refusal(() => demandeRappel({ ...ok, telephone: '', email: 'pas-une-adresse' })).field).toBe(
      'email',
    );
  });

  it('refuses wrong types, unknown codes and oversized text, naming the field', () => {
    expect(refusal(() => demandeRappel({ ...ok, partenaire: 'impots' })).field).toBe('partenaire');
    expect(refusal(() => demandeRappel({ ...ok, partenaire: ['caf'] })).field).toBe('partenaire');
    expect(refusal(() => demandeRappel({ ...ok, creneau: 'nuit' })).field).toBe('creneau');
    expect(refusal(() => demandeRappel({ ...ok, nom: 42 })).field).toBe('nom');
    const big = refusal(() => demandeRappel({ ...ok, nom: 'x'.repeat(10_000) }));
    expect(big).toEqual({ field: 'nom', message: 'Nom : 80 caractères au plus (10000 saisis).' });
    expect(refusal(() => demandeRappel({ ...ok, description: 'a'.repeat(601) })).field).toBe('description');
    expect(refusal(() => demandeRappel({ ...ok, description: ' ' })).field).toBe('description');
    expect(refusal(() => demandeRappel({ ...ok, telephone: Number.POSITIVE_INFINITY })).field).toBe(
      'telephone',
    );
  });

  it('keeps HTML as plain text and drops control characters', () => {
    const d = demandeRappel({ ...ok, description: '<script>alert(1)</script>\u0000\u0007 ligne\r\nsuite' });
    expect(d.description).toBe('<script>alert(1)</script> ligne\nsuite');
  });
});

describe('delaiRappel (the structure’s delay)', () => {
  it('takes whole business days from 1 to 10', () => {
    expect(delaiRappel('3')).toBe(3);
    expect(delaiRappel(10)).toBe(10);
    for (const bad of ['0', '11', '2.5', 'abc', '', Number.POSITIVE_INFINITY, Number.NaN, -1, '1e1', null]) {
      expect(refusal(() => delaiRappel(bad)).field, String(bad)).toBe('delai_jours');
    }
  });
});

describe('rappelDueAt (business days of the commune)', () => {
  it('skips the week-end: Friday 10:00 + 2 days is Tuesday 10:00 (Paris)', () => {
    expect(rappelDueAt(new Date('2026-11-27T09:00:00Z'), 2, '02691').toISOString()).toBe(
      '2026-12-01T09:00:00.000Z',
    );
  });
  it('skips public holidays: Good Friday counts in Moselle, not in the Aisne', () => {
    // Thursday 2 April 2026, 10:00; Good Friday is 3 April, Easter Monday 6 April.
    const thursday = new Date('2026-04-02T08:00:00Z');
    expect(rappelDueAt(thursday, 2, '02691').toISOString()).toBe('2026-04-07T08:00:00.000Z');
    expect(rappelDueAt(thursday, 2, '57463').toISOString()).toBe('2026-04-08T08:00:00.000Z');
  });
  it('counts on the overseas clock: a Saturday request in La Réunion runs from Monday 00:00 local, so it is due at the end of Tuesday', () => {
    expect(rappelDueAt(new Date('2026-11-28T08:00:00Z'), 2, '97411').toISOString()).toBe(
      '2026-12-01T20:00:00.000Z',
    );
  });
  it('flags open requests past their due time only', () => {
    const now = new Date('2026-12-01T10:00:00Z');
    expect(isOverdue({ statut: 'nouvelle', due_at: '2026-12-01T09:00:00Z' }, now)).toBe(true);
    expect(isOverdue({ statut: 'prise', due_at: '2026-12-01T11:00:00Z' }, now)).toBe(false);
    expect(isOverdue({ statut: 'traitee', due_at: '2026-11-01T09:00:00Z' }, now)).toBe(false);
    expect(contactErasureCutoff(now).toISOString()).toBe('2026-11-01T10:00:00.000Z');
  });
});
