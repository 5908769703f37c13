import { describe, expect, it } from 'vitest';
import {
  byUrgency,
  CONSENT_VERSION,
  checkTransition,
  countsAsAnswer,
  type DossierInput,
  deadlinesOf,
  erasureCutoff,
  figuresOf,
  latenessOf,
  median,
  newDossier,
  nextStatuts,
  plainText,
} from './index.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date) => d.toISOString();

const valid: DossierInput = {
  partenaire: 'caf',
  nom: 'Dupont-Lefèvre',
  prenom: 'Anne-Marie',
  dateNaissance: '1961-04-30',
  numeroPartenaire: '1234567 A',
  objet: 'Droits RSA suspendus depuis mars',
  message: 'Bonjour,\nle dossier est bloqué depuis trois mois.',
  consentement: 'oui',
  consentVersion: CONSENT_VERSION,
};

describe('newDossier: minimal, consented identity', () => {
  it('accepts a complete case and normalises its text', () => {
    const r = newDossier({ ...valid, nom: '  Dupont-Lefèvre  ', objet: 'Droits   RSA' }, '2026-12-03');
    expect(r).toEqual({
      ok: true,
      value: expect.objectContaining({
        nom: 'Dupont-Lefèvre',
        objet: 'Droits RSA',
        numeroPartenaire: '1234567 A',
      }),
    });
  });

  it('refuses a social security number in the file number field, spaced or not', () => {
    for (const nir of ['1 84 12 75 108 123 45', '284127510812345', '1841275108123']) {
      const r = newDossier({ ...valid, numeroPartenaire: nir }, '2026-12-03');
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(r.issues).toEqual([
          expect.objectContaining({
            field: 'numero_partenaire',
            message: expect.stringMatching(/sécurité sociale/),
          }),
        ]);
    }
  });

  it('names every faulty field at once, in French', () => {
    const r = newDossier(
      {
        partenaire: 'autre',
        nom: '<script>alert(1)</script>',
        prenom: '',
        dateNaissance: '2026-02-30',
        numeroPartenaire: 'x'.repeat(41),
        objet: 'a'.repeat(201),
        message: '',
        consentement: undefined,
        consentVersion: CONSENT_VERSION,
      },
      '2026-12-03',
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => i.field).sort()).toEqual(
      [
        'consentement',
        'date_naissance',
        'message',
        'nom',
        'numero_partenaire',
        'objet',
        'partenaire',
        'prenom',
      ].sort(),
    );
    for (const i of r.issues) expect(i.message).toMatch(/[a-zé]/);
  });

  it('refuses wrong types, a future birth date and a consent given on an older text', () => {
    const r = newDossier(
      { ...valid, nom: 42, dateNaissance: '2027-01-01', consentVersion: '2020-v0' } as DossierInput,
      '2026-12-03',
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.field)).toEqual(['nom', 'date_naissance', 'consentement']);
  });

  it('keeps messages plain and bounded', () => {
    expect(plainText('  a\r\nb  ', 'message')).toBe('a\nb');
    expect(() => plainText('x'.repeat(5001), 'message')).toThrow(/5000 caractères/);
    expect(() => plainText('a\u0000b', 'message')).toThrow(/invalides/);
    expect(() => plainText(['a'], 'message')).toThrow(/Écrivez/);
  });
});

describe('statuses', () => {
  it('the référent takes, answers and closes; the agent reopens an answer or closes', () => {
    expect(nextStatuts('referent', 'nouveau')).toEqual(['en_cours', 'repondu', 'clos']);
    expect(nextStatuts('agent', 'repondu')).toEqual(['en_cours', 'clos']);
    expect(() => checkTransition('agent', 'nouveau', 'repondu')).toThrow(/pas possible pour l’agent/);
    expect(() => checkTransition('referent', 'clos', 'en_cours')).toThrow(/clos/);
    expect(() => checkTransition('referent', 'en_cours', 'repondu')).not.toThrow();
  });

  it('"answered" is a référent’s message or status change, never a reassignment nor the agent', () => {
    expect(countsAsAnswer('referent', 'message')).toBe(true);
    expect(countsAsAnswer('referent', 'statut')).toBe(true);
    expect(countsAsAnswer('referent', 'reassignation')).toBe(false);
    expect(countsAsAnswer('agent', 'message')).toBe(false);
  });
});

describe('deadlines in business hours at the structure’s commune (hand-counted)', () => {
  it('Moselle: Good Friday and Easter Monday pause the 72 hours; in the Aisne only Easter Monday does', () => {
    // Wednesday 1 April 2026 10:00 CEST. Metz: 14 (Wed) + 24 (Thu) + 24 (Tue 7) + 10 → Wed 8 April 10:00.
    expect(iso(deadlinesOf(at('2026-04-01T08:00:00Z'), '57463').firstAnswerDue)).toBe(
      '2026-04-08T08:00:00.000Z',
    );
    // Guise: 14 + 24 (Thu) + 24 (Good Friday works) + 10 on Tuesday 7 April.
    expect(iso(deadlinesOf(at('2026-04-01T08:00:00Z'), '02361').firstAnswerDue)).toBe(
      '2026-04-07T08:00:00.000Z',
    );
  });

  it('overseas: La Réunion’s 20 December pauses, on its own clock (UTC+4)', () => {
    // Friday 17 December 2027 15:00 local: 9 (Fri) + Mon 20 closed + 24 (Tue) + 24 (Wed) + 15 → Thu 23 15:00 local.
    expect(iso(deadlinesOf(at('2027-12-17T11:00:00Z'), '97414').firstAnswerDue)).toBe(
      '2027-12-23T11:00:00.000Z',
    );
  });

  it('across the autumn clock change the due time keeps the wall clock', () => {
    // Friday 23 October 2026 12:00 CEST: 12 + 24 (Mon 26) + 24 (Tue 27) + 12 → Wed 28 October 12:00 CET = 11:00Z.
    const d = deadlinesOf(at('2026-10-23T10:00:00Z'), '75056');
    expect(iso(d.firstAnswerDue)).toBe('2026-10-28T11:00:00.000Z');
    // The reminder after 48 hours: 12 + 24 + 12 → Tuesday 27 October 12:00 CET.
    expect(iso(d.reminderDue)).toBe('2026-10-27T11:00:00.000Z');
  });

  it('resolution is 15 business days; 11 November does not count', () => {
    // Monday 2 November 2026 00:00 CET: 2–6, 9, 10, 12, 13, 16–20, 23 → Tuesday 24 November 00:00 CET.
    expect(iso(deadlinesOf(at('2026-11-01T23:00:00Z'), '75056').resolutionDue)).toBe(
      '2026-11-23T23:00:00.000Z',
    );
  });
});

describe('late flags and urgency', () => {
  const base = {
    statut: 'nouveau',
    firstAnswerDue: at('2026-12-04T10:00:00Z'),
    resolutionDue: at('2026-12-20T10:00:00Z'),
    firstAnswerAt: null,
    closedAt: null,
  };
  it('is late past the 72 hours without an answer, not once answered in time', () => {
    expect(latenessOf(base, at('2026-12-04T09:59:00Z')).late).toBe(false);
    expect(latenessOf(base, at('2026-12-04T10:01:00Z'))).toMatchObject({ late: true, answerLate: true });
    const answered = { ...base, statut: 'en_cours', firstAnswerAt: at('2026-12-03T10:00:00Z') };
    expect(latenessOf(answered, at('2026-12-10T00:00:00Z'))).toMatchObject({
      late: false,
      nextDue: base.resolutionDue,
    });
    expect(latenessOf(answered, at('2026-12-21T00:00:00Z')).late).toBe(true);
    expect(
      latenessOf(
        { ...answered, statut: 'clos', closedAt: at('2026-12-05T00:00:00Z') },
        at('2027-01-01T00:00:00Z'),
      ).late,
    ).toBe(false);
  });

  it('sorts the most urgent first, closed cases last', () => {
    const rows = [
      { ...base, id: 'closed', statut: 'clos', closedAt: at('2026-12-01T00:00:00Z') },
      { ...base, id: 'later', firstAnswerDue: at('2026-12-09T00:00:00Z') },
      { ...base, id: 'late', firstAnswerDue: at('2026-12-01T00:00:00Z') },
    ];
    expect(byUrgency(rows, at('2026-12-03T00:00:00Z')).map((r) => r.id)).toEqual(['late', 'later', 'closed']);
  });
});

describe('figures', () => {
  it('share within 72 hours over settled cases, medians in business hours', () => {
    const now = at('2026-12-10T00:00:00Z');
    const row = (firstAnswerBh: number | null, closeBh: number | null, due = '2026-12-01T00:00:00Z') => ({
      partenaire: 'caf',
      departement: '02',
      firstAnswerDue: at(due),
      firstAnswerBh,
      closeBh,
    });
    const [f] = figuresOf(
      [row(10, 100), row(80, null), row(null, null), row(null, null, '2026-12-20T00:00:00Z'), row(72, 50)],
      now,
    );
    expect(f).toEqual({
      partenaire: 'caf',
      departement: '02',
      cases: 5,
      settled: 4,
      answeredWithin72: 2,
      shareWithin72: 0.5,
      medianFirstAnswerBh: 72,
      medianCloseBh: 75,
    });
    expect(median([])).toBeNull();
    expect(figuresOf([], now)).toEqual([]);
  });

  it('erases six calendar months after closing', () => {
    expect(iso(erasureCutoff(at('2026-08-31T12:00:00Z')))).toBe('2026-02-28T12:00:00.000Z');
  });
});
