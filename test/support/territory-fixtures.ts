import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A tiny hand-written reference folder (two departments, a few communes), in the formats of
 * ../shared/data/README.md. Kept as literals and written to a temporary folder by each test, so that no file in
 * this repo bears the name of a real reference file.
 */
export const TERRITORY_FIXTURE_FILES: Readonly<Record<string, string>> = {
  'cantons.csv':
    'canton_code,nom,departement,region,type_code,type_libelle,composition_code,composition_libelle,bureau_centralisateur_code,bureau_centralisateur_nom,nb_communes_entieres,population_communes_entieres\n0201,Un,02,32,C,Canton,1,Canton compos\u00e9 de commune(s) enti\u00e8re(s),02001,Aville,2,3000\n0202,Deux,02,32,C,Canton,1,Canton compos\u00e9 de commune(s) enti\u00e8re(s),02003,Cville,1,500\n0203,Trois,02,32,C,Canton,1,Canton compos\u00e9 de commune(s) enti\u00e8re(s),02004,Dville,1,4000\n0301,Allier,03,84,C,Canton,1,Canton compos\u00e9 de commune(s) enti\u00e8re(s),03001,Eville,1,300\n',
  'communes-cantons.csv':
    'code_insee,nom,departement,canton_code,canton_nom,canton_type,commune_parente\n02001,Aville,02,0201,Un,C,\n02002,Bville,02,0201,Un,C,\n02003,Cville,02,0202,Deux,C,\n02004,Dville,02,0203,Trois,C,\n03001,Eville,03,0301,Allier,C,\n97502,Saint-Pierre,975,,,,\n',
  'communes-centroids.csv':
    'code_insee,nom,departement,region,latitude,longitude,population,code_postal,codes_postaux,zone,centroid_source,commune_parente\n02001,Aville,02,32,49.0,3.0,1000,02000,02000,metro,fixture,\n02002,Bville,02,32,49.0,3.1,2000,02000,02000,metro,fixture,\n02003,Cville,02,32,49.0,3.5,500,02000,02000,metro,fixture,\n02004,Dville,02,32,49.5,3.0,4000,02000,02000,metro,fixture,\n03001,Eville,03,84,46.5,3.0,300,03000,03000,metro,fixture,\n97502,Saint-Pierre,975,975,46.78,-56.17,6000,97500,97500,com,fixture,\n',
  'departements.geojson':
    '{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{"insee_dep":"02","lib_dep":"Aisne"},"geometry":{"type":"Polygon","coordinates":[[[2.9,48.9],[3.6,48.9],[3.6,49.6],[2.9,49.6],[2.9,48.9]]]}},\n{"type":"Feature","properties":{"insee_dep":"03","lib_dep":"Allier"},"geometry":{"type":"Polygon","coordinates":[[[2.8,46.2],[3.3,46.2],[3.3,46.8],[2.8,46.8],[2.8,46.2]]]}}\n]}\n',
  'grille-densite.csv':
    'code_insee,nom,grille_densite_7,grille_densite_7_libelle,grille_densite_4,grille_densite_4_libelle,rural\n02001,Aville,6,Rural \u00e0 habitat dispers\u00e9,3,Communes peu denses,1\n02002,Bville,5,Bourgs ruraux,3,Communes peu denses,1\n02003,Cville,7,Rural \u00e0 habitat tr\u00e8s dispers\u00e9,4,Communes tr\u00e8s peu denses,1\n02004,Dville,1,Grands centres urbains,1,Communes dens\u00e9ment peupl\u00e9es,0\n03001,Eville,6,Rural \u00e0 habitat dispers\u00e9,3,Communes peu denses,1\n',
  'qpv-communes.csv':
    'code_qp,nom_qp,code_insee,nom_commune\nQN00201M,Quartier Europe,02004,Dville\nQN00202M,"Les Pr\u00e9s, Cville",02003,Cville\n',
  'qpv.csv':
    'code_qp,nom_qp,departement,communes_insee,communes_noms,nb_communes\nQN00201M,Quartier Europe,02,02004,Dville,1\nQN00202M,"Les Pr\u00e9s, Cville",02,02003,Cville,1\n',
  'zrr.csv':
    'code_insee,nom,departement,zrr,zrr_statut,zrr_2018_observatoire,note\n02001,Aville,02,0,non class\u00e9e,non class\u00e9e,\n02002,Bville,02,0,non class\u00e9e,non class\u00e9e,\n02003,Cville,02,1,class\u00e9e,class\u00e9e,\n02004,Dville,02,0,non class\u00e9e,non class\u00e9e,\n03001,Eville,03,1,class\u00e9e,class\u00e9e,\n',
};

/** Writes the fixture folder into a fresh temporary directory and returns its path. */
export function territoryFixtureDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'maillage-ref-'));
  for (const [name, body] of Object.entries(TERRITORY_FIXTURE_FILES)) writeFileSync(join(dir, name), body);
  return dir;
}
