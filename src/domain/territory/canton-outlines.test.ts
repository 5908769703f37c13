import { describe, expect, it } from 'vitest';
import { CantonOutlines, parseCantonOutlines, pointInPolygon } from './canton-outlines.js';
import { boundByBureau, coveredCantons } from './indicators.js';
import { Network, type StructureSite } from './network.js';
import { parseCantons, parseCommuneCantons, parseCommuneCentroids } from './reference-files.js';
import { ReferenceGeography } from './reference-geography.js';

const square = (x0: number, y0: number, x1: number, y1: number) => [
  [x0, y0],
  [x1, y0],
  [x1, y1],
  [x0, y1],
  [x0, y0],
];

describe('pointInPolygon (even-odd ray casting)', () => {
  const withHole = [square(0, 0, 10, 10), square(4, 4, 6, 6)] as Array<Array<[number, number]>>;
  it('tells inside from outside, holes included', () => {
    expect(pointInPolygon(withHole, 1, 1)).toBe(true);
    expect(pointInPolygon(withHole, 5, 5)).toBe(false); // in the hole
    expect(pointInPolygon(withHole, 11, 5)).toBe(false);
    expect(pointInPolygon(withHole, -0.001, 5)).toBe(false);
  });
  it('handles a concave outline (a U shape)', () => {
    const u = [
      [
        [0, 0],
        [3, 0],
        [3, 3],
        [2, 3],
        [2, 1],
        [1, 1],
        [1, 3],
        [0, 3],
        [0, 0],
      ],
    ] as Array<Array<[number, number]>>;
    expect(pointInPolygon(u, 0.5, 2)).toBe(true);
    expect(pointInPolygon(u, 1.5, 2)).toBe(false); // inside the notch
    expect(pointInPolygon(u, 2.5, 2)).toBe(true);
  });
});

const geojson = (features: unknown[]) => JSON.stringify({ type: 'FeatureCollection', features });
const feature = (code: string, departement: string, geometry: unknown) => ({
  type: 'Feature',
  properties: { canton_code: code, nom: code, departement },
  geometry,
});

describe('parseCantonOutlines', () => {
  it('reads Polygon and MultiPolygon, and reports bad features without failing the file', () => {
    const { outlines, issues } = parseCantonOutlines(
      geojson([
        feature('0601', '06', { type: 'Polygon', coordinates: [square(7, 43.5, 7.5, 44)] }),
        feature('0602', '06', {
          type: 'MultiPolygon',
          coordinates: [[square(7.5, 43.5, 8, 44)], [square(9, 43, 9.1, 43.1)]],
        }),
        feature('<script>', '06', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }),
        feature('0603', '06', {
          type: 'Polygon',
          coordinates: [
            [
              [7, 43],
              [Infinity, 43],
            ],
          ],
        }),
        feature('0604', '06', { type: 'Point', coordinates: [7, 43] }),
        feature('0605', '07', { type: 'Polygon', coordinates: [square(0, 0, 1, 1)] }),
      ]),
    );
    expect(outlines.shapes.map((s) => s.code)).toEqual(['0601', '0602']);
    expect(issues.map((i) => [i.line, i.field])).toEqual([
      [3, 'canton_code'],
      [4, 'geometry'],
      [5, 'geometry'],
      [6, 'canton_code'],
    ]);
    expect(outlines.locate('06', 7.2, 43.7)).toBe('0601');
    expect(outlines.locate('06', 9.05, 43.05)).toBe('0602'); // second part of the MultiPolygon
    expect(outlines.locate('06', 7.2, 43.7 + 0.01 + 0.5)).toBeNull(); // 57 km north: none
    expect(outlines.locate('06', 7.2, 44.01)).toBe('0601'); // 1.1 km off a simplified coast: nearest
    expect(outlines.locate('13', 7.2, 43.7)).toBeNull(); // another department
    expect(outlines.locate('06', Number.NaN, 43.7)).toBeNull();
  });
  it('refuses what is not a FeatureCollection', () => {
    expect(() => parseCantonOutlines('{"type":"Feature"')).toThrow(/JSON/);
    expect(() => parseCantonOutlines('{"type":"Feature","features":[]}')).toThrow(/FeatureCollection/);
  });
});

describe('exact canton coverage', () => {
  // Nice (06088) is split between the true cantons 0601 and 0602 (pseudo-canton 0699, type V),
  // both with Nice as bureau centralisateur; Èze (06059) lies wholly in 0603.
  const communes =
    parseCommuneCentroids(`code_insee,nom,departement,region,latitude,longitude,population,code_postal,codes_postaux,zone,centroid_source,commune_parente
06088,Nice,06,93,43.7,7.25,340000,06000,,metro,,
06059,Èze,06,93,43.73,7.36,2300,06360,,metro,,
`).rows;
  const communeCantons =
    parseCommuneCantons(`code_insee,nom,departement,canton_code,canton_nom,canton_type,commune_parente
06088,Nice,06,0699,Nice,V,
06059,Èze,06,0603,Trois,C,
`).rows;
  const cantons =
    parseCantons(`canton_code,nom,departement,region,type_code,type_libelle,composition_code,composition_libelle,bureau_centralisateur_code,bureau_centralisateur_nom,nb_communes_entieres,population_communes_entieres
0601,Nice-1,06,93,C,Canton,3,x,06088,Nice,0,
0602,Nice-2,06,93,C,Canton,3,x,06088,Nice,0,
0603,Trois,06,93,C,Canton,1,x,06059,Èze,1,2300
0699,Nice,06,93,V,x,,,,,0,
`).rows;
  const outlines = new CantonOutlines(
    parseCantonOutlines(
      geojson([
        feature('0601', '06', { type: 'Polygon', coordinates: [square(7, 43.5, 7.5, 44)] }),
        feature('0602', '06', { type: 'Polygon', coordinates: [square(7.5, 43.5, 8, 44)] }),
      ]),
    ).outlines.shapes,
  );
  const input = { communes, communeCantons, cantons, densite: [], zrr: [], qpv: [] };
  const site = (id: string, codeInsee: string, lat: number | null, lon: number | null, kind = 'fixed') =>
    ({ id, name: id, codeInsee, lat, lon, kind, labelledOn: null }) as StructureSite;

  it('places a structure of a split city by its address, a bus at its address', () => {
    const sites = [site('east', '06088', 43.7, 7.7), site('bus', '06088', 43.71, 7.72, 'mobile')];
    const exact = new Network(new ReferenceGeography({ ...input, cantonOutlines: outlines }), sites);
    expect([...coveredCantons(exact)]).toEqual(['0602']);
    // The commune-based bound counts both cantons of which Nice is the bureau centralisateur.
    expect([...boundByBureau(exact)].sort()).toEqual(['0601', '0602']);
    // Without outlines, the bound is what is left.
    expect([...coveredCantons(new Network(new ReferenceGeography(input), sites))].sort()).toEqual([
      '0601',
      '0602',
    ]);
  });

  it('keeps the COG canton of a commune wholly in one canton, whatever its outline says', () => {
    // Èze's point falls in 0601's square here; the COG says 0603, and the COG wins.
    const sites = [site('eze', '06059', 43.73, 7.36), site('centre', '06088', null, null)];
    const exact = new Network(new ReferenceGeography({ ...input, cantonOutlines: outlines }), sites);
    // The structure without coordinates stands at Nice's centre (7.25): canton 0601.
    expect([...coveredCantons(exact)].sort()).toEqual(['0601', '0603']);
  });
});
