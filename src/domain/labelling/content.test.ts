import { describe, expect, it } from 'vitest';
import { emptyContent, missingForFiling, parseContent, precheckInputOf } from './content.js';
import { precheck } from './prechecks.js';
import { REFERENTIEL_2025_06 } from './referentiel-2025.js';

const DOCS = ['LOC-02', 'LOC-04', 'PAR-03', 'QUA-01', 'QUA-03'];

describe('application content', () => {
  it('lists everything missing from an empty draft, including mandatory documents', () => {
    const missing = missingForFiling(emptyContent(), REFERENTIEL_2025_06, []);
    expect(missing).toContain('le type de porteur');
    expect(missing).toContain('les horaires d’ouverture');
    expect(missing.filter((m) => m.startsWith('la pièce justificative')).map((m) => m.slice(23, 29))).toEqual(
      DOCS,
    );
  });

  it('parses a complete draft; nothing is missing and pre-checks run on it', () => {
    const c = parseContent({
      porteurKind: 'commune',
      porteurName: 'Commune de Guise',
      structureName: 'France Services de Guise',
      format: 'fixe',
      address: '1 place de l’Hôtel de ville',
      codeInsee: '02361',
      postalCode: '02120',
      communeName: 'Guise',
      lat: '49.9',
      lon: '3.63',
      email: 'fs@guise.fr',
      telephone: '03 23 00 00 00',
      hours: {
        lundi: '9h-12h / 13h30-17h',
        mardi: '09:00 - 17:00',
        mercredi: '09:00 - 17:00',
        jeudi: '09:00 - 12:00',
        vendredi: '09:00 - 12:00',
      },
      agents: [
        { name: 'Anne', trainedOn: '2025-01-10' },
        { name: 'Bruno', trainedOn: '' },
        { name: '', trainedOn: '' },
      ],
      partners: ['caf', 'msa', 'caf'],
      referents: { caf: 'Mme Caf', msa: '' },
    });
    expect(c.agents).toEqual([
      { name: 'Anne', trainedOn: '2025-01-10' },
      { name: 'Bruno', trainedOn: null },
    ]);
    expect(c.partners).toEqual(['caf', 'msa']);
    expect(c.referents).toEqual({ caf: 'Mme Caf' });
    expect(missingForFiling(c, REFERENTIEL_2025_06, DOCS)).toEqual([]);
    const report = precheck(precheckInputOf(c, 'candidature-1'));
    expect(report.weeklyHours).toBe(28.5);
    expect(report.criteria.find((x) => x.code === 'PAR-02')?.detail).toContain('MSA');
  });

  it('names the field of unreadable input', () => {
    expect(() => parseContent({ hours: { lundi: 'le matin' } })).toThrow(/Lundi : Horaires illisibles/);
    expect(() => parseContent({ partners: ['banque'] })).toThrow(/Partenaire « banque »/);
    expect(() => parseContent({ agents: [{ name: 'A', trainedOn: '10/01/2025' }] })).toThrow(
      /Date de formation invalide/,
    );
    expect(() => parseContent({ porteurKind: 'entreprise' })).toThrow(/porteur « entreprise »/);
  });
});
