import { describe, expect, it } from 'vitest';
import { CLOSED_WEEK, weeklyHoursFromText } from '../opening-hours.js';
import { PARTNERS } from '../structure.js';
import { toGeoJson } from './geojson.js';
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
  emails: [],
  telephones: ['04 50 56 87 49'],
  hours: weeklyHoursFromText({ mardi: '09:00 - 12:00 / 13:30 - 17:00' }).hours,
  appointment: true,
  comment: null,
  partners: [...PARTNERS],
  labelledOn: '2020-01-01',
  source: 'test',
  ...over,
});

describe('toGeoJson', () => {
  it('makes one Point per structure, [lon, lat], with the official hours text', () => {
    const geo = toGeoJson([structure()]);
    expect(geo.type).toBe('FeatureCollection');
    expect(geo.skipped).toEqual([]);
    expect(geo.features).toHaveLength(1);
    const f = geo.features[0];
    if (!f) throw new Error('no feature');
    expect(f.type).toBe('Feature');
    expect(f.id).toBe('1');
    expect(f.geometry).toEqual({ type: 'Point', coordinates: [5.82601, 46.10607] });
    expect(f.properties).toMatchObject({
      id: null,
      idFs: '1',
      name: 'France services de Valserhône',
      format: 'fixe',
      mobile: false,
      address: '5-9 Rue des Papetiers',
      commune: 'Valserhône',
      codeInsee: '01033',
      status: 'ouverte',
      appointment: true,
      partners: [...PARTNERS],
    });
    expect(f.properties.hours).toEqual({
      lundi: '',
      mardi: '09:00 - 12:00 / 13:30 - 17:00',
      mercredi: '',
      jeudi: '',
      vendredi: '',
      samedi: '',
      dimanche: '',
    });
  });

  it('leaves out structures without coordinates and lists them in `skipped`', () => {
    const geo = toGeoJson([
      structure({ idFs: '1' }),
      structure({ idFs: '2', lat: null, lon: null }),
      structure({ idFs: '3', format: 'bus', hours: CLOSED_WEEK }),
    ]);
    expect(geo.features.map((f) => f.properties.idFs)).toEqual(['1', '3']);
    expect(geo.features[1]?.properties.mobile).toBe(true);
    expect(geo.skipped).toEqual(['2']);
  });

  it('uses our id and status when the structure carries them', () => {
    const geo = toGeoJson([
      {
        ...structure(),
        id: 'b3c1f0de-0000-4000-8000-000000000001',
        status: 'fermee_temporairement',
        statusUntil: '2026-12-31',
      },
    ]);
    expect(geo.features[0]?.id).toBe('b3c1f0de-0000-4000-8000-000000000001');
    expect(geo.features[0]?.properties).toMatchObject({
      status: 'fermee_temporairement',
      statusUntil: '2026-12-31',
    });
  });

  it('serialises to plain JSON', () => {
    const geo = toGeoJson([structure()]);
    expect(JSON.parse(JSON.stringify(geo))).toEqual(geo);
  });
});
