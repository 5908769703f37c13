/**
 * Outlines (GeoJSON): Etalab's department outlines → departements.geojson, and the IGN canton outlines as
 * published by france-geojson → cantons-2025.geojson, on the COG's canton codes (docs/DONNEES.md).
 * Pure: producer text in, our files out, every feature accepted or rejected with its position.
 */
import { parseCantonOutlines } from './canton-outlines.js';
import type { CogCanton } from './producer-cog.js';
import { sample } from './producer-communes.js';
import {
  type ConvertedTable,
  type FeatureDraft,
  featuresText,
  keepValidFeatures,
  type ProducerIssue,
  readFeatures,
  roundCoordinates,
  textOf,
} from './producer-tables.js';
import { parseDepartements } from './reference-files.js';

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
          insee_dep: textOf(p.code ?? p.insee_dep).toUpperCase(),
          lib_dep: textOf(p.nom ?? p.lib_dep),
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
    const raw = textOf(p.code ?? p.canton_code).toUpperCase();
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
