/**
 * Pure parsers for the reference folder (formats: ../shared/data/README.md).
 * Text in, `{ rows, issues }` out: each row is accepted or rejected with its line and reason;
 * a wrong header refuses the whole file (DomainError 'invalid', field 'en-tête').
 */
import { DomainError, invalid, type RowIssue } from '../shared/errors.js';
import { isCodeDepartement, isCodeInsee } from '../shared/insee.js';
import { type ParseResult, parseTable } from './csv.js';

export type CommuneZone = 'metro' | 'drom' | 'com' | 'arrondissement-municipal';
export type CantonType = 'C' | 'V' | 'N';
export type DensiteGrille7 = 1 | 2 | 3 | 4 | 5 | 6 | 7;
export type DensiteGrille4 = 1 | 2 | 3 | 4;

export interface CommuneCentroid {
  readonly code: string;
  readonly nom: string;
  readonly departement: string;
  readonly region: string;
  readonly lat: number;
  readonly lon: number;
  readonly population: number;
  readonly codePostal: string;
  readonly zone: CommuneZone;
  /** For an arrondissement municipal: its city (75056, 69123, 13055). */
  readonly parent: string | null;
}

export interface CommuneCanton {
  readonly code: string;
  readonly departement: string;
  /** Null for Martinique, Guyane and the COM, which have no cantons. */
  readonly canton: string | null;
  readonly cantonType: CantonType | null;
  readonly parent: string | null;
}

export interface Canton {
  readonly code: string;
  readonly nom: string;
  readonly departement: string;
  readonly region: string;
  /** C: true canton; V: pseudo-canton of a city split between cantons; N: "fictif" (commune nouvelle). */
  readonly type: CantonType;
  /** INSEE COMPCT: 1 whole communes only; 2–5 contains fractions of communes; null when absent (V, N). */
  readonly composition: number | null;
  readonly bureauCentralisateur: string | null;
  readonly nbCommunesEntieres: number;
  readonly populationCommunesEntieres: number | null;
}

export interface Densite {
  readonly code: string;
  readonly grille7: DensiteGrille7;
  readonly grille4: DensiteGrille4;
  readonly rural: boolean;
}

export interface Zrr {
  readonly code: string;
  readonly zrr: boolean;
  readonly statut: string;
}

export interface Qpv {
  readonly code: string;
  readonly nom: string;
  readonly departement: string;
  readonly communes: readonly string[];
}

export interface QpvCommune {
  readonly qpv: string;
  readonly commune: string;
}

export interface DepartementOutline {
  readonly code: string;
  readonly nom: string;
  readonly geometry: { readonly type: 'Polygon' | 'MultiPolygon'; readonly coordinates: unknown };
}

// ---- field readers: each throws a DomainError naming its column ----

const insee = (get: (c: string) => string, column: string, optional = false): string | null => {
  const v = get(column).toUpperCase();
  if (v === '' && optional) return null;
  if (!isCodeInsee(v)) throw invalid(column, `Code INSEE invalide : « ${v} » (5 caractères, ex. 02691).`);
  return v;
};
const req = (get: (c: string) => string, column: string): string => {
  const v = get(column);
  if (v === '') throw invalid(column, `La colonne ${column} est vide.`);
  return v;
};
const dep = (get: (c: string) => string, column = 'departement'): string => {
  const v = get(column).toUpperCase();
  if (!isCodeDepartement(v)) throw invalid(column, `Code de département inconnu : « ${v} ».`);
  return v;
};
const region = (get: (c: string) => string, column = 'region'): string => {
  const v = get(column);
  // Regions have 2 digits; the COM carry their own 3-digit code in this column.
  if (!/^\d{2,3}$/.test(v)) throw invalid(column, `Code de région invalide : « ${v} » (2 chiffres).`);
  return v;
};
const num = (get: (c: string) => string, column: string, min: number, max: number): number => {
  const raw = get(column);
  const v = Number(raw);
  if (raw === '' || !Number.isFinite(v) || v < min || v > max) {
    throw invalid(column, `Nombre invalide : « ${raw} » (attendu entre ${min} et ${max}).`);
  }
  return v;
};
const int = (get: (c: string) => string, column: string, min: number, max: number): number => {
  const v = num(get, column, min, max);
  if (!Number.isInteger(v)) throw invalid(column, `Entier attendu : « ${get(column)} ».`);
  return v;
};
const oneOf = <T extends string>(get: (c: string) => string, column: string, values: readonly T[]): T => {
  const v = get(column);
  if (!(values as readonly string[]).includes(v)) {
    throw invalid(column, `Valeur inconnue : « ${v} » (attendu : ${values.join(', ')}).`);
  }
  return v as T;
};
const CANTON = /^(?:\d{2}|2[AB])\d{2}$|^97\d{3}$/;
const canton = (get: (c: string) => string, column: string, optional: boolean): string | null => {
  const v = get(column).toUpperCase();
  if (v === '' && optional) return null;
  if (!CANTON.test(v)) throw invalid(column, `Code de canton invalide : « ${v} » (ex. 0201, 2A01, 97101).`);
  return v;
};
const sameDepartement = (code: string, departement: string, column = 'departement') => {
  const expected = code.startsWith('97') || code.startsWith('98') ? code.slice(0, 3) : code.slice(0, 2);
  if (expected !== departement) {
    throw invalid(column, `Le département « ${departement} » ne correspond pas au code ${code}.`);
  }
};

// ---- the tables ----

/** The columns of each reference file, in order: what its parser expects and what `ref sync` writes. */
export const COMMUNE_CANTON_COLUMNS = [
  'code_insee',
  'nom',
  'departement',
  'canton_code',
  'canton_nom',
  'canton_type',
  'commune_parente',
] as const;
export const CANTON_COLUMNS = [
  'canton_code',
  'nom',
  'departement',
  'region',
  'type_code',
  'type_libelle',
  'composition_code',
  'composition_libelle',
  'bureau_centralisateur_code',
  'bureau_centralisateur_nom',
  'nb_communes_entieres',
  'population_communes_entieres',
] as const;
export const CENTROID_COLUMNS = [
  'code_insee',
  'nom',
  'departement',
  'region',
  'latitude',
  'longitude',
  'population',
  'code_postal',
  'codes_postaux',
  'zone',
  'centroid_source',
  'commune_parente',
] as const;
export const DENSITE_COLUMNS = [
  'code_insee',
  'nom',
  'grille_densite_7',
  'grille_densite_7_libelle',
  'grille_densite_4',
  'grille_densite_4_libelle',
  'rural',
] as const;
export const ZRR_COLUMNS = [
  'code_insee',
  'nom',
  'departement',
  'zrr',
  'zrr_statut',
  'zrr_2018_observatoire',
  'note',
] as const;
export const QPV_COLUMNS = [
  'code_qp',
  'nom_qp',
  'departement',
  'communes_insee',
  'communes_noms',
  'nb_communes',
] as const;
export const QPV_COMMUNE_COLUMNS = ['code_qp', 'nom_qp', 'code_insee', 'nom_commune'] as const;

export const COMMUNE_ZONES: readonly CommuneZone[] = ['metro', 'drom', 'com', 'arrondissement-municipal'];

export function parseCommuneCentroids(text: string): ParseResult<CommuneCentroid> {
  return parseTable(text, {
    file: 'communes-centroids.csv',
    columns: CENTROID_COLUMNS,
    row: (get) => {
      const code = insee(get, 'code_insee') as string;
      const departement = dep(get);
      sameDepartement(code, departement);
      const zone = oneOf(get, 'zone', COMMUNE_ZONES);
      const parent = insee(get, 'commune_parente', true);
      if (zone === 'arrondissement-municipal' && !parent) {
        throw invalid('commune_parente', 'Un arrondissement municipal doit nommer sa commune.');
      }
      const codePostal = get('code_postal');
      if (codePostal !== '' && !/^\d{5}$/.test(codePostal)) {
        throw invalid('code_postal', `Code postal invalide : « ${codePostal} ».`);
      }
      return {
        code,
        nom: req(get, 'nom'),
        departement,
        region: region(get),
        lat: num(get, 'latitude', -90, 90),
        lon: num(get, 'longitude', -180, 180),
        // The Terres australes (984) have no legal population: empty is read as 0 for the COM only.
        population: zone === 'com' && get('population') === '' ? 0 : int(get, 'population', 0, 5_000_000),
        codePostal,
        zone,
        parent,
      };
    },
  });
}

export function parseCommuneCantons(text: string): ParseResult<CommuneCanton> {
  return parseTable(text, {
    file: 'communes-cantons.csv',
    columns: COMMUNE_CANTON_COLUMNS,
    row: (get) => {
      const code = insee(get, 'code_insee') as string;
      const departement = dep(get);
      sameDepartement(code, departement);
      const c = canton(get, 'canton_code', true);
      const cantonType = c ? oneOf(get, 'canton_type', ['C', 'V', 'N'] as const) : null;
      if (c && !c.startsWith(departement.slice(0, 2))) {
        throw invalid('canton_code', `Le canton ${c} n’est pas dans le département ${departement}.`);
      }
      return { code, departement, canton: c, cantonType, parent: insee(get, 'commune_parente', true) };
    },
  });
}

export function parseCantons(text: string): ParseResult<Canton> {
  return parseTable(text, {
    file: 'cantons.csv',
    columns: CANTON_COLUMNS,
    row: (get) => {
      const code = canton(get, 'canton_code', false) as string;
      const departement = dep(get);
      if (!code.startsWith(departement.slice(0, 2))) {
        throw invalid('departement', `Le canton ${code} n’est pas dans le département ${departement}.`);
      }
      const composition = get('composition_code') === '' ? null : int(get, 'composition_code', 0, 5);
      const population = get('population_communes_entieres');
      return {
        code,
        nom: req(get, 'nom'),
        departement,
        region: region(get),
        type: oneOf(get, 'type_code', ['C', 'V', 'N'] as const),
        composition: composition === 0 ? null : composition,
        bureauCentralisateur: insee(get, 'bureau_centralisateur_code', true),
        nbCommunesEntieres: int(get, 'nb_communes_entieres', 0, 1000),
        populationCommunesEntieres:
          population === '' ? null : int(get, 'population_communes_entieres', 0, 10_000_000),
      };
    },
  });
}

/** INSEE: levels 1 → dense; 2, 3, 4 → intermédiaire; 5, 6 → peu dense; 7 → très peu dense. */
export const GRILLE4_OF_GRILLE7: Readonly<Record<DensiteGrille7, DensiteGrille4>> = {
  1: 1,
  2: 2,
  3: 2,
  4: 2,
  5: 3,
  6: 3,
  7: 4,
};

export function parseGrilleDensite(text: string): ParseResult<Densite> {
  return parseTable(text, {
    file: 'grille-densite.csv',
    columns: DENSITE_COLUMNS,
    row: (get) => {
      const code = insee(get, 'code_insee') as string;
      const grille7 = int(get, 'grille_densite_7', 1, 7) as DensiteGrille7;
      const grille4 = int(get, 'grille_densite_4', 1, 4) as DensiteGrille4;
      if (GRILLE4_OF_GRILLE7[grille7] !== grille4) {
        throw invalid(
          'grille_densite_4',
          `Le niveau ${grille4} ne correspond pas au niveau ${grille7} de la grille à 7 niveaux.`,
        );
      }
      const rural = oneOf(get, 'rural', ['0', '1'] as const) === '1';
      if (rural !== grille4 >= 3) {
        throw invalid('rural', `rural=${rural ? 1 : 0} contredit la grille à 4 niveaux (${grille4}).`);
      }
      return { code, grille7, grille4, rural };
    },
  });
}

export function parseZrr(text: string): ParseResult<Zrr> {
  return parseTable(text, {
    file: 'zrr.csv',
    columns: ZRR_COLUMNS,
    row: (get) => {
      const code = insee(get, 'code_insee') as string;
      sameDepartement(code, dep(get));
      const zrr = oneOf(get, 'zrr', ['0', '1'] as const) === '1';
      const statut = oneOf(get, 'zrr_statut', ['classée', 'partiellement classée', 'non classée'] as const);
      if (zrr !== (statut !== 'non classée')) {
        throw invalid('zrr_statut', `zrr=${zrr ? 1 : 0} contredit le statut « ${statut} ».`);
      }
      return { code, zrr, statut };
    },
  });
}

const QP = /^QN[0-9A-Z]{6}$/;
const qpCode = (get: (c: string) => string) => {
  const v = get('code_qp');
  if (!QP.test(v)) throw invalid('code_qp', `Code QPV invalide : « ${v} » (ex. QN00101M).`);
  return v;
};

export function parseQpv(text: string): ParseResult<Qpv> {
  return parseTable(text, {
    file: 'qpv.csv',
    columns: QPV_COLUMNS,
    row: (get) => {
      const code = qpCode(get);
      const departement = dep(get);
      const communes = get('communes_insee')
        .split(';')
        .map((c) => c.trim().toUpperCase());
      for (const c of communes) {
        if (!isCodeInsee(c)) throw invalid('communes_insee', `Code INSEE invalide dans la liste : « ${c} ».`);
      }
      const nb = int(get, 'nb_communes', 1, 100);
      if (nb !== communes.length) {
        throw invalid('nb_communes', `${nb} communes annoncées, ${communes.length} listées.`);
      }
      return { code, nom: req(get, 'nom_qp'), departement, communes };
    },
  });
}

export function parseQpvCommunes(text: string): ParseResult<QpvCommune> {
  return parseTable(text, {
    file: 'qpv-communes.csv',
    columns: QPV_COMMUNE_COLUMNS,
    row: (get) => ({ qpv: qpCode(get), commune: insee(get, 'code_insee') as string }),
  });
}

/**
 * departements.geojson: one Feature per department. `line` in an issue is the feature's
 * position (1-based) in `features`, since GeoJSON has no meaningful lines.
 */
export function parseDepartements(text: string): ParseResult<DepartementOutline> {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DomainError('invalid', 'departements.geojson : ce n’est pas du JSON lisible.', 'en-tête');
  }
  const features = (doc as { type?: unknown; features?: unknown })?.features;
  if ((doc as { type?: unknown })?.type !== 'FeatureCollection' || !Array.isArray(features)) {
    throw new DomainError('invalid', 'departements.geojson : une FeatureCollection est attendue.', 'en-tête');
  }
  const rows: DepartementOutline[] = [];
  const issues: RowIssue[] = [];
  features.forEach((f: unknown, i: number) => {
    const line = i + 1;
    const props = (f as { properties?: Record<string, unknown> })?.properties ?? {};
    const geometry = (f as { geometry?: { type?: unknown; coordinates?: unknown } })?.geometry;
    const code = String(props.insee_dep ?? '').toUpperCase();
    if (!isCodeDepartement(code)) {
      issues.push({ line, field: 'insee_dep', message: `Code de département inconnu : « ${code} ».` });
      return;
    }
    if (typeof props.lib_dep !== 'string' || props.lib_dep.trim() === '') {
      issues.push({ line, field: 'lib_dep', message: 'Nom du département absent.' });
      return;
    }
    if (
      !geometry ||
      (geometry.type !== 'Polygon' && geometry.type !== 'MultiPolygon') ||
      !Array.isArray(geometry.coordinates)
    ) {
      issues.push({ line, field: 'geometry', message: 'Géométrie Polygon ou MultiPolygon attendue.' });
      return;
    }
    rows.push({
      code,
      nom: props.lib_dep.trim(),
      geometry: { type: geometry.type, coordinates: geometry.coordinates },
    });
  });
  return { rows, issues };
}
