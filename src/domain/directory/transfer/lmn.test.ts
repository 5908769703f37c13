import { describe, expect, it } from 'vitest';
import { CLOSED_WEEK, weeklyHoursFromText } from '../opening-hours.js';
import { PARTNERS } from '../structure.js';
import { toLieuxMediationNumerique, toOsmOpeningHours } from './lmn.js';
import type { StructureInput } from './official-csv.js';

const structure = (over: Partial<StructureInput> = {}): StructureInput => ({
  idFs: '1',
  name: 'France services de Valserhône',
  type: 'principal',
  format: 'fixe',
  group: null,
  address: '5-9 Rue des Papetiers',
  addressComplement: null,
  codeInsee: '01033',
  postalCode: '01200',
  communeName: 'Valserhône',
  departement: '01',
  lat: 46.10607,
  lon: 5.82601,
  emails: ['franceservices@ccpb01.fr'],
  telephones: ['04 50 56 87 49'],
  hours: weeklyHoursFromText({
    lundi: '13:30 - 17:00',
    mardi: '09:00 - 12:00 / 13:30 - 17:00',
    mercredi: '09:00 - 12:00 / 13:30 - 17:00',
    jeudi: '09:00 - 12:00 / 13:30 - 17:00',
    vendredi: '09:00 - 12:00 / 13:30 - 16:00',
  }).hours,
  appointment: false,
  comment: null,
  partners: [...PARTNERS],
  labelledOn: '2020-01-01',
  source: 'datagouv',
  ...over,
});
const dateMaj = new Date('2024-08-01T00:00:00Z');

describe('toOsmOpeningHours', () => {
  it('groups consecutive days with the same ranges', () => {
    expect(toOsmOpeningHours(structure().hours)).toBe(
      'Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00',
    );
  });

  it('writes two equal days as a list, skips closed days, and keeps Sunday', () => {
    const hours = weeklyHoursFromText({
      lundi: '09:00 - 12:00',
      mardi: '09:00 - 12:00',
      jeudi: '09:00 - 12:00',
      dimanche: '10:00 - 24:00',
    }).hours;
    expect(toOsmOpeningHours(hours)).toBe('Mo,Tu 09:00-12:00; Th 09:00-12:00; Su 10:00-24:00');
  });

  it('is null for a week without opening', () => {
    expect(toOsmOpeningHours(CLOSED_WEEK)).toBeNull();
  });
});

describe('toLieuxMediationNumerique', () => {
  it('builds a schema row with the France Services dispositif', () => {
    const { lieux, errors, warnings } = toLieuxMediationNumerique([structure()], { dateMaj });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(lieux).toEqual([
      {
        id: 'france-services-1',
        nom: 'France services de Valserhône',
        pivot: '00000000000000',
        services: 'Aide aux démarches administratives',
        typologie: 'RFS',
        commune: 'Valserhône',
        code_postal: '01200',
        code_insee: '01033',
        adresse: '5-9 Rue des Papetiers',
        latitude: 46.10607,
        longitude: 5.82601,
        telephone: '04 50 56 87 49',
        courriels: 'franceservices@ccpb01.fr',
        itinerance: 'Fixe',
        modalites_acces: 'Se présenter|Téléphoner|Contacter par mail',
        dispositif_programmes_nationaux: 'France Services',
        horaires: 'Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00',
        source: 'datagouv',
        date_maj: '2024-08-01',
      },
    ]);
  });

  it('marks bus and itinérante structures as itinerant', () => {
    const { lieux } = toLieuxMediationNumerique(
      [
        structure({ idFs: '1', format: 'bus' }),
        structure({ idFs: '2', format: 'itinerante' }),
        structure({ idFs: '3' }),
      ],
      { dateMaj },
    );
    expect(lieux.map((l) => l.itinerance)).toEqual(['Itinérant', 'Itinérant', 'Fixe']);
  });

  it('returns the rows the library refuses as errors, without throwing', () => {
    const { lieux, errors } = toLieuxMediationNumerique(
      [
        structure({ idFs: '1', communeName: 'Château-Chinon (Ville)' }),
        structure({ idFs: '2', postalCode: '' }),
      ],
      { dateMaj },
    );
    expect(lieux).toEqual([]);
    expect(errors).toEqual([
      { idFs: '1', message: expect.stringContaining('Château-Chinon (Ville)') },
      { idFs: '2', message: expect.stringContaining('code postal') },
    ]);
  });

  it('publishes without an optional field the library refuses, and says so', () => {
    const { lieux, warnings } = toLieuxMediationNumerique([structure({ telephones: ['12 34'] })], {
      dateMaj,
    });
    expect(lieux[0]?.telephone).toBeUndefined();
    expect(lieux[0]?.courriels).toBe('franceservices@ccpb01.fr');
    expect(warnings).toEqual([{ idFs: '1', message: expect.stringContaining('Téléphone') }]);
  });

  it('needs a date_maj, and never publishes a structure closed for good', () => {
    const closed = {
      ...structure({ idFs: '2' }),
      status: 'fermee_definitivement' as const,
      updatedAt: dateMaj,
    };
    const { lieux, errors } = toLieuxMediationNumerique([structure({ idFs: '1' }), closed]);
    expect(lieux).toEqual([]);
    expect(errors.map((e) => e.idFs)).toEqual(['1', '2']);
  });

  it('takes date_maj from the structure when it has one', () => {
    const s = { ...structure(), updatedAt: new Date('2026-03-02T10:00:00Z') };
    expect(toLieuxMediationNumerique([s]).lieux[0]?.date_maj).toBe('2026-03-02');
  });
});
