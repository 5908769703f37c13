import { describe, expect, it } from 'vitest';
import { PRODUCER_FIXTURE_TEXTS } from '../../../test/support/producer-fixtures.js';
import { DomainError } from '../shared/errors.js';
import { parseCantonOutlines } from './canton-outlines.js';
import { readCsv } from './csv.js';
import { convertProducerFiles, PRODUCER_INPUTS, type ProducerInput } from './producer-formats.js';
import { communeCode, decodeProducerText, readProducerCsv } from './producer-tables.js';
import {
  parseCantons,
  parseCommuneCantons,
  parseCommuneCentroids,
  parseDepartements,
  parseGrilleDensite,
  parseQpv,
  parseQpvCommunes,
  parseZrr,
} from './reference-files.js';

const LABELS = Object.fromEntries(PRODUCER_INPUTS.map((k) => [k, `${k}.src`])) as Record<
  ProducerInput,
  string
>;
const convert = (changes: Partial<Record<ProducerInput, string>> = {}) =>
  convertProducerFiles({ ...PRODUCER_FIXTURE_TEXTS, ...changes }, LABELS);
/** A table's data rows as arrays of cells. */
const cells = (text: string) =>
  readCsv(text)
    .records.slice(1)
    .map((r) => r.values);
const row = (text: string, code: string) => cells(text).find((r) => r[0] === code);
const rejected = (t: { rejected: Array<{ source: string; line: number; field: string; message: string }> }) =>
  t.rejected.map((i) => `${i.source}:${i.line} [${i.field}] ${i.message}`);

describe('reading producer files', () => {
  it('decodes UTF-8, drops a BOM, falls back to Windows-1252, and refuses an HTML page or an empty body', () => {
    expect(decodeProducerText(new TextEncoder().encode('\uFEFFCAN,LIBELLE\n'), 'f')).toEqual({
      text: 'CAN,LIBELLE\n',
      encoding: 'UTF-8',
    });
    expect(decodeProducerText(Buffer.from('0301,Cérilly\n', 'latin1'), 'f')).toEqual({
      text: '0301,Cérilly\n',
      encoding: 'Windows-1252',
    });
    expect(() =>
      decodeProducerText(
        Buffer.from('\n  <!DOCTYPE html><html><title>Maintenance</title>'),
        'v_commune_2025.csv',
      ),
    ).toThrow(/^v_commune_2025\.csv : le serveur a renvoyé une page HTML ou XML au lieu du fichier attendu/);
    expect(() => decodeProducerText(Buffer.from('<?xml version="1.0"?><Error/>'), 'f')).toThrow(
      /page HTML ou XML/,
    );
    expect(() => decodeProducerText(new Uint8Array(0), 'f')).toThrow(/^f : le fichier reçu est vide\.$/);
  });

  it('reads columns by name whatever their case and order, with `;`, tabs or commas, and rejects short rows', () => {
    const semicolon = readProducerCsv('insee;ZRR;autre\r\n1001;0;x\r2002;1;y\n3003\n', 'zrr', [
      ['INSEE'],
      'zrr',
    ]);
    expect(semicolon.rows.map((r) => [r.line, r.get('INSEE'), r.get('zrr')])).toEqual([
      [2, '1001', '0'],
      [3, '2002', '1'],
    ]);
    expect(semicolon.issues).toEqual([
      { source: 'zrr', line: 4, field: '*', message: '1 colonnes au lieu de 3.' },
    ]);
    const tabs = readProducerCsv('CAN\tLIBELLE\n0201\tUn, deux\n', 'c', ['LIBELLE', 'CAN']);
    expect(tabs.rows.map((r) => [r.get('CAN'), r.get('LIBELLE')])).toEqual([['0201', 'Un, deux']]);
    // A trailing empty cell is not a surplus column.
    expect(readProducerCsv('a,b\n1,2,\n', 'x', ['a']).issues).toEqual([]);
    expect(readProducerCsv('a,b\n1,2,3\n', 'x', ['a']).issues[0]?.message).toBe('3 colonnes au lieu de 2.');
  });

  it('refuses a file that lacks a column, naming the file, the column and what it got', () => {
    expect(() =>
      readProducerCsv('TYPECOM,COM\nCOM,01001\n', 'v_commune_2025.csv', ['TYPECOM', 'COM', 'CAN']),
    ).toThrow(
      new DomainError(
        'invalid',
        'v_commune_2025.csv : ligne 1 : colonne(s) absente(s) : CAN (en-tête reçu « TYPECOM,COM »).',
        'v_commune_2025.csv',
      ),
    );
  });

  it('reads commune codes that lost their leading zero or became numbers', () => {
    expect(['1001', '1001.0', '01001', ' 2a004 ', '97502', 'X', '123', '2A0X1'].map(communeCode)).toEqual([
      '01001',
      '01001',
      '01001',
      '2A004',
      '97502',
      null,
      null,
      null,
    ]);
  });
});

describe('convertProducerFiles', () => {
  const out = convert();

  it('writes every file so that the app’s own parsers accept all its rows', () => {
    const parsers = {
      communes: parseCommuneCentroids,
      communeCantons: parseCommuneCantons,
      cantons: parseCantons,
      densite: parseGrilleDensite,
      zrr: parseZrr,
      qpv: parseQpv,
      qpvCommunes: parseQpvCommunes,
      departements: parseDepartements,
      cantonOutlines: (text: string) => ({
        rows: [...parseCantonOutlines(text).outlines.shapes],
        ...parseCantonOutlines(text),
      }),
    } as const;
    for (const [key, parse] of Object.entries(parsers)) {
      const table = out[key as keyof typeof parsers];
      const parsed = parse(table.text);
      expect(parsed.issues, key).toEqual([]);
      expect(parsed.rows.length, key).toBe(table.rows);
    }
    expect(Object.fromEntries(Object.entries(out).map(([k, t]) => [k, t.rows]))).toEqual({
      communes: 11,
      communeCantons: 11,
      cantons: 6,
      densite: 6,
      zrr: 8,
      qpv: 3,
      qpvCommunes: 5,
      departements: 3,
      cantonOutlines: 4,
    });
  });

  it('centroids: the geo.api centre, the arrondissement under its city, the COM with their own code as region', () => {
    expect(row(out.communes.text, '02001')).toEqual([
      '02001',
      'Aville',
      '02',
      '32',
      '49.01000',
      '3.01000',
      '1000',
      '02000',
      '02000',
      'metro',
      'geo.api.gouv.fr',
      '',
    ]);
    expect(row(out.communes.text, '75101')?.slice(9)).toEqual([
      'arrondissement-municipal',
      'geo.api.gouv.fr',
      '75056',
    ]);
    expect(row(out.communes.text, '97502')?.slice(2, 4)).toEqual(['975', '975']);
    // The Terres australes have no population: empty, as the reader accepts for the COM.
    expect(row(out.communes.text, '98411')?.[6]).toBe('');
    expect(rejected(out.communes)).toEqual([
      'geoCommunes.src:6 [centre] Pas de centre pour la commune 02005.',
      'geoCommunes.src:13 [code] Code INSEE invalide : « ABCDE ».',
    ]);
  });

  it('an arrondissement whose city is rejected is rejected too (the geography would not build)', () => {
    const geo = JSON.parse(PRODUCER_FIXTURE_TEXTS.geoCommunes) as Array<Record<string, unknown>>;
    const paris = geo.find((c) => c.code === '75056') as Record<string, unknown>;
    delete paris.centre;
    const table = convert({ geoCommunes: JSON.stringify(geo) }).communes;
    expect(row(table.text, '75101')).toBeUndefined();
    expect(rejected(table)).toContain(
      'geoCommunes.src:10 [commune_parente] La commune 75056 de cet arrondissement est absente ou rejetée.',
    );
  });

  it('communes-cantons: COG cantons, the arrondissement with its city’s canton, the COM without canton', () => {
    expect(row(out.communeCantons.text, '75101')).toEqual([
      '75101',
      'Paris 1er Arrondissement',
      '75',
      '7599',
      'Paris',
      'V',
      '75056',
    ]);
    expect(row(out.communeCantons.text, '03001')).toEqual([
      '03001',
      'Fville',
      '03',
      '0301',
      'Cérilly',
      'C',
      '',
    ]);
    expect(row(out.communeCantons.text, '97502')).toEqual(['97502', 'Saint-Pierre', '975', '', '', '', '']);
    expect(row(out.communeCantons.text, '02099')).toBeUndefined();
    expect(rejected(out.communeCantons)).toEqual([
      'cogCommunes.src:12 [COM] Code INSEE invalide : « 2A0X1 ».',
      'cogCommunes.src:13 [*] 4 colonnes au lieu de 13.',
      'cogCommunes.src:14 [CAN] Canton 0299 absent du fichier des cantons, ou rejeté.',
    ]);
    // The commune déléguée, and the commune geo.api no longer has.
    expect(out.communeCantons.skipped).toBe(2);
    expect(out.communeCantons.notes).toEqual([
      '1 commune(s) du COG absente(s) de geo.api.gouv.fr, laissée(s) de côté : 02009.',
    ]);
  });

  it('cantons: COG labels, and the whole communes and their population computed (arrondissements not counted)', () => {
    expect(row(out.cantons.text, '0201')).toEqual([
      '0201',
      'Un',
      '02',
      '32',
      'C',
      'Canton',
      '1',
      'Canton composé de commune(s) entière(s)',
      '02001',
      'Aville',
      '2',
      '3000',
    ]);
    // 02004, 02005 (no centre, but a commune of the canton all the same) and 02006.
    expect(row(out.cantons.text, '0203')?.slice(10)).toEqual(['3', '4700']);
    expect(row(out.cantons.text, '7599')?.slice(4, 12)).toEqual([
      'V',
      'Canton-Ville (ou pseudo-canton)',
      '0',
      '',
      '75056',
      'Paris',
      '1',
      '2100000',
    ]);
    expect(rejected(out.cantons)).toEqual([
      'cogCantons.src:7 [type_code] Valeur inconnue : « Z » (attendu : C, V, N).',
    ]);
  });

  it('density: level from the code or the label, 4-level grid and rural deduced; disagreements rejected', () => {
    expect(row(out.densite.text, '02002')).toEqual([
      '02002',
      'Bville',
      '5',
      'Bourgs ruraux',
      '3',
      'Communes peu denses',
      '1',
    ]);
    expect(row(out.densite.text, '02003')?.slice(2)).toEqual([
      '7',
      'Rural à habitat très dispersé',
      '4',
      'Communes très peu denses',
      '1',
    ]);
    expect(row(out.densite.text, '75056')?.slice(2)).toEqual([
      '1',
      'Grands centres urbains',
      '1',
      'Communes densément peuplées',
      '0',
    ]);
    expect(rejected(out.densite)).toEqual([
      'densite.src:5 [grille_densite] grille_densite (1) et grille_densite_texte (« Bourgs ruraux ») ne concordent pas.',
      'densite.src:8 [grille_densite] Niveau de la grille de densité inconnu : « 9 ».',
      'densite.src:9 [code_insee] Commune 02999 absente de la géographie actuelle (geo.api.gouv.fr).',
    ]);
    expect(out.densite.skipped).toBe(1);
  });

  it('ZRR: codes padded, an old code followed to its commune, differing values give « partiellement classée »', () => {
    expect(row(out.zrr.text, '02003')).toEqual(['02003', 'Cville', '02', '1', 'classée', '', '']);
    expect(row(out.zrr.text, '02004')).toEqual([
      '02004',
      'Dville',
      '02',
      '1',
      'partiellement classée',
      '',
      'valeur reportée depuis 02004=0, 02099=1',
    ]);
    expect(rejected(out.zrr)).toEqual([
      'cogMouvements.src:7 [COM_AV] Code INSEE invalide : « 0200X ».',
      'zrr.src:8 [ZRR] Valeur inconnue : « 2 » (attendu 0 ou 1).',
      'zrr.src:9 [INSEE] Commune 99999 introuvable dans la géographie actuelle, même comme ancien code.',
    ]);
  });

  it('ZRR: a commune restored since the list takes the value of the commune it came from (COG movements)', () => {
    // 02008 came out of 02001 (0) in 2025, 02005 out of 02003 (1) in 2024; 02006's movement has a bad code.
    expect(row(out.zrr.text, '02008')).toEqual([
      '02008',
      'Hville',
      '02',
      '0',
      'non classée',
      '',
      'valeur reportée depuis 02001=0',
    ]);
    expect(row(out.zrr.text, '02005')?.slice(3)).toEqual([
      '1',
      'classée',
      '',
      'valeur reportée depuis 02003=1',
    ]);
    expect(row(out.zrr.text, '02006')).toBeUndefined();
    expect(out.zrr.notes.slice(1)).toEqual([
      '3 commune(s) actuelle(s) reprennent la valeur d’un ou plusieurs autres codes (voir la colonne note), dont 2 rétablie(s) ou renumérotée(s) depuis la liste (mouvements du COG).',
      '1 commune(s) de métropole ou des DROM sans valeur ZRR (lues comme non classées) : 02006.',
    ]);
    // Without the movements, the restored communes stay without a value.
    const without = convert({ cogMouvements: 'MOD,DATE_EFF,COM_AV,COM_AP\n' }).zrr;
    expect(row(without.text, '02008')).toBeUndefined();
  });

  it('QPV: a quarter split in two features merged, several communes, an arrondissement counted in its city', () => {
    expect(cells(out.qpv.text)).toEqual([
      ['QN00201M', 'Quartier Europe', '02', '02004;02001', 'Dville;Aville', '2'],
      ['QN00202M', 'Les Prés, Cville', '02', '02003;02002', 'Cville;Bville', '2'],
      ['QN07501M', 'Les Halles', '75', '75056', 'Paris', '1'],
    ]);
    expect(cells(out.qpvCommunes.text).map((r) => `${r[0]}/${r[2]}`)).toEqual([
      'QN00201M/02004',
      'QN00201M/02001',
      'QN00202M/02003',
      'QN00202M/02002',
      'QN07501M/75056',
    ]);
    expect(rejected(out.qpv)).toEqual([
      'qpv.src:4 [code_qp] Code QPV invalide : « QP02XX » (ex. QN00101M).',
      'qpv.src:6 [insee_com] Commune « 02777 » introuvable dans la géographie actuelle (QPV QN00203M).',
    ]);
  });

  it('outlines: Etalab properties renamed; IGN canton codes to the COG’s, type C only, COG names', () => {
    const deps = JSON.parse(out.departements.text).features;
    expect(deps.map((f: { properties: unknown }) => f.properties)).toEqual([
      { insee_dep: '02', lib_dep: 'Aisne' },
      { insee_dep: '03', lib_dep: 'Allier' },
      { insee_dep: '75', lib_dep: 'Paris' },
    ]);
    expect(rejected(out.departements)).toEqual([
      'departements.src:4 [insee_dep] Code de département inconnu : « 00 ».',
      'departements.src:5 [geometry] Géométrie Polygon ou MultiPolygon attendue.',
    ]);
    const cantons = JSON.parse(out.cantonOutlines.text).features;
    expect(cantons.map((f: { properties: unknown }) => f.properties)).toEqual([
      { canton_code: '0201', nom: 'Un', departement: '02' },
      { canton_code: '0202', nom: 'Deux', departement: '02' },
      { canton_code: '0203', nom: 'Trois', departement: '02' },
      { canton_code: '0301', nom: 'Cérilly', departement: '03' },
    ]);
    expect(rejected(out.cantonOutlines)).toEqual([
      'cantonOutlines.src:5 [code] Canton « 02099 » : pas de canton de type C 0299 dans le COG.',
      'cantonOutlines.src:6 [code] Canton « 75099 » : pas de canton de type C 7599 dans le COG.',
    ]);
  });

  it('reads the INSEE file the same once a spreadsheet has saved it with `;` and without quotes', () => {
    const semicolons = PRODUCER_FIXTURE_TEXTS.cogCommunes.replace(/"/g, '').replace(/,/g, ';');
    expect(convert({ cogCommunes: semicolons }).communeCantons.text).toBe(out.communeCantons.text);
  });

  it('refuses a file it cannot read at all, naming it', () => {
    expect(() => convert({ geoCommunes: '[{"code":"02001",' })).toThrow(
      /^geoCommunes\.src : ce n’est pas du JSON lisible \(fichier tronqué/,
    );
    expect(() => convert({ geoCommunes: '{"type":"FeatureCollection"}' })).toThrow(
      /^geoCommunes\.src : une liste JSON de communes est attendue\./,
    );
    expect(() => convert({ qpv: '[]' })).toThrow(/^qpv\.src : une FeatureCollection GeoJSON est attendue\./);
    expect(() => convert({ cogCantons: 'CAN,DEP\n0201,02\n' })).toThrow(
      /^cogCantons\.src : ligne 1 : colonne\(s\) absente\(s\) : REG, TYPECT, LIBELLE/,
    );
    expect(() => convert({ densite: 'code_insee,population\n02001,1\n' })).toThrow(
      /colonne\(s\) absente\(s\) : grille_densite ou grille_densite_texte/,
    );
  });
});
