/**
 * Where `maillage ref sync` downloads each producer file (docs/DONNEES.md says what each is, how it is
 * converted, and what could not be checked offline). Every URL can be replaced: `--from <miroir>` keeps
 * the path and query of each and replaces the scheme and host, and `MAILLAGE_REF_URL_<SOURCE>` replaces
 * one URL whole (it wins over --from). Kept free of runtime imports: config.ts reads the variable names.
 */
import type { ProducerInput } from '../../domain/territory/producer-formats.js';

export interface ProducerSource {
  /** Who publishes the file. */
  readonly producer: string;
  /** The file's name in messages and reports. */
  readonly label: string;
  readonly url: string;
  /** Environment variable that replaces `url`. */
  readonly env: string;
  /** Largest download accepted, in bytes (about ten times the real file): a runaway response stops there. */
  readonly maxBytes: number;
  /** A ZIP archive: the entry to read, by the end of its path. */
  readonly zipEntry?: string;
}

const MB = 1024 * 1024;

/** geo.api.gouv.fr: every current commune and arrondissement municipal, with what our files need. */
const GEO_API_FIELDS =
  'code,nom,type,zone,codeDepartement,codeRegion,codeParent,centre,population,codesPostaux,anciensCodes';

export const PRODUCER_SOURCES: Readonly<Record<ProducerInput, ProducerSource>> = {
  geoCommunes: {
    producer: 'Etalab / DINUM, API Découpage administratif (geo.api.gouv.fr)',
    label: 'geo.api.gouv.fr/communes',
    url: `https://geo.api.gouv.fr/communes?type=commune-actuelle,arrondissement-municipal&fields=${GEO_API_FIELDS}&format=json`,
    env: 'MAILLAGE_REF_URL_GEO_COMMUNES',
    maxBytes: 64 * MB,
  },
  cogCommunes: {
    producer: 'INSEE, Code officiel géographique au 1er janvier 2025',
    label: 'v_commune_2025.csv',
    url: 'https://www.insee.fr/fr/statistiques/fichier/8377162/v_commune_2025.csv',
    env: 'MAILLAGE_REF_URL_COG_COMMUNES',
    maxBytes: 32 * MB,
  },
  cogCantons: {
    producer: 'INSEE, Code officiel géographique au 1er janvier 2025',
    label: 'v_canton_2025.csv',
    url: 'https://www.insee.fr/fr/statistiques/fichier/8377162/v_canton_2025.csv',
    env: 'MAILLAGE_REF_URL_COG_CANTONS',
    maxBytes: 4 * MB,
  },
  cogMouvements: {
    producer: 'INSEE, Code officiel géographique au 1er janvier 2025, mouvements des communes',
    label: 'v_mvt_commune_2025.csv',
    url: 'https://www.insee.fr/fr/statistiques/fichier/8377162/v_mvt_commune_2025.csv',
    env: 'MAILLAGE_REF_URL_COG_MOUVEMENTS',
    maxBytes: 32 * MB,
  },
  densite: {
    producer: 'data.gouv.fr, « Communes et villes de France » (grille de densité INSEE)',
    label: 'communes-france-2025.csv',
    url: 'https://www.data.gouv.fr/api/1/datasets/r/f5df602b-3800-44d7-b2df-fa40a0350325',
    env: 'MAILLAGE_REF_URL_DENSITE',
    maxBytes: 128 * MB,
  },
  zrr: {
    producer: 'ANCT, liste des communes en ZRR (programme Conseiller numérique, octobre 2023)',
    label: 'zrr.csv (ANCT)',
    url: 'https://raw.githubusercontent.com/anct-cnum/api-admin-conseillers-numerique/84d21921050996ce6ae67fa3569110f8dcebc4fb/datas/imports/zrr.csv',
    env: 'MAILLAGE_REF_URL_ZRR',
    maxBytes: 4 * MB,
  },
  qpv: {
    producer: 'ANCT, quartiers prioritaires de la politique de la ville 2024 (data.gouv.fr)',
    label: 'QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson',
    url: 'https://www.data.gouv.fr/api/1/datasets/r/942d4ee8-8142-4556-8ea1-335537ce1119',
    env: 'MAILLAGE_REF_URL_QPV',
    maxBytes: 200 * MB,
    zipEntry: 'QP2024_France_Hexagonale_Outre_Mer_WGS84.geojson',
  },
  departements: {
    producer: 'Etalab, contours administratifs 2025 (IGN Admin Express), 100 m',
    label: 'departements-100m.geojson',
    url: 'https://etalab-datasets.geo.data.gouv.fr/contours-administratifs/2025/geojson/departements-100m.geojson',
    env: 'MAILLAGE_REF_URL_DEPARTEMENTS',
    maxBytes: 64 * MB,
  },
  cantonOutlines: {
    producer: 'IGN Admin Express COG 2018, cantons (gregoiredavid/france-geojson)',
    label: 'cantons-avec-outre-mer.geojson',
    url: 'https://raw.githubusercontent.com/gregoiredavid/france-geojson/5d34ee6d0140c29f785fdb047d9329f1aab58833/cantons-avec-outre-mer.geojson',
    env: 'MAILLAGE_REF_URL_CANTON_OUTLINES',
    maxBytes: 64 * MB,
  },
};

/** The variables that replace one URL each (config.ts reads them). */
export const PRODUCER_URL_VARIABLES: readonly string[] = Object.values(PRODUCER_SOURCES).map((s) => s.env);

/**
 * The URL a sync downloads for `id`: the variable's URL if set, else the catalogue URL moved to the
 * mirror (`https://miroir.example/ref` + `/fr/statistiques/fichier/…/v_commune_2025.csv`), else the
 * catalogue URL.
 */
export function producerUrl(
  id: ProducerInput,
  options: { readonly from?: string | undefined; readonly urls?: Readonly<Record<string, string>> },
): string {
  const source = PRODUCER_SOURCES[id];
  const override = options.urls?.[source.env];
  if (override) return override;
  if (!options.from) return source.url;
  const u = new URL(source.url);
  return `${options.from.replace(/\/+$/, '')}${u.pathname}${u.search}`;
}
