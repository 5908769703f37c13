import { describe, expect, it } from 'vitest';
import { assertCanClose, assertCanFile, type Campaign, validateCampaign } from './campaign.js';
import { CATEGORIES, publishReferentiel, validateReferentiel } from './referentiel.js';
import { REFERENTIEL_2025_06 } from './referentiel-2025.js';

describe('référentiel', () => {
  it('ships a first version of about 30 criteria covering every category, with its source', () => {
    const ref = validateReferentiel(REFERENTIEL_2025_06);
    expect(ref.criteria.length).toBeGreaterThanOrEqual(28);
    expect(new Set(ref.criteria.map((c) => c.category))).toEqual(new Set(CATEGORIES));
    expect(ref.source).toMatch(/arrêté en juin 2025/);
    for (const code of ['OUV-01', 'OUV-02', 'PER-01', 'PER-02', 'PAR-01', 'PAR-02', 'OUV-04']) {
      expect(ref.criteria.find((c) => c.code === code)).toMatchObject({
        check: 'automatic',
        mandatory: true,
      });
    }
  });

  it('publishes an immutable copy and refuses to republish a version', () => {
    const at = new Date('2026-11-24T10:00:00Z');
    const draft = {
      ...REFERENTIEL_2025_06,
      version: '2026-01',
      criteria: REFERENTIEL_2025_06.criteria.map((c) => ({ ...c })),
    };
    const published = publishReferentiel(draft, ['2025-06'], at);
    expect(published.publishedAt).toBe('2026-11-24T10:00:00.000Z');
    expect(Object.isFrozen(published.criteria[0])).toBe(true);
    expect(() => {
      (published.criteria as unknown as { title: string }[])[0]!.title = 'changé';
    }).toThrow();
    expect(() => publishReferentiel(draft, ['2025-06', '2026-01'], at)).toThrow(/déjà publiée/);
  });

  it('names the faulty field of a bad draft', () => {
    const bad = (over: object) => ({ ...REFERENTIEL_2025_06, ...over });
    expect(() => validateReferentiel(bad({ version: 'v2' }))).toThrow(/Version « v2 »/);
    expect(() => validateReferentiel(bad({ criteria: [null] }))).toThrow(
      'Le critère n° 1 n’est pas un objet.',
    );
    expect(() => validateReferentiel(bad({ criteria: 'ACC-01' }))).toThrow(/au moins un critère/);
    const dup = [...REFERENTIEL_2025_06.criteria, REFERENTIEL_2025_06.criteria[0]!];
    try {
      validateReferentiel(bad({ criteria: dup }));
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({
        field: `criteria[${dup.length - 1}].code`,
        message: 'Le code ACC-01 figure deux fois.',
      });
    }
    expect(() =>
      validateReferentiel(bad({ criteria: [{ ...REFERENTIEL_2025_06.criteria[0]!, category: 'cuisine' }] })),
    ).toThrow(/cuisine/);
  });
});

describe('campaigns', () => {
  const input = {
    name: 'Campagne 2027',
    opensOn: '2026-11-01',
    closesOn: '2027-01-31',
    departements: ['02', '2a'],
    referentielVersion: '2025-06',
  };
  const campaign: Campaign = { ...validateCampaign(input, ['2025-06']), status: 'ouverte' };

  it('validates dates, departments and the référentiel version', () => {
    expect(campaign.departements).toEqual(['02', '2A']);
    expect(() => validateCampaign({ ...input, closesOn: '2026-10-01' }, ['2025-06'])).toThrow(/précède/);
    expect(() => validateCampaign({ ...input, departements: ['99'] }, ['2025-06'])).toThrow(
      /Département « 99 »/,
    );
    expect(() => validateCampaign({ ...input, referentielVersion: '2030-01' }, ['2025-06'])).toThrow(
      /n’est pas publiée/,
    );
  });

  it('accepts filings only while open, in its departments', () => {
    expect(() => assertCanFile(campaign, '02', '2026-11-24')).not.toThrow();
    expect(() => assertCanFile(campaign, '80', '2026-11-24')).toThrow(/ne couvre pas le département 80/);
    expect(() => assertCanFile(campaign, '02', '2027-02-01')).toThrow(/clos depuis le 2027-01-31/);
    expect(() => assertCanFile({ ...campaign, status: 'cloturee' }, '02', '2026-11-24')).toThrow(/clôturée/);
    expect(() => assertCanFile({ ...campaign, departements: [] }, '971', '2026-11-24')).not.toThrow();
  });

  it('closes only without applications in progress', () => {
    expect(() => assertCanClose(campaign, 3)).toThrow(/3 candidature\(s\) sont encore en cours/);
    expect(() => assertCanClose(campaign, 0)).not.toThrow();
  });
});
