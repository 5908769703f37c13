import { createHash } from 'node:crypto';
import type { Db } from '../../db/database.js';
import {
  findStructuresByIdFs,
  insertStructures,
  recordImportRun,
  updateStructuresFromFile,
} from '../../db/repositories/directory.repository.js';
import { formatDayHours, WEEKDAYS } from '../../domain/directory/opening-hours.js';
import type { Structure } from '../../domain/directory/structure.js';
import { readOfficialCsv, type StructureInput } from '../../domain/directory/transfer/index.js';
import type { CommuneRegistry } from '../../domain/geography/index.js';
import { DomainError, type RowIssue } from '../../domain/shared/errors.js';
import { greatCircleKm } from '../../domain/shared/geo.js';

export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  rejected: RowIssue[];
  warnings: RowIssue[];
}

export interface ImportOptions {
  readonly source: string;
  readonly dryRun?: boolean;
  /** Called as rows are checked and written: (done, total). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** A structure farther than this from its commune's centre is probably misplaced (swapped digits, wrong commune). */
const FAR_FROM_COMMUNE_KM = 40;

/**
 * Import the official open-data CSV: upsert by id_fs, in one transaction.
 * A file that cannot be read as this format is refused whole (DomainError), and nothing is written.
 * Rows that cannot be accepted are listed in `rejected` and skipped; every other row is committed together.
 */
export async function importStructures(
  deps: { db: Db; communes: CommuneRegistry },
  bytes: Uint8Array,
  options: ImportOptions,
): Promise<ImportReport> {
  const read = readOfficialCsv(bytes, { source: options.source });
  if (!read.ok) throw read.error;
  const warnings = [...read.warnings];
  for (const { line, structure: s } of read.rows) warnings.push(...geographyWarnings(line, s, deps.communes));

  const total = read.rows.length;
  options.onProgress?.(0, total);
  const report: ImportReport = { created: 0, updated: 0, unchanged: 0, rejected: read.rejected, warnings };
  const rejectedLines = new Set(read.rejected.map((r) => r.line));
  if (total === 0 && rejectedLines.size === 0) {
    throw new DomainError('invalid', 'Le fichier ne contient aucune structure.', 'fichier');
  }

  await deps.db.transaction().execute(async (trx) => {
    const existing = await findStructuresByIdFs(
      trx,
      read.rows.map((r) => r.structure.idFs),
    );
    const toCreate: StructureInput[] = [];
    const toUpdate: StructureInput[] = [];
    for (const { structure } of read.rows) {
      const before = existing.get(structure.idFs);
      if (!before) toCreate.push(structure);
      else if (sameFromFile(before, structure)) report.unchanged++;
      else toUpdate.push(structure);
    }
    report.created = toCreate.length;
    report.updated = toUpdate.length;
    if (options.dryRun) return;
    await insertStructures(trx, toCreate);
    options.onProgress?.(toCreate.length, total);
    await updateStructuresFromFile(trx, toUpdate);
    options.onProgress?.(total, total);
    await recordImportRun(trx, {
      kind: 'structures',
      source: options.source,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: rejectedLines.size,
    });
  });
  return report;
}

function geographyWarnings(line: number, s: StructureInput, communes: CommuneRegistry): RowIssue[] {
  if (communes.size === 0) return [];
  const commune = communes.resolve(s.codeInsee);
  if (!commune) {
    return [
      {
        line,
        field: 'insee_com',
        message: `Code commune ${s.codeInsee} inconnu de la géographie en vigueur.`,
      },
    ];
  }
  const out: RowIssue[] = [];
  if (commune.code !== s.codeInsee && !commune.parent) {
    out.push({
      line,
      field: 'insee_com',
      message: `Ancien code ${s.codeInsee} : commune actuelle ${commune.code} (${commune.name}).`,
    });
  }
  if (commune.centroid && s.lat !== null && s.lon !== null) {
    const km = greatCircleKm(commune.centroid, { lat: s.lat, lon: s.lon });
    if (km > FAR_FROM_COMMUNE_KM) {
      out.push({
        line,
        field: 'latitude',
        message: `Coordonnées à ${Math.round(km)} km du centre de ${commune.name} : à vérifier.`,
      });
    }
  }
  return out;
}

/** True when the file brings nothing new for the columns the official file owns. */
function sameFromFile(before: Structure, after: StructureInput): boolean {
  return (
    before.name === after.name &&
    before.type === after.type &&
    before.format === after.format &&
    before.group === after.group &&
    before.address === after.address &&
    before.addressComplement === after.addressComplement &&
    before.codeInsee === after.codeInsee &&
    before.postalCode === after.postalCode &&
    before.communeName === after.communeName &&
    before.departement === after.departement &&
    before.lat === after.lat &&
    before.lon === after.lon &&
    before.emails.join('\n') === after.emails.join('\n') &&
    before.telephones.join('\n') === after.telephones.join('\n') &&
    WEEKDAYS.every(
      (d) => formatDayHours(before.hours.days[d] ?? []) === formatDayHours(after.hours.days[d] ?? []),
    ) &&
    before.appointment === after.appointment &&
    before.comment === after.comment &&
    before.partners.join() === after.partners.join() &&
    before.labelledOn === after.labelledOn
  );
}
