/**
 * The current geography from geo.api.gouv.fr `/communes` (JSON, Etalab's API Découpage administratif):
 * current communes and arrondissements municipaux with their centre, population, postal codes and old
 * codes. It gives communes-centroids.csv, and every other converter joins on it (docs/DONNEES.md).
 * Pure: producer text in, our table out, every element accepted or rejected with its position.
 */
import {
  type ConvertedTable,
  communeCode,
  csvText,
  type Draft,
  keepValidRows,
  type ProducerIssue,
  readProducerJson,
  refuse,
  textOf,
} from './producer-tables.js';
import { CENTROID_COLUMNS, type CommuneZone, parseCommuneCentroids } from './reference-files.js';

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
      issues.push({ source, line, field: 'code', message: `Code INSEE invalide : « ${textOf(o.code)} ».` });
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
    const departement = textOf(o.codeDepartement).toUpperCase() || departementOf(code);
    const xy = (o.centre as { coordinates?: unknown } | undefined)?.coordinates;
    const centre = Array.isArray(xy) && finite(xy[0]) && finite(xy[1]) ? xy : null;
    const population = o.population;
    communes.push({
      line,
      code,
      nom: textOf(o.nom),
      departement,
      region: textOf(o.codeRegion) || (zone === 'com' ? departement : ''),
      zone,
      parent,
      lon: centre ? (centre[0] as number) : null,
      lat: centre ? (centre[1] as number) : null,
      population: Number.isInteger(population) && (population as number) >= 0 ? (population as number) : null,
      codesPostaux: Array.isArray(o.codesPostaux) ? o.codesPostaux.map(textOf).filter(Boolean).sort() : [],
      anciensCodes: Array.isArray(o.anciensCodes)
        ? o.anciensCodes.map(communeCode).filter((c): c is string => c !== null)
        : [],
    });
  });
  return { communes, issues };
}

export const byCode = (a: Draft, b: Draft) => ((a.values[0] ?? '') < (b.values[0] ?? '') ? -1 : 1);

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

/** The first codes of a list, for a note. */
export const sample = (codes: readonly string[]) =>
  `${codes.slice(0, 10).join(', ')}${codes.length > 10 ? '…' : ''}`;
