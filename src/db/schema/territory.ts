import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** Reference geography (issue 4), loaded by `maillage ref load`. */
export interface TerritoryTables {
  ref_files: {
    file: string;
    vintage: string;
    rows: number;
    sha256: string;
    source_dir: string;
    loaded_at: Timestamp;
  };
  ref_communes: {
    code: string;
    nom: string;
    departement: string;
    region: string;
    lat: number;
    lon: number;
    population: number;
    code_postal: string;
    zone: string;
    parent: string | null;
  };
  ref_commune_cantons: {
    code: string;
    departement: string;
    canton: string | null;
    canton_type: string | null;
    parent: string | null;
  };
  ref_cantons: {
    code: string;
    nom: string;
    departement: string;
    region: string;
    type: string;
    composition: number | null;
    bureau_centralisateur: string | null;
    nb_communes_entieres: number;
    population_communes_entieres: number | null;
  };
  ref_densite: { code: string; grille7: number; grille4: number; rural: boolean };
  ref_zrr: { code: string; zrr: boolean; statut: string };
  ref_qpv: {
    code: string;
    nom: string;
    departement: string;
    communes: ColumnType<string[], string[], string[]>;
  };
  ref_qpv_communes: { qpv: string; commune: string };
  ref_departements: { code: string; nom: string; geometry: ColumnType<unknown, string, string> };
}
