/**
 * Communes, cantons and outlines from their producers (docs/DONNEES.md):
 * - geo.api.gouv.fr `/communes` (JSON): current communes and arrondissements municipaux, their centre,
 *   population, postal codes and old codes → communes-centroids.csv, and the current geography the
 *   other converters join on;
 * - INSEE COG communes and cantons (CSV) → communes-cantons.csv and cantons.csv, with the counts and
 *   populations INSEE does not publish computed from the communes;
 * - Etalab department outlines and IGN canton outlines (GeoJSON) → departements.geojson, cantons-2025.geojson.
 * Pure: producer text in, our tables out, every producer row accepted or rejected with its line.
 */
import { parseCantonOutlines } from './canton-outlines.js';
import {
  type ConvertedTable,
  communeCode,
  csvText,
  type Draft,
  type FeatureDraft,
  featuresText,
  keepValidFeatures,
  keepValidRows,
  type ProducerIssue,
  readFeatures,
  readProducerCsv,
  readProducerJson,
  refuse,
  roundCoordinates,
} from './producer-tables.js';
import {
  type CommuneZone,
  parseCantons,
  parseCommuneCantons,
  parseCommuneCentroids,
  parseDepartements,
} from './reference-files.js';

// ---- geo.api.gouv.fr: the current geography ----

export interface CurrentCommune {
  /** Position in the producer's JSON list, from 1. */
  readonly line: number;
  readonly code: string;
  readonly nom: string;
  readonly departement: string;
  readonly region: string;
  readonly zone: CommuneZone;
  /** The city of an arrondissement municipal. */
  readonly parent: string | null;
  readonly lon: number | null;
  readonly lat: number | null;
  readonly population: number | null;
  readonly codesPostaux: readonly string[];
  readonly anciensCodes: readonly string[];
}

/** Where a commune is, from its code: 971–974 and 976 are DROM; 975, 977, 978 and 98x are COM. */
export function zoneOfCode(code: string): 'metro' | 'drom' | 'com' {
  if (/^97[1-46]/.test(code)) return 'drom';
  if (/^9[78]/.test(code)) return 'com';
  return 'metro';
}

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
/** 97x and 98x codes have a 3-character department. */
export const departementOf = (code: string) => (/^9[78]/.test(code) ? code.slice(0, 3) : code.slice(0, 2));
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * geo.api.gouv.fr `/communes?type=commune-actuelle,arrondissement-municipal&fields=…&format=json`: a
 * JSON list, one object per commune (`code, nom, type, zone, codeDepartement, codeRegion, codeParent,
 * centre {coordinates: [lon, lat]}, population, codesPostaux, anciensCodes`). The COM carry no region:
 * their own code stands in, as in our format.
 */
export function readGeoApiCommunes(
  json: string,
  source: string,
): { communes: CurrentCommune[]; issues: ProducerIssue[] } {
  const doc = readProducerJson(json, source);
  if (!Array.isArray(doc)) throw refuse(source, 'une liste JSON de communes est attendue.');
  const communes: CurrentCommune[] = [];
  const issues: ProducerIssue[] = [];
  const seen = new Set<string>();
  doc.forEach((item: unknown, i: number) => {
    const line = i + 1;
    const o = (item && typeof item === 'object' ? item : {}) as Record<string, unknown>;
    const code = communeCode(o.code);
    if (!code) {
      issues.push({ source, line, field: 'code', message: `Code INSEE invalide : « ${text(o.code)} ».` });
      return;
    }
    if (seen.has(code)) {
      issues.push({ source, line, field: 'code', message: `Commune ${code} en double.` });
      return;
    }
    seen.add(code);
    const parent = communeCode(o.codeParent);
    const arrondissement = o.type === 'arrondissement-municipal' || parent !== null;
    const zone: CommuneZone = arrondissement
      ? 'arrondissement-municipal'
      : o.zone === 'metro' || o.zone === 'drom' || o.zone === 'com'
        ? o.zone
        : zoneOfCode(code);
    const departement = text(o.codeDepartement).toUpperCase() || departementOf(code);
    const xy = (o.centre as { coordinates?: unknown } | undefined)?.coordinates;
    const centre = Array.isArray(xy) && finite(xy[0]) && finite(xy[1]) ? xy : null;
    const population = o.population;
    communes.push({
      line,
      code,
      nom: text(o.nom),
      departement,
      region: text(o.codeRegion) || (zone === 'com' ? departement : ''),
      zone,
      parent,
      lon: centre ? (centre[0] as number) : null,
      lat: centre ? (centre[1] as number) : null,
      population: Number.isInteger(population) && (population as number) >= 0 ? (population as number) : null,
      codesPostaux: Array.isArray(o.codesPostaux) ? o.codesPostaux.map(text).filter(Boolean).sort() : [],
      anciensCodes: Array.isArray(o.anciensCodes)
        ? o.anciensCodes.map(communeCode).filter((c): c is string => c !== null)
        : [],
    });
  });
  return { communes, issues };
}

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

const byCode = (a: Draft, b: Draft) => ((a.values[0] ?? '') < (b.values[0] ?? '') ? -1 : 1);

/** communes-centroids.csv: the geo.api centre (a point inside the commune), 5 decimals. */
export function convertCentroids(
  geo: { communes: readonly CurrentCommune[]; issues: readonly ProducerIssue[] },
  source: string,
): ConvertedTable {
  const rejected: ProducerIssue[] = [...geo.issues];
  const drafts: Draft[] = [];
  const zoneOf = new Map<Draft, CurrentCommune>();
  for (const c of geo.communes) {
    if (c.lat === null || c.lon === null) {
      rejected.push({
        source,
        line: c.line,
        field: 'centre',
        message: `Pas de centre pour la commune ${c.code}.`,
      });
      continue;
    }
    // The Terres australes have no legal population; any other commune without one is a producer gap.
    if (c.population === null && c.zone !== 'com') {
      rejected.push({
        source,
        line: c.line,
        field: 'population',
        message: `Population absente (${c.code}).`,
      });
      continue;
    }
    const draft: Draft = {
      source,
      line: c.line,
      values: [
        c.code,
        c.nom,
        c.departement,
        c.region,
        c.lat.toFixed(5),
        c.lon.toFixed(5),
        c.population === null ? '' : String(c.population),
        c.codesPostaux[0] ?? '',
        c.codesPostaux.join(' '),
        c.zone,
        'geo.api.gouv.fr',
        c.parent ?? '',
      ],
    };
    drafts.push(draft);
    zoneOf.set(draft, c);
  }
  const first = keepValidRows(CENTROID_COLUMNS, drafts, parseCommuneCentroids);
  rejected.push(...first.rejected);
  // An arrondissement whose city is left out would stop the reference geography from building at load.
  const cities = new Set(first.kept.filter((d) => !zoneOf.get(d)?.parent).map((d) => d.values[0]));
  const kept: Draft[] = [];
  for (const d of first.kept) {
    const parent = zoneOf.get(d)?.parent;
    if (parent && !cities.has(parent)) {
      rejected.push({
        source: d.source,
        line: d.line,
        field: 'commune_parente',
        message: `La commune ${parent} de cet arrondissement est absente ou rejetée.`,
      });
    } else kept.push(d);
  }
  kept.sort(byCode);
  return {
    text: csvText(CENTROID_COLUMNS, kept),
    rows: kept.length,
    rejected,
    skipped: 0,
    notes: [
      'centroid_source vaut « geo.api.gouv.fr » : le centre publié par l’API (un point dans la commune).',
    ],
  };
}

// ---- INSEE, Code officiel géographique ----

export interface CogCommune {
  readonly line: number;
  readonly type: 'COM' | 'ARM';
  readonly code: string;
  readonly departement: string;
  readonly canton: string;
  readonly nom: string;
  readonly parent: string | null;
}

/**
 * The COG communes file (`v_commune_AAAA.csv`: TYPECOM, COM, REG, DEP, CTCD, ARR, TNCC, NCC, NCCENR,
 * LIBELLE, CAN, COMPARENT). Communes (COM) and arrondissements municipaux (ARM) are kept; an ARM takes
 * its department and canton from its city when the file leaves them empty. Communes déléguées and
 * associées (COMD, COMA) are skipped, but remembered as old codes of their commune.
 */
export function readCogCommunes(
  csv: string,
  source: string,
): {
  communes: Map<string, CogCommune>;
  subsidiaries: Map<string, string>;
  issues: ProducerIssue[];
  skipped: number;
} {
  const { rows, issues } = readProducerCsv(csv, source, [
    'TYPECOM',
    'COM',
    'DEP',
    'LIBELLE',
    'CAN',
    'COMPARENT',
  ]);
  const communes = new Map<string, CogCommune>();
  const subsidiaries = new Map<string, string>();
  const arrondissements: CogCommune[] = [];
  let skipped = 0;
  for (const row of rows) {
    const type = row.get('TYPECOM').toUpperCase();
    const code = communeCode(row.get('COM'));
    const reject = (field: string, message: string) =>
      issues.push({ source, line: row.line, field, message });
    if (!code) {
      reject('COM', `Code INSEE invalide : « ${row.get('COM')} ».`);
      continue;
    }
    const parent = communeCode(row.get('COMPARENT'));
    if (type === 'COMD' || type === 'COMA') {
      if (parent) subsidiaries.set(code, parent);
      skipped++;
      continue;
    }
    if (type !== 'COM' && type !== 'ARM') {
      reject('TYPECOM', `Type inconnu : « ${type} » (attendu COM, ARM, COMA ou COMD).`);
      continue;
    }
    if (communes.has(code) || arrondissements.some((a) => a.code === code)) {
      reject('COM', `Commune ${code} en double.`);
      continue;
    }
    if (type === 'ARM' && !parent) {
      reject('COMPARENT', 'Un arrondissement municipal doit nommer sa commune.');
      continue;
    }
    const commune: CogCommune = {
      line: row.line,
      type,
      code,
      departement: row.get('DEP').toUpperCase(),
      canton: row.get('CAN').toUpperCase(),
      nom: row.get('LIBELLE'),
      parent: type === 'ARM' ? parent : null,
    };
    if (type === 'ARM') arrondissements.push(commune);
    else communes.set(code, commune);
  }
  for (const a of arrondissements) {
    const city = communes.get(a.parent as string);
    if (!city) {
      issues.push({
        source,
        line: a.line,
        field: 'COMPARENT',
        message: `Commune ${a.parent} absente du fichier.`,
      });
      continue;
    }
    communes.set(a.code, {
      ...a,
      departement: a.departement || city.departement,
      canton: a.canton || city.canton,
    });
  }
  return { communes, subsidiaries, issues, skipped };
}

export interface CogCanton {
  readonly line: number;
  readonly code: string;
  readonly departement: string;
  readonly region: string;
  readonly type: string;
  readonly composition: string;
  readonly bureau: string;
  readonly nom: string;
}

/** The COG cantons file (`v_canton_AAAA.csv`: CAN, DEP, REG, COMPCT, BURCENTRAL, TNCC, NCC, NCCENR, LIBELLE, TYPECT). */
export function readCogCantons(
  csv: string,
  source: string,
): { cantons: Map<string, CogCanton>; issues: ProducerIssue[] } {
  const { rows, issues } = readProducerCsv(
    csv,
    source,
    ['CAN', 'DEP', 'REG', 'TYPECT', 'LIBELLE'],
    ['COMPCT', 'BURCENTRAL'],
  );
  const cantons = new Map<string, CogCanton>();
  for (const row of rows) {
    const code = row.get('CAN').toUpperCase();
    if (cantons.has(code)) {
      issues.push({ source, line: row.line, field: 'CAN', message: `Canton ${code} en double.` });
      continue;
    }
    cantons.set(code, {
      line: row.line,
      code,
      departement: row.get('DEP').toUpperCase(),
      region: row.get('REG'),
      type: row.get('TYPECT').toUpperCase(),
      composition: row.get('COMPCT'),
      bureau: row.get('BURCENTRAL').toUpperCase(),
      nom: row.get('LIBELLE'),
    });
  }
  return { cantons, issues };
}

/** INSEE's meaning of TYPECT and COMPCT (COG documentation), the labels of cantons.csv. */
const CANTON_TYPES: Record<string, string> = {
  C: 'Canton',
  V: 'Canton-Ville (ou pseudo-canton)',
  N: 'Canton « fictif » pour communes nouvelles',
};
const CANTON_COMPOSITIONS: Record<string, string> = {
  '1': 'Canton composé de commune(s) entière(s)',
  '2': 'Canton composé d’une fraction d’une commune et de commune(s) entière(s)',
  '3': 'Canton composé de fractions de plusieurs communes et de commune(s) entière(s)',
  '4': 'Canton composé d’une fraction de commune',
  '5': 'Canton composé de fractions de plusieurs communes',
};

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

/**
 * communes-cantons.csv and cantons.csv, for the communes of the current geography (geo.api). The COG has
 * no row for the communes of the collectivités d'outre-mer: they come from geo.api with no canton, as in
 * our format. nb_communes_entieres and population_communes_entieres are not published: they count the
 * communes (not the arrondissements) attached whole to each canton, and add up their geo.api population.
 */
export function convertCantons(
  cog: ReturnType<typeof readCogCommunes>,
  cogCantons: ReturnType<typeof readCogCantons>,
  geo: readonly CurrentCommune[],
  sources: { communes: string; cantons: string; geo: string },
): { communeCantons: ConvertedTable; cantons: ConvertedTable } {
  const cantonDraft = (c: CogCanton, count: number, population: string): Draft => ({
    source: sources.cantons,
    line: c.line,
    values: [
      c.code,
      c.nom,
      c.departement,
      c.region,
      c.type,
      CANTON_TYPES[c.type] ?? '',
      c.composition || '0',
      CANTON_COMPOSITIONS[c.composition] ?? '',
      c.bureau,
      cog.communes.get(c.bureau)?.nom ?? '',
      String(count),
      population,
    ],
  });
  // First pass: the cantons the app accepts, before the counts, which depend on the communes.
  const checked = keepValidRows(
    CANTON_COLUMNS,
    [...cogCantons.cantons.values()].map((c) => cantonDraft(c, 0, '')),
    parseCantons,
  );
  const validCantons = new Set(checked.kept.map((d) => d.values[0]));

  const current = new Map(geo.map((g) => [g.code, g]));
  const rejected: ProducerIssue[] = [...cog.issues];
  const drafts: Draft[] = [];
  const wholeCommune = new Set<Draft>();
  const notCurrent: string[] = [];
  for (const c of cog.communes.values()) {
    if (!current.has(c.code)) {
      notCurrent.push(c.code);
      continue;
    }
    if (c.canton && !validCantons.has(c.canton)) {
      rejected.push({
        source: sources.communes,
        line: c.line,
        field: 'CAN',
        message: `Canton ${c.canton} absent du fichier des cantons, ou rejeté.`,
      });
      continue;
    }
    const canton = cogCantons.cantons.get(c.canton);
    const d: Draft = {
      source: sources.communes,
      line: c.line,
      values: [
        c.code,
        c.nom,
        c.departement || departementOf(c.code),
        c.canton,
        canton?.nom ?? '',
        canton?.type ?? '',
        c.parent ?? '',
      ],
    };
    drafts.push(d);
    if (c.type === 'COM') wholeCommune.add(d);
  }
  const notInCog: string[] = [];
  for (const g of geo) {
    if (cog.communes.has(g.code)) continue;
    if (g.zone === 'com') {
      drafts.push({
        source: sources.geo,
        line: g.line,
        values: [g.code, g.nom, g.departement, '', '', '', ''],
      });
    } else notInCog.push(g.code);
  }
  const communeRows = keepValidRows(COMMUNE_CANTON_COLUMNS, drafts, parseCommuneCantons);
  rejected.push(...communeRows.rejected);
  communeRows.kept.sort(byCode);

  const members = new Map<string, string[]>();
  for (const d of communeRows.kept) {
    const canton = d.values[3] as string;
    if (canton && wholeCommune.has(d))
      members.set(canton, [...(members.get(canton) ?? []), d.values[0] as string]);
  }
  let withoutPopulation = 0;
  const cantonDrafts = checked.kept.map((first) => {
    const c = cogCantons.cantons.get(first.values[0] as string) as CogCanton;
    const codes = members.get(c.code) ?? [];
    const populations = codes.map((code) => current.get(code)?.population ?? null);
    if (populations.includes(null)) {
      withoutPopulation++;
      return cantonDraft(c, codes.length, '');
    }
    return cantonDraft(c, codes.length, String(populations.reduce((a: number, p) => a + (p as number), 0)));
  });
  const cantonRows = keepValidRows(CANTON_COLUMNS, cantonDrafts, parseCantons);
  cantonRows.kept.sort(byCode);

  const communeNotes: string[] = [];
  if (notCurrent.length > 0)
    communeNotes.push(
      `${notCurrent.length} commune(s) du COG absente(s) de geo.api.gouv.fr, laissée(s) de côté : ${sample(notCurrent)}.`,
    );
  if (notInCog.length > 0)
    communeNotes.push(
      `${notInCog.length} commune(s) de geo.api.gouv.fr absente(s) du COG, donc sans canton : ${sample(notInCog)}.`,
    );
  const cantonNotes = [
    'nb_communes_entieres et population_communes_entieres sont calculés : communes (COM) rattachées en entier au canton, population de geo.api.gouv.fr.',
  ];
  if (withoutPopulation > 0)
    cantonNotes.push(
      `${withoutPopulation} canton(s) sans population_communes_entieres : une de leurs communes n’a pas de population connue.`,
    );
  return {
    communeCantons: {
      text: csvText(COMMUNE_CANTON_COLUMNS, communeRows.kept),
      rows: communeRows.kept.length,
      rejected,
      skipped: cog.skipped + notCurrent.length,
      notes: communeNotes,
    },
    cantons: {
      text: csvText(CANTON_COLUMNS, cantonRows.kept),
      rows: cantonRows.kept.length,
      rejected: [...cogCantons.issues, ...checked.rejected, ...cantonRows.rejected],
      skipped: 0,
      notes: cantonNotes,
    },
  };
}

/** The first codes of a list, for a note. */
export const sample = (codes: readonly string[]) =>
  `${codes.slice(0, 10).join(', ')}${codes.length > 10 ? '…' : ''}`;

// ---- outlines ----

/** A feature's properties with lower-case names (producers vary: `code`, `CODE`). */
function properties(feature: unknown): Record<string, unknown> {
  const p = (feature as { properties?: unknown })?.properties;
  if (!p || typeof p !== 'object') return {};
  return Object.fromEntries(Object.entries(p).map(([k, v]) => [k.toLowerCase(), v]));
}
const geometryOf = (feature: unknown) =>
  (feature as { geometry?: { type?: unknown; coordinates?: unknown } })?.geometry ?? null;

/** Keeps the first feature of each code; a later one is rejected. */
function firstOfEach(
  drafts: readonly FeatureDraft[],
  code: (d: FeatureDraft) => string,
  what: string,
): { kept: FeatureDraft[]; rejected: ProducerIssue[] } {
  const seen = new Set<string>();
  const kept: FeatureDraft[] = [];
  const rejected: ProducerIssue[] = [];
  for (const d of drafts) {
    const c = code(d);
    if (seen.has(c))
      rejected.push({ source: d.source, line: d.line, field: 'code', message: `${what} ${c} en double.` });
    else {
      seen.add(c);
      kept.push(d);
    }
  }
  kept.sort((a, b) => (code(a) < code(b) ? -1 : 1));
  return { kept, rejected };
}

/**
 * departements.geojson from Etalab's `contours-administratifs` (properties `code, nom, region`), or from a
 * file already in our format (`insee_dep, lib_dep`). Coordinates rounded to 5 decimals (about 1 m).
 */
export function convertDepartements(geojson: string, source: string): ConvertedTable {
  const drafts: FeatureDraft[] = readFeatures(geojson, source).map((f, i) => {
    const p = properties(f);
    const g = geometryOf(f);
    return {
      source,
      line: i + 1,
      feature: {
        type: 'Feature',
        properties: {
          insee_dep: text(p.code ?? p.insee_dep).toUpperCase(),
          lib_dep: text(p.nom ?? p.lib_dep),
        },
        geometry: g ? { type: g.type, coordinates: roundCoordinates(g.coordinates, 5) } : null,
      },
    };
  });
  const valid = keepValidFeatures(drafts, parseDepartements);
  const unique = firstOfEach(valid.kept, (d) => String(d.feature.properties.insee_dep), 'Département');
  return {
    text: featuresText(unique.kept),
    rows: unique.kept.length,
    rejected: [...valid.rejected, ...unique.rejected].sort((a, b) => a.line - b.line),
    skipped: 0,
    notes: [],
  };
}

/**
 * cantons-2025.geojson from the IGN Admin Express outlines as published by `gregoiredavid/france-geojson`
 * (properties `code, nom`; code `DD0NN`, or `97NNN` overseas): the code becomes the COG's `DDNN`, and only
 * the true cantons (type C) of the COG are kept, with the COG's name and department.
 */
export function convertCantonOutlines(
  geojson: string,
  source: string,
  cantons: ReadonlyMap<string, CogCanton>,
): ConvertedTable {
  const rejected: ProducerIssue[] = [];
  const drafts: FeatureDraft[] = [];
  readFeatures(geojson, source).forEach((f, i) => {
    const p = properties(f);
    const raw = text(p.code ?? p.canton_code).toUpperCase();
    const code = raw.replace(/^(\d{2}|2[AB])0(\d{2})$/, '$1$2');
    const canton = cantons.get(code);
    if (canton?.type !== 'C') {
      rejected.push({
        source,
        line: i + 1,
        field: 'code',
        message: `Canton « ${raw} » : pas de canton de type C ${code} dans le COG.`,
      });
      return;
    }
    const g = geometryOf(f);
    drafts.push({
      source,
      line: i + 1,
      feature: {
        type: 'Feature',
        properties: { canton_code: code, nom: canton.nom, departement: canton.departement },
        geometry: g ? { type: g.type, coordinates: roundCoordinates(g.coordinates, 5) } : null,
      },
    });
  });
  const valid = keepValidFeatures(drafts, parseCantonOutlines);
  const unique = firstOfEach(valid.kept, (d) => String(d.feature.properties.canton_code), 'Canton');
  const outlined = new Set(unique.kept.map((d) => String(d.feature.properties.canton_code)));
  const withoutOutline = [...cantons.values()].filter((c) => c.type === 'C' && !outlined.has(c.code));
  return {
    text: featuresText(unique.kept),
    rows: unique.kept.length,
    rejected: [...rejected, ...valid.rejected, ...unique.rejected].sort((a, b) => a.line - b.line),
    skipped: 0,
    notes:
      withoutOutline.length > 0
        ? [
            `${withoutOutline.length} canton(s) de type C du COG sans contour : ${sample(withoutOutline.map((c) => c.code))}.`,
          ]
        : [],
  };
}
