import { describe, expect, it } from 'vitest';
import { weeklyHoursFromText } from '../opening-hours.js';
import { PARTNERS } from '../structure.js';
import { OFFICIAL_COLUMNS, readOfficialCsv, type StructureInput } from './official-csv.js';
import { writeOfficialCsv } from './official-csv-write.js';

const structure = (over: Partial<StructureInput> = {}): StructureInput => ({
  idFs: '3',
  name: 'Bus France services Thiérache Sambre et Oise',
  type: 'principal',
  format: 'bus',
  group: null,
  address: '6 Rue André Godin',
  addressComplement: null,
  codeInsee: '02361',
  postalCode: '02120',
  communeName: 'Guise',
  departement: '02',
  lat: 49.90147,
  lon: 3.626688,
  emails: ['busfranceservices@cctso.fr'],
  telephones: ['07 85 78 24 48'],
  hours: weeklyHoursFromText({ lundi: '09:30 - 16:30', mardi: '09:00 - 12:00 / 13:30 - 17:00' }).hours,
  appointment: false,
  comment: null,
  partners: [...PARTNERS],
  labelledOn: '2020-01-01',
  source: 'test',
  ...over,
});

const HEADER = OFFICIAL_COLUMNS.map((c) => `"${c}"`).join(',');

describe('writeOfficialCsv', () => {
  it('writes the official header and quotes strings like the source file', () => {
    expect(writeOfficialCsv([structure()])).toBe(
      `${HEADER}\n` +
        '"3","02","Bus France services Thiérache Sambre et Oise","6 Rue André Godin",,"02361","02120","Guise",' +
        '49.90147,3.626688,"busfranceservices@cctso.fr","07 85 78 24 48","09:30 - 16:30",' +
        '"09:00 - 12:00 / 13:30 - 17:00",,,,,"Non",,"Principal","Bus_équivalent",,"Espace labellisé 01/01/2020"\n',
    );
  });

  it('writes only the header for no structures', () => {
    expect(writeOfficialCsv([])).toBe(`${HEADER}\n`);
  });

  it('escapes quotes, keeps commas and line breaks inside quoted fields, and leaves nulls empty', () => {
    const s = structure({
      name: 'France services "Le Relais", mairie',
      comment: 'Permanences :\nlundi à Guise',
      lat: null,
      lon: null,
      emails: [],
      labelledOn: null,
      format: 'fixe_antennes',
      type: 'antenne',
      appointment: true,
    });
    const text = writeOfficialCsv([s]);
    expect(text).toContain('"France services ""Le Relais"", mairie"');
    expect(text).toContain('"Guise",,,,"07 85 78 24 48"');
    expect(text).toContain('"Oui","Permanences :\nlundi à Guise","Antenne","Fixe_antenne(s)",,\n');
  });

  it('reads back what it wrote, every format and type included', () => {
    const structures = (['fixe', 'multisites', 'fixe_antennes', 'bus', 'itinerante'] as const).map(
      (format, i) =>
        structure({
          idFs: String(i + 1),
          format,
          type: i % 2 ? 'antenne' : 'principal',
          group: i === 2 ? 'Hérault Méditerranée' : null,
          addressComplement: i === 1 ? 'Bâtiment B, 2e étage' : null,
          comment: i === 3 ? 'Tournée :\n\nmardi à Hirson' : null,
          codeInsee: i === 4 ? '2A004' : '02361',
          departement: i === 4 ? '2A' : '02',
          lat: i === 4 ? 41.919 : 49.90147,
          lon: i === 4 ? 8.738 : 3.626688,
        }),
    );
    const text = writeOfficialCsv(structures);
    const read = readOfficialCsv(new TextEncoder().encode(text), { source: 'test' });
    if (!read.ok) throw read.error;
    expect(read.rejected).toEqual([]);
    expect(read.warnings).toEqual([]);
    expect(read.rows.map((r) => r.structure)).toEqual(structures);
    expect(writeOfficialCsv(read.rows.map((r) => r.structure))).toBe(text);
  });

  it('drops Sunday hours, which the official format has no column for', () => {
    const hours = weeklyHoursFromText({ samedi: '09:00 - 12:00', dimanche: '10:00 - 12:00' }).hours;
    const text = writeOfficialCsv([structure({ hours })]);
    expect(text).toContain(',,,,,"09:00 - 12:00","Non"');
    expect(text).not.toContain('10:00');
  });
});
