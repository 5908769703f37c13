/**
 * Reads the reference folder (MAILLAGE_REF_DIR, formats in ../shared/data/README.md) and the
 * `@etalab/decoupage-administratif` tables, and hands them to the pure parsers of
 * src/domain/territory. Used by `maillage ref load`, the app at start, and the benchmarks.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { parse } from 'csv-parse/sync';
import { DomainError, type RowIssue } from '../../domain/shared/errors.js';
import {
  type Canton,
  type CantonOutlines,
  type CommuneCanton,
  type CommuneCentroid,
  communeCodeResolver,
  type DecoupageCommune,
  type DecoupageEpci,
  type DecoupageNamed,
  type Densite,
  type DepartementOutline,
  type ParseResult,
  parseCantonOutlines,
  parseCantons,
  parseCommuneCantons,
  parseCommuneCentroids,
  parseDepartements,
  parseGrilleDensite,
  parseQpv,
  parseQpvCommunes,
  parseZrr,
  type Qpv,
  type QpvCommune,
  ReferenceGeography,
  type StructureSite,
  siteKind,
  type Zrr,
} from '../../domain/territory/index.js';
import { readDataFile } from '../snapshots/data-file.js';

export const REFERENCE_FILES = {
  communes: 'communes-centroids.csv',
  communeCantons: 'communes-cantons.csv',
  cantons: 'cantons.csv',
  densite: 'grille-densite.csv',
  zrr: 'zrr.csv',
  qpv: 'qpv.csv',
  qpvCommunes: 'qpv-communes.csv',
  departements: 'departements.geojson',
} as const;
export type ReferenceFileKey = keyof typeof REFERENCE_FILES;

export interface ReferenceFolder {
  communes: ParseResult<CommuneCentroid>;
  communeCantons: ParseResult<CommuneCanton>;
  cantons: ParseResult<Canton>;
  densite: ParseResult<Densite>;
  zrr: ParseResult<Zrr>;
  qpv: ParseResult<Qpv>;
  qpvCommunes: ParseResult<QpvCommune>;
  departements: ParseResult<DepartementOutline>;
  /** Per file: its vintage (file modification date, YYYY-MM-DD) and size. */
  files: Record<ReferenceFileKey, { name: string; vintage: string; bytes: number; sha256: string }>;
}

const PARSERS = {
  communes: parseCommuneCentroids,
  communeCantons: parseCommuneCantons,
  cantons: parseCantons,
  densite: parseGrilleDensite,
  zrr: parseZrr,
  qpv: parseQpv,
  qpvCommunes: parseQpvCommunes,
  departements: parseDepartements,
} as const;

/**
 * The vintage of each file: what SOURCES.md says of the data (COG year, list date), and the date of
 * the file itself.
 */
const VINTAGES: Partial<Record<ReferenceFileKey, string>> = {
  communes: 'COG 2026 (centres geo.api 2023)',
  communeCantons: 'COG 2025',
  cantons: 'COG 2025',
  densite: 'grille INSEE, géographie 2025',
  zrr: 'ANCT 2023 (COG 2026)',
  qpv: 'QPV 2024',
  qpvCommunes: 'QPV 2024',
  departements: 'ANCT, Admin Express simplifié',
};
function vintageOf(key: ReferenceFileKey, fileDate: string): string {
  const label = VINTAGES[key];
  return label ? `${label} · fichier du ${fileDate}` : `fichier du ${fileDate}`;
}

/** Reads and parses every file; a missing file or a wrong header refuses the folder (DomainError). */
export async function readReferenceFolder(
  dir: string,
  only?: readonly ReferenceFileKey[],
): Promise<ReferenceFolder> {
  const files: Partial<ReferenceFolder['files']> = {};
  const out: Record<string, unknown> = { files };
  for (const key of Object.keys(REFERENCE_FILES) as ReferenceFileKey[]) {
    if (only && !only.includes(key)) {
      out[key] = { rows: [], issues: [] };
      continue;
    }
    const name = REFERENCE_FILES[key];
    // The plain file, or its gzip snapshot (name.gz) as in the bundled snapshots/ folder.
    const file = await readDataFile(dir, name).catch(() => null);
    if (!file) {
      throw new DomainError('invalid', `Fichier de référence introuvable : ${name} (dans ${dir}).`, name);
    }
    const text = file.text;
    out[key] = (PARSERS[key] as (t: string) => ParseResult<unknown>)(text);
    files[key] = {
      name,
      vintage: vintageOf(key, file.mtime.toISOString().slice(0, 10)),
      bytes: file.bytes,
      sha256: createHash('sha256').update(text).digest('hex'),
    };
  }
  return out as unknown as ReferenceFolder;
}

/** Every row issue of the folder, prefixed by its file name. */
export function folderIssues(folder: ReferenceFolder): Array<RowIssue & { file: string }> {
  const out: Array<RowIssue & { file: string }> = [];
  for (const key of Object.keys(REFERENCE_FILES) as ReferenceFileKey[]) {
    for (const issue of folder[key].issues) out.push({ file: REFERENCE_FILES[key], ...issue });
  }
  return out;
}

const require = createRequire(import.meta.url);
let decoupage: {
  communes: DecoupageCommune[];
  epcis: DecoupageEpci[];
  regions: DecoupageNamed[];
  departements: DecoupageNamed[];
} | null = null;

/** The `@etalab/decoupage-administratif` tables (read once). */
export function decoupageTables() {
  if (!decoupage) {
    decoupage = {
      communes: require('@etalab/decoupage-administratif/data/communes.json'),
      epcis: require('@etalab/decoupage-administratif/data/epci.json'),
      regions: require('@etalab/decoupage-administratif/data/regions.json'),
      departements: require('@etalab/decoupage-administratif/data/departements.json'),
    };
  }
  return decoupage;
}

/** Builds the joined reference geography from rows (a parsed folder or the database) and decoupage-administratif. */
export function referenceGeographyFromRows(t: {
  communes: readonly CommuneCentroid[];
  communeCantons: readonly CommuneCanton[];
  cantons: readonly Canton[];
  densite: readonly Densite[];
  zrr: readonly Zrr[];
  qpv: readonly Qpv[];
  cantonOutlines?: CantonOutlines | null;
}): ReferenceGeography {
  const d = decoupageTables();
  return new ReferenceGeography({
    ...t,
    epcis: d.epcis,
    regions: d.regions,
    departements: d.departements,
    resolveCode: communeCodeResolver(d.communes),
  });
}

export function referenceGeographyFromFolder(
  folder: Pick<ReferenceFolder, 'communes' | 'communeCantons' | 'cantons' | 'densite' | 'zrr' | 'qpv'>,
): ReferenceGeography {
  return referenceGeographyFromRows({
    communes: folder.communes.rows,
    communeCantons: folder.communeCantons.rows,
    cantons: folder.cantons.rows,
    densite: folder.densite.rows,
    zrr: folder.zrr.rows,
    qpv: folder.qpv.rows,
  });
}

/** Name of the canton outlines in a reference folder (plain or .gz); optional, unlike REFERENCE_FILES. */
export const CANTON_OUTLINES_FILE = 'cantons-2025.geojson';

/**
 * The canton outlines of a reference folder, or null when the folder has none (the coverage then
 * falls back to the commune-based bound). Bad features are logged by the caller and left out.
 */
export async function readCantonOutlines(
  dir: string,
): Promise<{ outlines: CantonOutlines; issues: RowIssue[] } | null> {
  const file = await readDataFile(dir, CANTON_OUTLINES_FILE).catch(() => null);
  return file ? parseCantonOutlines(file.text) : null;
}

/**
 * Structures from the official open-data CSV (`france-services-*.csv`), only the columns the
 * territory capability needs. The directory import (issue 2) is the real importer; this is for
 * benchmarks and checks that run without a database.
 */
export async function readStructuresCsv(path: string): Promise<StructureSite[]> {
  const text = await readFile(path, 'utf8');
  const rows = parse(text, { columns: true, bom: true, skip_empty_lines: true }) as Record<string, string>[];
  return rows.map((r) => {
    const lat = r.latitude ? Number(String(r.latitude).replace(',', '.')) : Number.NaN;
    const lon = r.longitude ? Number(String(r.longitude).replace(',', '.')) : Number.NaN;
    const m = /(\d{2})\/(\d{2})\/(\d{4})/.exec(r.labellisation_fs ?? '');
    return {
      id: String(r.id_fs),
      name: String(r.lib_fs ?? ''),
      codeInsee: String(r.insee_com ?? '').padStart(5, '0'),
      lat: Number.isFinite(lat) ? lat : null,
      lon: Number.isFinite(lon) ? lon : null,
      kind: siteKind(String(r.type_fs ?? ''), String(r.format_fs ?? '')),
      labelledOn: m ? `${m[3]}-${m[2]}-${m[1]}` : null,
    };
  });
}
