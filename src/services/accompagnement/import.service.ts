import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import {
  type AccompagnementInput,
  checkExchangeHeader,
  EXCHANGE_COLUMNS,
  exchangeRowToInput,
  OPTIONAL_EXCHANGE_COLUMNS,
} from '../../domain/accompagnement/index.js';
import { invalid, type RowIssue } from '../../domain/shared/errors.js';
import type { AccompagnementService } from './accompagnement.service.js';

/** Same shape as the structure import's report. */
export interface ActivityImportReport {
  created: number;
  updated: number;
  unchanged: number;
  rejected: RowIssue[];
  warnings: RowIssue[];
}

export const IMPORT_BATCH = 5000;
/** Past this many rejections the report keeps counting but lists no more (bounded output). */
export const REJECTIONS_LISTED = 10_000;
export const SYNTHETIC_MARKER = '# DONNÉES SYNTHÉTIQUES';

/**
 * Streams an exchange CSV into the database: parsed record by record, written in batches of
 * IMPORT_BATCH in one transaction each, so memory stays constant whatever the file's size.
 * The header is checked before anything is written: a file of another format writes nothing.
 * Rows that break the CSV syntax are skipped and reported with their line.
 */
export async function importActivity(
  service: AccompagnementService,
  input: Readable,
  options: { onProgress?: (rows: number) => void } = {},
): Promise<ActivityImportReport> {
  const report: ActivityImportReport = { created: 0, updated: 0, unchanged: 0, rejected: [], warnings: [] };
  let rejectedTotal = 0;
  const reject = (issue: RowIssue) => {
    rejectedTotal++;
    if (report.rejected.length < REJECTIONS_LISTED) report.rejected.push(issue);
  };
  const parser = parse({
    bom: true,
    info: true,
    comment: '#',
    comment_no_infix: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    relax_column_count: false,
    max_record_size: 64 * 1024,
  });
  parser.on('skip', (error: { lines?: number; message?: string } | undefined) => {
    reject({
      line: error?.lines ?? 0,
      field: 'ligne',
      message: 'Ligne illisible (guillemets, nombre de colonnes ou taille) : ignorée.',
    });
  });
  let sawSynthetic = false;
  let firstChunk = true;
  input.on('data', (chunk: Buffer | string) => {
    if (firstChunk) {
      firstChunk = false;
      sawSynthetic = chunk
        .toString()
        .replace(/^\uFEFF/, '')
        .startsWith(SYNTHETIC_MARKER);
    }
  });
  input.pipe(parser);

  let header: string[] | null = null;
  let batch: AccompagnementInput[] = [];
  let lines: number[] = [];
  let rows = 0;
  let present: string[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const lineOf = lines;
    const outcome = await service.writeBatch({ kind: 'operator' }, batch, {
      mode: 'import',
      source: 'import',
      indexOf: (i) => lineOf[i] ?? 0,
      presentFields: present as never,
    });
    report.created += outcome.created;
    report.updated += outcome.updated;
    report.unchanged += outcome.unchanged;
    for (const r of outcome.rejected) reject({ line: r.index, field: r.field, message: r.message });
    batch = [];
    lines = [];
    options.onProgress?.(rows);
  };

  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number };
  }>) {
    if (header === null) {
      const problem = checkExchangeHeader(record);
      if (problem) {
        input.unpipe(parser);
        input.destroy();
        throw invalid('en-tête', problem);
      }
      header = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
      present = [
        'structure_id',
        ...EXCHANGE_COLUMNS.filter((c) => !['id', 'id_fs', 'debut'].includes(c)),
        ...OPTIONAL_EXCHANGE_COLUMNS.filter((c) => header?.includes(c)),
      ];
      continue;
    }
    rows++;
    const row: Record<string, string> = {};
    header.forEach((h, i) => {
      row[h] = record[i] ?? '';
    });
    batch.push(exchangeRowToInput(row));
    lines.push(info.lines);
    if (batch.length >= IMPORT_BATCH) await flush();
  }
  if (header === null) throw invalid('en-tête', 'Fichier vide : l’en-tête du format d’échange est attendu.');
  await flush();
  report.rejected.sort((a, b) => a.line - b.line);
  if (sawSynthetic)
    report.warnings.push({
      line: 1,
      field: 'fichier',
      message: 'Ce fichier est marqué « données synthétiques » : ses chiffres ne sont pas réels.',
    });
  if (rejectedTotal > report.rejected.length)
    report.warnings.push({
      line: 0,
      field: 'rejets',
      message: `${rejectedTotal} rejets au total : seuls les ${REJECTIONS_LISTED} premiers sont listés.`,
    });
  return report;
}
