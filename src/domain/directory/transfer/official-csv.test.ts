import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { PARTNERS } from '../structure.js';
import {
  OFFICIAL_COLUMNS,
  type OfficialColumn,
  type OfficialCsvRead,
  readOfficialCsv,
} from './official-csv.js';
import { writeOfficialCsv } from './official-csv-write.js';

const DEFAULTS: Record<OfficialColumn, string> = {
  id_fs: '1',
  insee_dep: '01',
  lib_fs: 'France services de Valserhône',
  adresse: '5-9 Rue des Papetiers',
  complement_adresse: '',
  insee_com: '01033',
  code_postal: '01200',
  lib_com: 'Valserhône',
  latitude: '46.1060711578546',
  longitude: '5.8260084241619',
  mail: 'franceservices@ccpb01.fr',
  telephone: '04 50 56 87 49',
  h_lundi: '13:30 - 17:00',
  h_mardi: '09:00 - 12:00 / 13:30 - 17:00',
  h_mercredi: '09:00 - 12:00 / 13:30 - 17:00',
  h_jeudi: '09:00 - 12:00 / 13:30 - 17:00',
  h_vendredi: '09:00 - 12:00 / 13:30 - 16:00',
  h_samedi: '',
  prise_rdv: 'Non',
  commentaire: '',
  type_fs: 'Principal',
  format_fs: 'Fixe',
  groupe_fs: '',
  labellisation_fs: 'Espace labellisé 01/01/2020',
};

const HEADER = OFFICIAL_COLUMNS.map((c) => `"${c}"`).join(',');
const q = (v: string) => (v === '' ? '' : `"${v.replace(/"/g, '""')}"`);
/** One official row (quoted like the source), with some columns overridden. */
const row = (over: Partial<Record<OfficialColumn, string>> = {}, sep = ',') =>
  OFFICIAL_COLUMNS.map((c) => q(over[c] ?? DEFAULTS[c])).join(sep);
const csv = (...rows: string[]) => `${[HEADER, ...rows].join('\n')}\n`;
const bytes = (text: string) => new TextEncoder().encode(text);

function read(text: string | Uint8Array) {
  const r = readOfficialCsv(typeof text === 'string' ? bytes(text) : text);
  if (!r.ok) throw new Error(`refused: ${r.error.message}`);
  return r;
}
const refused = (r: OfficialCsvRead) => {
  if (r.ok) throw new Error('expected a refusal');
  return r.error;
};
const only = (r: ReturnType<typeof read>) => {
  expect(r.rows).toHaveLength(1);
  const first = r.rows[0];
  if (!first) throw new Error('no row');
  return first.structure;
};

describe('readOfficialCsv: a clean row', () => {
  it('maps every official column to the model', () => {
    const r = read(csv(row({ groupe_fs: 'PI14', prise_rdv: 'Oui', commentaire: 'Sur rendez-vous' })));
    expect(r.rejected).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rows[0]?.line).toBe(2);
    expect(only(r)).toEqual({
      idFs: '1',
      name: 'France services de Valserhône',
      type: 'principal',
      format: 'fixe',
      group: 'PI14',
      address: '5-9 Rue des Papetiers',
      addressComplement: null,
      codeInsee: '01033',
      postalCode: '01200',
      communeName: 'Valserhône',
      departement: '01',
      lat: 46.1060711578546,
      lon: 5.8260084241619,
      emails: ['franceservices@ccpb01.fr'],
      telephones: ['04 50 56 87 49'],
      hours: {
        days: {
          lundi: [{ start: 810, end: 1020 }],
          mardi: [
            { start: 540, end: 720 },
            { start: 810, end: 1020 },
          ],
          mercredi: [
            { start: 540, end: 720 },
            { start: 810, end: 1020 },
          ],
          jeudi: [
            { start: 540, end: 720 },
            { start: 810, end: 1020 },
          ],
          vendredi: [
            { start: 540, end: 720 },
            { start: 810, end: 960 },
          ],
          samedi: [],
          dimanche: [],
        },
      },
      appointment: true,
      comment: 'Sur rendez-vous',
      partners: [...PARTNERS],
      labelledOn: '2020-01-01',
      source: 'datagouv-liste-structures-france-services',
    });
  });

  it('stores the given source', () => {
    const r = readOfficialCsv(bytes(csv(row())), { source: 'liste-fs-20240801.csv' });
    expect(r.ok && r.rows[0]?.structure.source).toBe('liste-fs-20240801.csv');
  });

  it('accepts the columns in another order', () => {
    const cols = [...OFFICIAL_COLUMNS].reverse();
    const text = `${cols.join(',')}\n${cols.map((c) => q(DEFAULTS[c])).join(',')}\n`;
    expect(only(read(text)).name).toBe('France services de Valserhône');
  });
});

describe('readOfficialCsv: encodings and separators', () => {
  it('skips a UTF-8 byte order mark', () => {
    const r = read(`\uFEFF${csv(row())}`);
    expect(only(r).idFs).toBe('1');
    expect(r.warnings).toEqual([]);
  });

  it('detects the `;` separator from the header line', () => {
    const text = `${OFFICIAL_COLUMNS.join(';')}\n${row({ lib_fs: 'France services, mairie' }, ';')}\n`;
    expect(only(read(text)).name).toBe('France services, mairie');
  });

  it('reads Windows-1252 bytes, and warns once with the line of the first bad byte', () => {
    const text = csv(row(), row({ id_fs: '2', lib_com: 'Saint-Étienne', lib_fs: 'Hôtel de ville' }));
    const r = read(iconv.encode(text, 'win1252'));
    expect(r.rows.map((x) => x.structure.communeName)).toEqual(['Valserhône', 'Saint-Étienne']);
    expect(r.rows[1]?.structure.name).toBe('Hôtel de ville');
    expect(r.warnings).toEqual([
      { line: 2, field: 'encodage', message: expect.stringContaining('Windows-1252') },
    ]);
  });

  it('accepts Windows line endings', () => {
    const r = read(csv(row(), row({ id_fs: '2' })).replace(/\n/g, '\r\n'));
    expect(r.rows.map((x) => x.line)).toEqual([2, 3]);
  });
});

describe('readOfficialCsv: whole-file refusals', () => {
  it('refuses an empty file', () => {
    expect(refused(readOfficialCsv(new Uint8Array())).message).toBe('Le fichier est vide.');
    expect(refused(readOfficialCsv(bytes('\uFEFF \n\n'))).message).toBe('Le fichier est vide.');
  });

  it('refuses binary garbage', () => {
    const garbage = new Uint8Array(512).map((_, i) => (i * 7919) % 256);
    const error = refused(readOfficialCsv(garbage));
    expect(error.code).toBe('unsupported');
    expect(error.message).toContain('binaire');
  });

  it('refuses an Excel workbook with a hint', () => {
    const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect(refused(readOfficialCsv(xlsx)).message).toContain('Excel');
  });

  it('refuses a wrong header, naming the missing and unknown columns', () => {
    const header: string[] = OFFICIAL_COLUMNS.filter((c) => c !== 'lib_fs' && c !== 'h_samedi');
    header.push('nom');
    const error = refused(readOfficialCsv(bytes(`${header.join(',')}\n`)));
    expect(error.code).toBe('invalid');
    expect(error.field).toBe('en-tete');
    expect(error.message).toContain('colonnes manquantes : lib_fs, h_samedi');
    expect(error.message).toContain('colonnes inconnues : nom');
  });

  it('refuses a file that is not the official one at all', () => {
    const error = refused(readOfficialCsv(bytes('code_insee,nom\n01033,Valserhône\n')));
    expect(error.message).toContain('colonnes manquantes : id_fs, insee_dep');
  });
});

describe('readOfficialCsv: line numbers', () => {
  it('counts physical lines across quoted multi-line fields and blank lines', () => {
    const text = csv(
      row({ id_fs: '1', commentaire: 'Permanences :\n\n\nlundi à Guise\nmardi à Hirson' }),
      row({ id_fs: '2', adresse: '27 Avenue Robert Schuman\n\n\n' }),
      '',
      row({ id_fs: '3', type_fs: 'Annexe' }),
      row({ id_fs: '4' }),
    );
    const r = read(text);
    expect(r.rows.map((x) => [x.structure.idFs, x.line])).toEqual([
      ['1', 2],
      ['2', 7],
      ['4', 13],
    ]);
    expect(r.rejected).toEqual([{ line: 12, field: 'type_fs', message: expect.stringContaining('Annexe') }]);
    expect(r.rows[0]?.structure.comment).toBe('Permanences :\n\nlundi à Guise\nmardi à Hirson');
    expect(r.rows[1]?.structure.address).toBe('27 Avenue Robert Schuman');
  });

  it('rejects a row with a wrong number of columns, and goes on', () => {
    const r = read(csv(row({ id_fs: '1' }), '"2","01","Trop court"', row({ id_fs: '3' })));
    expect(r.rows.map((x) => x.structure.idFs)).toEqual(['1', '3']);
    expect(r.rejected).toEqual([
      { line: 3, field: 'ligne', message: 'La ligne a 3 colonnes au lieu de 24.' },
    ]);
  });

  it('reports an unclosed quote instead of crashing', () => {
    const r = read(`${csv(row({ id_fs: '1' }))}"2,"01",oops\n`);
    expect(r.rows).toHaveLength(1);
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]).toMatchObject({ line: 3, field: 'ligne' });
  });
});

describe('readOfficialCsv: coordinates', () => {
  it('reads decimal commas', () => {
    const s = only(read(csv(row({ latitude: '46,10607', longitude: '5,82601' }))));
    expect([s.lat, s.lon]).toEqual([46.10607, 5.82601]);
  });

  it('accepts blank coordinates with a warning', () => {
    const r = read(csv(row({ latitude: '', longitude: '' })));
    expect([only(r).lat, only(r).lon]).toEqual([null, null]);
    expect(r.warnings).toEqual([
      { line: 2, field: 'latitude', message: expect.stringContaining('absentes') },
    ]);
  });

  it('keeps a row whose coordinates are outside France, without them', () => {
    const r = read(csv(row({ latitude: '0', longitude: '0' })));
    expect([only(r).lat, only(r).lon]).toEqual([null, null]);
    expect(r.warnings[0]).toMatchObject({
      field: 'latitude',
      message: expect.stringContaining('hors de France'),
    });
  });

  it('swaps latitude and longitude when that puts the point in France', () => {
    const r = read(csv(row({ latitude: '5.8260084241619', longitude: '46.1060711578546' })));
    expect([only(r).lat, only(r).lon]).toEqual([46.1060711578546, 5.8260084241619]);
    expect(r.warnings[0]?.message).toContain('inversées');
  });

  it('keeps overseas coordinates', () => {
    const s = only(read(csv(row({ insee_com: '97411', latitude: '-20.88', longitude: '55.45' }))));
    expect([s.lat, s.lon, s.departement]).toEqual([-20.88, 55.45, '974']);
  });

  it('drops unreadable coordinates with a warning', () => {
    const r = read(csv(row({ latitude: '46°06′N', longitude: '5.82' })));
    expect(only(r).lat).toBeNull();
    expect(r.warnings[0]?.message).toContain('illisibles');
  });
});

describe('readOfficialCsv: rejections', () => {
  it('rejects a duplicate id_fs, naming the first line', () => {
    const r = read(csv(row({ id_fs: '7' }), row({ id_fs: '8' }), row({ id_fs: '7', lib_fs: 'Doublon' })));
    expect(r.rows.map((x) => x.structure.idFs)).toEqual(['7', '8']);
    expect(r.rejected).toEqual([
      {
        line: 4,
        field: 'id_fs',
        message: 'Identifiant id_fs « 7 » déjà présent ligne 2 : cette ligne est ignorée.',
      },
    ]);
  });

  it('rejects missing id_fs, lib_fs and insee_com, each with its field', () => {
    const r = read(csv(row({ id_fs: ' ', lib_fs: '', insee_com: '' })));
    expect(r.rows).toEqual([]);
    expect(r.rejected.map((i) => [i.line, i.field])).toEqual([
      [2, 'id_fs'],
      [2, 'lib_fs'],
      [2, 'insee_com'],
    ]);
  });

  it('rejects an invalid INSEE code, and pads one that lost its leading zero', () => {
    const r = read(csv(row({ id_fs: '1', insee_com: '1A033' }), row({ id_fs: '2', insee_com: '1033' })));
    expect(r.rejected).toEqual([{ line: 2, field: 'insee_com', message: expect.stringContaining('1A033') }]);
    expect(only(r).codeInsee).toBe('01033');
    expect(r.warnings.map((w) => w.field)).toEqual(['insee_com']);
  });

  it('rejects unknown enum values with the allowed list', () => {
    const r = read(csv(row({ id_fs: '1', type_fs: 'Annexe', format_fs: 'Camion', prise_rdv: 'Peut-être' })));
    expect(r.rejected).toEqual([
      {
        line: 2,
        field: 'type_fs',
        message: 'Valeur « Annexe » inconnue pour type_fs (valeurs admises : Principal, Antenne).',
      },
      {
        line: 2,
        field: 'format_fs',
        message:
          'Valeur « Camion » inconnue pour format_fs (valeurs admises : Fixe, Multisites, Fixe_antenne(s), Bus_équivalent, Itinérante).',
      },
      { line: 2, field: 'prise_rdv', message: expect.stringContaining('Oui, Non') },
    ]);
  });

  it('is lenient on case, accents and spacing of enum values', () => {
    const cases: [string, string][] = [
      ['Bus_equivalent', 'bus'],
      ['fixe', 'fixe'],
      [' FIXE_ANTENNE(S) ', 'fixe_antennes'],
      ['Fixe antennes', 'fixe_antennes'],
      ['itinerante', 'itinerante'],
      ['multi-sites', 'multisites'],
    ];
    const r = read(
      csv(
        ...cases.map(([f], i) =>
          row({ id_fs: String(i), format_fs: f, type_fs: 'antenne', prise_rdv: 'OUI' }),
        ),
      ),
    );
    expect(r.rejected).toEqual([]);
    expect(r.rows.map((x) => x.structure.format)).toEqual(cases.map(([, f]) => f));
    expect(r.rows.every((x) => x.structure.type === 'antenne' && x.structure.appointment)).toBe(true);
  });

  it('rejects absurdly long values', () => {
    const r = read(csv(row({ lib_fs: 'France services '.repeat(30) })));
    expect(r.rejected).toEqual([
      { line: 2, field: 'lib_fs', message: expect.stringContaining('trop longue') },
    ]);
  });
});

describe('readOfficialCsv: opening hours', () => {
  it('merges overlapping ranges and warns with the day column', () => {
    const r = read(csv(row({ h_mardi: '09:00 - 12:00 / 09:00 - 16:30 / 14:00 - 16:30' })));
    expect(only(r).hours.days.mardi).toEqual([{ start: 540, end: 990 }]);
    expect(r.warnings.map((w) => w.field)).toEqual(['h_mardi']);
    expect(r.warnings[0]?.message).toContain('chevauchent');
  });

  it('reads `00:00 - 00:00` as closed', () => {
    const r = read(csv(row({ h_vendredi: '00:00 - 00:00', h_mercredi: '00:00 - 00:00 / 09:00 - 12:00' })));
    expect(only(r).hours.days.vendredi).toEqual([]);
    expect(only(r).hours.days.mercredi).toEqual([{ start: 540, end: 720 }]);
  });

  it('rejects unreadable hours, naming the day column', () => {
    const r = read(csv(row({ h_jeudi: 'le matin' })));
    expect(r.rows).toEqual([]);
    expect(r.rejected).toEqual([{ line: 2, field: 'h_jeudi', message: expect.stringContaining('le matin') }]);
  });
});

describe('readOfficialCsv: text fields', () => {
  it('strips markup from a name, warns with the original, and never keeps a script', () => {
    const r = read(csv(row({ lib_fs: '<script>alert("x")</script><b>France services</b> de Guise' })));
    expect(only(r).name).toBe('France services de Guise');
    expect(r.warnings).toEqual([
      { line: 2, field: 'lib_fs', message: expect.stringContaining('<script>alert("x")</script>') },
    ]);
  });

  it('rejects a name that is nothing but markup', () => {
    const r = read(csv(row({ lib_fs: '<script>alert(1)</script>' })));
    expect(r.rejected.map((i) => i.field)).toEqual(['lib_fs']);
  });

  it('keeps a comment as plain text, arrows included', () => {
    const comment = 'ouvert lundi (9h > 12h30) --> voir https://www.paris.fr/mairiemobile';
    const r = read(csv(row({ commentaire: comment })));
    expect(only(r).comment).toBe(comment);
    expect(r.warnings).toEqual([]);
  });

  it('trims values and collapses inner white space', () => {
    const s = only(
      read(
        csv(row({ lib_fs: '  France   services de Lillers ', adresse: '46, chemin\nde l’Excelsior\n\n' })),
      ),
    );
    expect(s.name).toBe('France services de Lillers');
    expect(s.address).toBe('46, chemin de l’Excelsior');
  });

  it('keeps every e-mail address and telephone number of a cell, and drops an implausible one', () => {
    const r = read(
      csv(
        row({ id_fs: '1', mail: 'france-service@carct.fr - maisondelagglo@carct.fr' }),
        row({ id_fs: '2', mail: 'mairie at dourgne.fr', telephone: 'voir mairie' }),
        row({
          id_fs: '3',
          mail: 'a@x.fr - b@x.fr - c@x.fr',
          telephone: '03 23 45 67 89 / 06 12 34 56 78',
        }),
        row({ id_fs: '4', mail: 'a@x.fr; <script>@x.fr', telephone: '03-23-45-67-89 ou 0612345678' }),
        row({ id_fs: '5', mail: Array.from({ length: 9 }, (_, i) => `m${i}@x.fr`).join(' - ') }),
      ),
    );
    expect(r.rows.map((x) => [x.structure.emails, x.structure.telephones])).toEqual([
      [['france-service@carct.fr', 'maisondelagglo@carct.fr'], ['04 50 56 87 49']],
      [[], []],
      [
        ['a@x.fr', 'b@x.fr', 'c@x.fr'],
        ['03 23 45 67 89', '06 12 34 56 78'],
      ],
      [['a@x.fr'], ['03-23-45-67-89', '0612345678']],
      [['m0@x.fr', 'm1@x.fr', 'm2@x.fr', 'm3@x.fr', 'm4@x.fr'], ['04 50 56 87 49']],
    ]);
    expect(r.warnings.map((w) => [w.line, w.field])).toEqual([
      [3, 'mail'],
      [3, 'telephone'],
      [5, 'mail'],
      [6, 'mail'],
    ]);
    // Written back as the official file writes them.
    const written = writeOfficialCsv(r.rows.slice(0, 1).map((x) => x.structure));
    expect(written).toContain('"france-service@carct.fr - maisondelagglo@carct.fr"');
  });

  it('reads the labelling date, and warns when it is unreadable', () => {
    const r = read(
      csv(
        row({ id_fs: '1', labellisation_fs: 'Espace labellisé 1/2/2020' }),
        row({ id_fs: '2', labellisation_fs: 'Espace labellisé 31/02/2020' }),
        row({ id_fs: '3', labellisation_fs: '' }),
      ),
    );
    expect(r.rows.map((x) => x.structure.labelledOn)).toEqual(['2020-02-01', null, null]);
    expect(r.warnings.map((w) => [w.line, w.field])).toEqual([[3, 'labellisation_fs']]);
  });

  it('derives the département from the INSEE code and warns when insee_dep disagrees', () => {
    const r = read(
      csv(row({ id_fs: '1', insee_com: '2A004', insee_dep: '2A' }), row({ id_fs: '2', insee_dep: '02' })),
    );
    expect(r.rows.map((x) => x.structure.departement)).toEqual(['2A', '01']);
    expect(r.warnings.map((w) => [w.line, w.field])).toEqual([[3, 'insee_dep']]);
  });
});
