import { crc32, deflateRawSync } from 'node:zlib';
import type { ProducerInput } from '../../src/domain/territory/index.js';

/**
 * A handful of communes in the formats their producers publish (docs/DONNEES.md), with the dirt real
 * files carry: a BOM and CRLF, quoted cells and an extra column in the INSEE file, Windows-1252 in the
 * cantons, a pandas index column and `6.0` in the data.gouv.fr file, `;` and codes without their leading
 * zero in the ANCT's ZRR list, a quarter split across two features. Each file also has bad rows, whose
 * line and reason the tests check. Invented names and shapes: no real reference file is copied here.
 *
 * The geography: Aisne (02: 02001–02006, 02099 an old commune now in 02004), Allier (03001), Paris
 * (75056 and its 1st arrondissement 75101), Saint-Pierre-et-Miquelon (97502) and the Terres australes
 * (98411, no population).
 */
const square = (lon: number, lat: number, size = 0.2) => ({
  type: 'Polygon',
  coordinates: [
    [
      [lon, lat],
      [lon + size, lat],
      [lon + size, lat + size],
      [lon, lat + size],
      [lon, lat],
    ],
  ],
});

const geoCommune = (
  code: string,
  nom: string,
  dep: string,
  reg: string,
  centre: [number, number] | null,
  population: number | null,
  extra: Record<string, unknown> = {},
) => ({
  code,
  nom,
  type: 'commune-actuelle',
  zone: dep.length === 3 ? 'com' : 'metro',
  codeDepartement: dep,
  codeRegion: reg,
  ...(centre ? { centre: { type: 'Point', coordinates: centre } } : {}),
  ...(population === null ? {} : { population }),
  codesPostaux: [`${dep.padEnd(3, '0')}00`.slice(0, 5)],
  anciensCodes: [],
  ...extra,
});

/** geo.api.gouv.fr `/communes` (JSON list). Element 6 has no centre, element 13 no valid code. */
export const GEO_COMMUNES = JSON.stringify([
  geoCommune('02001', 'Aville', '02', '32', [3.01, 49.01], 1000),
  geoCommune('02002', 'Bville', '02', '32', [3.11, 49.01], 2000),
  geoCommune('02003', 'Cville', '02', '32', [3.51, 49.01], 500),
  geoCommune('02004', 'Dville', '02', '32', [3.01, 49.51], 4000, { anciensCodes: ['02099'] }),
  geoCommune('02006', 'Gville', '02', '32', [3.3, 49.3], 100),
  geoCommune('02005', 'Eville', '02', '32', null, 600),
  geoCommune('02008', 'Hville', '02', '32', [3.2, 49.2], 50),
  geoCommune('03001', 'Fville', '03', '84', [3.01, 46.51], 300),
  geoCommune('75056', 'Paris', '75', '11', [2.3488, 48.8534], 2100000),
  {
    ...geoCommune('75101', 'Paris 1er Arrondissement', '75', '11', [2.3364, 48.8626], 16000),
    type: 'arrondissement-municipal',
    codeParent: '75056',
  },
  { ...geoCommune('97502', 'Saint-Pierre', '975', '', [-56.1773, 46.7791], 5200), codeRegion: undefined },
  geoCommune('98411', 'Îles Saint-Paul et Nouvelle-Amsterdam', '984', '984', [77.53, -38.71], null),
  geoCommune('ABCDE', 'Nulle part', '02', '32', [3, 49], 1),
]);

/**
 * INSEE COG `v_commune_2025.csv`: a BOM, CRLF, quoted cells and an extra column. Line 7 is a commune
 * déléguée (skipped), line 11 an arrondissement with no department nor canton of its own (taken from
 * Paris); line 12 has a bad code, line 13 too few cells, line 14 a canton the cantons file lacks, and
 * line 15 a commune geo.api no longer has (left out, with a note).
 */
export const COG_COMMUNES = `\uFEFF${[
  'TYPECOM,COM,REG,DEP,CTCD,ARR,TNCC,NCC,NCCENR,LIBELLE,CAN,COMPARENT,EXTRA',
  'COM,02001,32,02,02D,021,0,AVILLE,Aville,Aville,0201,,x',
  'COM,02002,32,02,02D,021,0,BVILLE,Bville,Bville,0201,,x',
  '"COM","02003","32","02","02D","021","0","CVILLE","Cville","Cville","0202","","x"',
  'COM,02004,32,02,02D,021,0,DVILLE,Dville,Dville,0203,,x',
  'COM,02005,32,02,02D,021,0,EVILLE,Eville,Eville,0203,,x',
  'COMD,02099,,,,,0,ZVILLE,Zville,Zville,,02004,x',
  'COM,03001,84,03,03D,031,0,FVILLE,Fville,Fville,0301,,x',
  'COM,75056,11,75,75C,751,0,PARIS,Paris,Paris,7599,,x',
  'COM,02006,32,02,02D,021,0,GVILLE,Gville,Gville,0203,,x',
  'ARM,75101,,,,,0,PARIS 1ER ARRONDISSEMENT,Paris 1er Arrondissement,Paris 1er Arrondissement,,75056,x',
  'COM,2A0X1,94,2A,2AD,2A1,0,FAUX,Faux,Faux,2A01,,x',
  'COM,02007,32,02',
  'COM,02008,32,02,02D,021,0,HVILLE,Hville,Hville,0299,,x',
  'COM,02009,32,02,02D,021,0,IVILLE,Iville,Iville,0201,,x',
].join('\r\n')}\r\n`;

/**
 * INSEE COG `v_canton_2025.csv`, as text: the test serves it in Windows-1252 (`latin1` bytes). Line 7 has
 * an unknown canton type; 0302 is made of a fraction of a commune only (no whole commune).
 */
export const COG_CANTONS = `${[
  'CAN,DEP,REG,COMPCT,BURCENTRAL,TNCC,NCC,NCCENR,LIBELLE,TYPECT',
  '0201,02,32,1,02001,0,UN,Un,Un,C',
  '0202,02,32,1,02003,0,DEUX,Deux,Deux,C',
  '0203,02,32,2,02004,0,TROIS,Trois,Trois,C',
  '0301,03,84,1,03001,0,CERILLY,Cérilly,Cérilly,C',
  '7599,75,11,,75056,0,PARIS,Paris,Paris,V',
  '0204,02,32,1,02001,0,QUATRE,Quatre,Quatre,Z',
  '0302,03,84,4,03001,0,FRACTION,Fraction,Fraction,C',
].join('\r\n')}\r\n`;

/**
 * INSEE COG `v_mvt_commune_2025.csv`. 02008 was restored out of 02001 (MOD 21: the arc from the source,
 * the source's own arc, and the former commune déléguée's arc); 02005 came out of 02003. Line 6 is a
 * merger already known from geo.api's old codes; line 7 has a bad code.
 */
export const COG_MOUVEMENTS = `${[
  'MOD,DATE_EFF,TYPECOM_AV,COM_AV,TNCC_AV,NCC_AV,NCCENR_AV,LIBELLE_AV,TYPECOM_AP,COM_AP,TNCC_AP,NCC_AP,NCCENR_AP,LIBELLE_AP',
  '21,2025-01-01,COM,02001,0,AVILLE,Aville,Aville,COM,02001,0,AVILLE,Aville,Aville',
  '21,2025-01-01,COM,02001,0,AVILLE,Aville,Aville,COM,02008,0,HVILLE,Hville,Hville',
  '21,2025-01-01,COMD,02008,0,HVILLE,Hville,Hville,COM,02008,0,HVILLE,Hville,Hville',
  '21,2024-01-01,COM,02003,0,CVILLE,Cville,Cville,COM,02005,0,EVILLE,Eville,Eville',
  '32,2019-01-01,COM,02099,0,ZVILLE,Zville,Zville,COM,02004,0,DVILLE,Dville,Dville',
  '21,2025-01-01,COM,0200X,0,FAUX,Faux,Faux,COM,02006,0,GVILLE,Gville,Gville',
].join('\n')}\n`;

/**
 * data.gouv.fr « Communes et villes de France »: pandas' unnamed index column, `6.0`, a code without its
 * leading zero (line 3), a label only (line 4). Line 5 has a code and a label that disagree, line 8 a
 * level 9, line 9 a commune that no longer exists; line 7 (a COM, outside the grid) is skipped.
 */
export const DENSITE = `${[
  ',code_insee,nom_standard,typecom,dep_code,grille_densite,grille_densite_texte,population',
  '0,02001,Aville,COM,02,6.0,Rural à habitat dispersé,1000',
  '1,2002,Bville,COM,02,5,Bourgs ruraux,2000',
  '2,02003,Cville,COM,02,,Rural à habitat très dispersé,500',
  '3,02004,Dville,COM,02,1,Bourgs ruraux,4000',
  '4,03001,Fville,COM,03,6,Rural à habitat dispersé,300',
  '5,97502,Saint-Pierre,COM,975,,,5200',
  '6,02005,Eville,COM,02,9,,600',
  '7,02999,Disparue,COM,02,7,Rural à habitat très dispersé,10',
  '8,75056,Paris,COM,75,1,Grands centres urbains,2100000',
  '9,02006,Gville,COM,02,7,Rural à habitat très dispersé,100',
].join('\n')}\n`;

/**
 * The ANCT's ZRR list: `;`, CRLF, no final line break, codes without their leading zero. 02099 (now part
 * of 02004) was classified and 02004 was not; line 8 has the value 2, line 9 a code that exists nowhere.
 */
export const ZRR = [
  'INSEE;ZRR',
  '2001;0',
  '2002;0',
  '2003;1',
  '2004;0',
  '2099;1',
  '3001;1',
  '2005;2',
  '99999;1',
  '75056;0',
].join('\r\n');

/**
 * The ANCT's QPV 2024 perimeters (GeoJSON, served zipped). QN00201M comes in two features (1 and 5);
 * feature 2 spans two communes; feature 3 names an arrondissement (counted in its city); feature 4 has a
 * bad code and feature 6 a commune that exists nowhere.
 */
export const QPV = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    { code_qp: 'QN00201M', lib_qp: 'Quartier Europe', insee_dep: '02', insee_com: '02004' },
    { code_qp: 'QN00202M', lib_qp: 'Les Prés, Cville', insee_dep: '02', insee_com: '02003, 02002' },
    { code_qp: 'QN07501M', lib_qp: 'Les Halles', insee_dep: '75', insee_com: '75101' },
    { code_qp: 'QP02XX', lib_qp: 'Mauvais code', insee_dep: '02', insee_com: '02001' },
    { code_qp: 'QN00201M', lib_qp: 'Quartier Europe', insee_dep: '02', insee_com: '02001' },
    { code_qp: 'QN00203M', lib_qp: 'Fantôme', insee_dep: '02', insee_com: '02777' },
  ].map((p, i) => ({ type: 'Feature', properties: p, geometry: square(3 + i / 100, 49) })),
});

/** Etalab's department outlines (`code, nom, region`). Feature 4 has an unknown code, feature 5 a point. */
export const DEPARTEMENTS = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    {
      type: 'Feature',
      properties: { code: '02', nom: 'Aisne', region: '32' },
      geometry: square(2.9, 48.9, 0.7),
    },
    {
      type: 'Feature',
      properties: { code: '03', nom: 'Allier', region: '84' },
      geometry: square(2.8, 46.2, 0.5),
    },
    {
      type: 'Feature',
      properties: { code: '75', nom: 'Paris', region: '11' },
      geometry: square(2.2, 48.8, 0.2),
    },
    { type: 'Feature', properties: { code: '00', nom: 'Nulle part', region: '00' }, geometry: square(0, 0) },
    {
      type: 'Feature',
      properties: { code: '975', nom: 'Saint-Pierre-et-Miquelon' },
      geometry: { type: 'Point', coordinates: [-56.2, 46.8] },
    },
  ],
});

/**
 * IGN canton outlines as france-geojson publishes them (`code` DD0NN). Feature 5 is a canton the COG
 * does not have, feature 6 the Paris pseudo-canton (type V, no outline in our format).
 */
export const CANTON_OUTLINES = JSON.stringify({
  type: 'FeatureCollection',
  features: [
    ['02001', 'Un', square(2.95, 48.95)],
    ['02002', 'Deux (ancien nom)', square(3.4, 48.95)],
    ['02003', 'Trois', square(2.95, 49.4)],
    ['03001', 'Cérilly', square(2.9, 46.4)],
    ['02099', 'Inconnu', square(3.3, 49.4)],
    ['75099', 'Paris', square(2.2, 48.8)],
  ].map(([code, nom, geometry]) => ({ type: 'Feature', properties: { code, nom }, geometry })),
});

/** Every producer file as text (the cantons as text too: the sync test encodes them in Windows-1252). */
export const PRODUCER_FIXTURE_TEXTS: Readonly<Record<ProducerInput, string>> = {
  geoCommunes: GEO_COMMUNES,
  cogCommunes: COG_COMMUNES,
  cogCantons: COG_CANTONS,
  cogMouvements: COG_MOUVEMENTS,
  densite: DENSITE,
  zrr: ZRR,
  qpv: QPV,
  departements: DEPARTEMENTS,
  cantonOutlines: CANTON_OUTLINES,
};

/** A ZIP archive of the given files (deflated), as producers publish some of theirs. */
export function zipOf(files: Record<string, Uint8Array | string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, content] of Object.entries(files)) {
    const data = Buffer.from(content);
    const packed = deflateRawSync(data);
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(data), 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, packed);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
