import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import { readCsv } from './csv.js';
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

const CENTROIDS_HEADER =
  'code_insee,nom,departement,region,latitude,longitude,population,code_postal,codes_postaux,zone,centroid_source,commune_parente';

describe('readCsv', () => {
  it('reads quoted commas, doubled quotes and CRLF, and keeps the starting line of each record', () => {
    const { records, issues } = readCsv('a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\n3,4\n');
    expect(issues).toEqual([]);
    expect(records.map((r) => [r.line, ...r.values])).toEqual([
      [1, 'a', 'b'],
      [2, 'x, y', 'say "hi"'],
      [3, 'multi\nline', '2'],
      [5, '3', '4'],
    ]);
  });

  it('skips a BOM and reports an unterminated quote on the line it opened', () => {
    const { records, issues } = readCsv('\uFEFFa,b\n1,"open\n2,3\n');
    expect(records[0]?.values).toEqual(['a', 'b']);
    expect(issues).toEqual([{ line: 2, field: '*', message: 'Guillemet ouvrant sans guillemet fermant.' }]);
  });
});

describe('communes-centroids.csv', () => {
  it('accepts good rows and rejects each bad one with its line and column', () => {
    const text = [
      CENTROIDS_HEADER,
      '02691,Saint-Quentin,02,32,49.84700,3.27700,52000,02100,02100,metro,x,',
      '2A004,Ajaccio,2A,94,41.92280,8.70580,76320,20000,20000 20090,metro,x,',
      '0269,Trop court,02,32,49.8,3.2,1,02100,02100,metro,x,',
      '02692,Lat fausse,02,32,149.8,3.2,1,02100,02100,metro,x,',
      '02693,Zone inconnue,02,32,49.8,3.2,1,02100,02100,lune,x,',
      '75101,Paris 1er,75,11,48.86,2.33,15000,75001,75001,arrondissement-municipal,x,',
      '02694,Mauvais dep,03,32,49.8,3.2,1,02100,02100,metro,x,',
      '02695,Pas assez de colonnes,02',
    ].join('\n');
    const { rows, issues } = parseCommuneCentroids(text);
    expect(rows.map((r) => r.code)).toEqual(['02691', '2A004']);
    expect(rows[0]).toMatchObject({
      lat: 49.847,
      lon: 3.277,
      population: 52000,
      zone: 'metro',
      parent: null,
    });
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [4, 'code_insee'],
      [5, 'latitude'],
      [6, 'zone'],
      [7, 'commune_parente'],
      [8, 'departement'],
      [9, '*'],
    ]);
  });

  it('refuses a file whose header is wrong or missing', () => {
    expect(() => parseCommuneCentroids('code,nom\n02691,Saint-Quentin\n')).toThrow(DomainError);
    expect(() => parseCommuneCentroids('')).toThrow(/en-tête attendu/);
    expect(() => parseCommuneCentroids(CENTROIDS_HEADER.replace('latitude', 'lat'))).toThrow(
      expect.objectContaining({ field: 'en-tête' }),
    );
  });
});

describe('other reference tables', () => {
  it('communes-cantons: empty canton allowed (Martinique), canton outside its department rejected', () => {
    const { rows, issues } = parseCommuneCantons(
      [
        'code_insee,nom,departement,canton_code,canton_nom,canton_type,commune_parente',
        '02001,Abbécourt,02,0210,Chauny,C,',
        '97201,L’Ajoupa-Bouillon,972,,,,',
        '02002,Achery,02,0310,Ailleurs,C,',
        '02003,Type,02,0210,Chauny,X,',
      ].join('\n'),
    );
    expect(rows).toEqual([
      { code: '02001', departement: '02', canton: '0210', cantonType: 'C', parent: null },
      { code: '97201', departement: '972', canton: null, cantonType: null, parent: null },
    ]);
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [4, 'canton_code'],
      [5, 'canton_type'],
    ]);
  });

  it('cantons: quoted names with commas, composition 0 read as unknown', () => {
    const header =
      'canton_code,nom,departement,region,type_code,type_libelle,composition_code,composition_libelle,bureau_centralisateur_code,bureau_centralisateur_nom,nb_communes_entieres,population_communes_entieres';
    const { rows, issues } = parseCantons(
      `${header}\n0201,"Bohain, en-Vermandois",02,32,C,Canton,1,x,02095,Bohain,30,21583\n2A01,Ajaccio-1,2A,94,C,Canton,4,x,2A004,Ajaccio,0,\n0299,Saint-Quentin,02,32,V,x,0,,,,0,\n0202,Bad,02,32,C,Canton,1,x,02095,Bohain,-3,1\n`,
    );
    expect(rows.map((r) => [r.code, r.nom, r.composition, r.populationCommunesEntieres])).toEqual([
      ['0201', 'Bohain, en-Vermandois', 1, 21583],
      ['2A01', 'Ajaccio-1', 4, null],
      ['0299', 'Saint-Quentin', null, null],
    ]);
    expect(issues).toEqual([
      { line: 5, field: 'nb_communes_entieres', message: expect.stringContaining('-3') },
    ]);
  });

  it('grille de densité: the 4-level class and `rural` must agree with the 7-level class', () => {
    const header =
      'code_insee,nom,grille_densite_7,grille_densite_7_libelle,grille_densite_4,grille_densite_4_libelle,rural';
    const { rows, issues } = parseGrilleDensite(
      `${header}\n02001,A,6,Rural,3,Peu dense,1\n02002,B,1,Grand centre,1,Dense,0\n02003,C,5,Bourg,2,Intermédiaire,0\n02004,D,7,Très dispersé,4,Très peu dense,0\n02005,E,8,?,4,?,1\n`,
    );
    expect(rows).toEqual([
      { code: '02001', grille7: 6, grille4: 3, rural: true },
      { code: '02002', grille7: 1, grille4: 1, rural: false },
    ]);
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [4, 'grille_densite_4'],
      [5, 'rural'],
      [6, 'grille_densite_7'],
    ]);
  });

  it('zrr: status must agree with the flag', () => {
    const header = 'code_insee,nom,departement,zrr,zrr_statut,zrr_2018_observatoire,note';
    const { rows, issues } = parseZrr(
      `${header}\n02001,A,02,1,partiellement classée,classée,\n02002,B,02,0,non classée,,\n02003,C,02,1,non classée,,\n`,
    );
    expect(rows.map((r) => [r.code, r.zrr])).toEqual([
      ['02001', true],
      ['02002', false],
    ]);
    expect(issues.map((i) => i.line)).toEqual([4]);
  });

  it('qpv and qpv-communes: lists split on « ; » and counted', () => {
    const q = parseQpv(
      'code_qp,nom_qp,departement,communes_insee,communes_noms,nb_communes\nQN00201M,Europe,02,02691;02722,"Saint-Quentin, Gauchy",2\nQN02A01M,Les Cannes,2A,2A004,Ajaccio,1\nQN00202M,Faux,02,02691,X,3\n',
    );
    expect(q.rows.map((r) => [r.code, r.communes])).toEqual([
      ['QN00201M', ['02691', '02722']],
      ['QN02A01M', ['2A004']],
    ]);
    expect(q.issues).toEqual([
      { line: 4, field: 'nb_communes', message: '3 communes annoncées, 1 listées.' },
    ]);
    const qc = parseQpvCommunes(
      'code_qp,nom_qp,code_insee,nom_commune\nQN00201M,Europe,02691,Saint-Quentin\nXX,Y,02691,Z\n',
    );
    expect(qc.rows).toEqual([{ qpv: 'QN00201M', commune: '02691' }]);
    expect(qc.issues[0]).toMatchObject({ line: 3, field: 'code_qp' });
  });

  it('departements.geojson: a feature per department, bad features reported by position', () => {
    const poly = {
      type: 'Polygon',
      coordinates: [
        [
          [3, 49],
          [4, 49],
          [4, 50],
          [3, 49],
        ],
      ],
    };
    const text = JSON.stringify({
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: { insee_dep: '02', lib_dep: 'Aisne' }, geometry: poly },
        { type: 'Feature', properties: { insee_dep: '99', lib_dep: 'Nulle part' }, geometry: poly },
        {
          type: 'Feature',
          properties: { insee_dep: '03', lib_dep: 'Allier' },
          geometry: { type: 'Point', coordinates: [3, 46] },
        },
      ],
    });
    const { rows, issues } = parseDepartements(text);
    expect(rows.map((r) => r.code)).toEqual(['02']);
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [2, 'insee_dep'],
      [3, 'geometry'],
    ]);
    expect(() => parseDepartements('not json')).toThrow(DomainError);
    expect(() => parseDepartements('{"type":"Feature"}')).toThrow(/FeatureCollection/);
  });
});
