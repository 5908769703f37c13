import type { Db } from '../../db/database.js';
import { directoryFingerprint, listAllStructures } from '../../db/repositories/directory.repository.js';
import {
  toGeoJson,
  toLieuxMediationNumerique,
  writeOfficialCsv,
} from '../../domain/directory/transfer/index.js';
import type { Clock } from '../../domain/shared/time.js';

export const EXPORT_FORMATS = ['csv', 'geojson', 'lmn'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportResult {
  readonly contentType: string;
  readonly filename: string;
  readonly body: string;
  /** Structures left out, with the reason (no coordinates, refused by the national schema). */
  readonly skipped: ReadonlyArray<{ idFs: string; message: string }>;
}

/** The directory in the official CSV, GeoJSON, or the national "lieux de médiation numérique" schema. */
export async function exportStructures(
  deps: { db: Db; clock: Clock },
  format: ExportFormat,
): Promise<ExportResult> {
  const structures = await listAllStructures(deps.db);
  const stamp = deps.clock.now().toISOString().slice(0, 10);
  switch (format) {
    case 'csv':
      return {
        contentType: 'text/csv; charset=utf-8',
        filename: `france-services-${stamp}.csv`,
        body: writeOfficialCsv(structures),
        skipped: [],
      };
    case 'geojson': {
      const collection = toGeoJson(structures);
      return {
        contentType: 'application/geo+json; charset=utf-8',
        filename: `france-services-${stamp}.geojson`,
        body: JSON.stringify(collection),
        skipped: collection.skipped.map((idFs) => ({ idFs, message: 'Sans coordonnées.' })),
      };
    }
    case 'lmn': {
      const { lieux, errors } = toLieuxMediationNumerique(structures, { dateMaj: deps.clock.now() });
      return {
        contentType: 'application/json; charset=utf-8',
        filename: `france-services-lieux-mediation-numerique-${stamp}.json`,
        body: JSON.stringify(lieux),
        skipped: errors,
      };
    }
  }
}

/**
 * The same export, built once per version of the directory (finding 8): the CSV and GeoJSON bodies
 * depend only on the structures and the day, so concurrent and repeated downloads share one build
 * until a structure changes. LMN carries the export time and is built each time.
 */
const built = new WeakMap<Db, Map<ExportFormat, { key: string; result: Promise<ExportResult> }>>();

export async function exportStructuresCached(
  deps: { db: Db; clock: Clock },
  format: ExportFormat,
): Promise<ExportResult> {
  if (format === 'lmn') return exportStructures(deps, format);
  const key = `${deps.clock.now().toISOString().slice(0, 10)}|${await directoryFingerprint(deps.db)}`;
  let perDb = built.get(deps.db);
  if (!perDb) {
    perDb = new Map();
    built.set(deps.db, perDb);
  }
  const hit = perDb.get(format);
  if (hit?.key === key) return hit.result;
  const result = exportStructures(deps, format);
  perDb.set(format, { key, result });
  result.catch(() => {
    if (perDb.get(format)?.result === result) perDb.delete(format);
  });
  return result;
}
