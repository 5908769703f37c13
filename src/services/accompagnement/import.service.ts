import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { invalid, type RowIssue } from '../../domain/shared/errors.js';
import type { AccompagnementService, ImportRollups } from './accompagnement.service.js';
import type { FromReader, ToReader } from './import-messages.js';
import type { ImportSetup } from './import-reader.js';
import type { ContentField } from './record-rows.js';

export { SYNTHETIC_MARKER } from './import-reader.js';

/** Same shape as the structure import's report. */
export interface ActivityImportReport {
  created: number;
  updated: number;
  unchanged: number;
  rejected: RowIssue[];
  warnings: RowIssue[];
}

export const IMPORT_BATCH = 5000;
/**
 * The reading thread's heap, bounded: by default V8 lets a young thread's heap grow far beyond what it
 * holds (a batch of lines, the commune codes), and `activity import` peaked about 120 MB higher.
 * A batch is also cut at READ_BATCH_BYTES of lines, so long lines cannot fill it.
 */
const READER_LIMITS = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 4 };
export const READ_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * Rows sorted by month and id before they are written (import-reader.ts): the larger the window, the
 * fewer the index pages each batch touches (1 M rows in random order: 91 s to write in file order, 64 s
 * through a window of 20,000, 54 s through 50,000, 50 s through 100,000; docs/BENCHMARKS.md). 50,000 rows
 * are about 15 MB of JSON in the reading thread's 64 MB heap; the byte bound keeps long lines within it.
 */
export const IMPORT_WINDOW_ROWS = 50_000;
export const IMPORT_WINDOW_BYTES = 16 * 1024 * 1024;
/**
 * A file of at most this size (about 17,000 rows of 120 bytes) adds its records to the pilotage rollups in
 * each batch's transaction, as the counters' writes do; a larger one only marks its months, rebuilt whole at
 * the end. A month's rebuild holds that month's lock, and the counters' records of that month wait for it:
 * for a national month of 1 M records, a 7.3 s rebuild and writes waiting up to 6.7 s on PostgreSQL (9.9 s
 * and 9.1 s on PGlite; docs/BENCHMARKS.md, bench:rollup-lock). Adding records one at a time makes a large
 * import about 3 times slower (1 M rows: 335 s against about 100 s), which only a small file can afford; and
 * a small file usually lands in the current month, the one the counters are writing to.
 */
export const IN_TRANSACTION_MAX_BYTES = 2 * 1024 * 1024;

/** Only a regular file has a size known before it is read (a pipe's is 0): anything else is taken as large. */
export async function importRollupsFor(file: string): Promise<ImportRollups> {
  const s = await stat(file).catch(() => null);
  return s?.isFile() && s.size <= IN_TRANSACTION_MAX_BYTES ? 'in_transaction' : 'rebuild_after';
}

/** Past this many rejections the report keeps counting but lists no more (bounded output). */
export const REJECTIONS_LISTED = 10_000;

/**
 * The reading thread's module: beside this one, compiled (dist/, .js), or from the sources (.ts) when run by
 * tsx or the tests; the thread then registers tsx's hooks first (a worker does not inherit them from a
 * test runner).
 */
function readerWorker(setup: ImportSetup): Worker {
  const options = { workerData: setup, resourceLimits: READER_LIMITS };
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./import.worker.js', import.meta.url), options);
  const entry = new URL('./import.worker.ts', import.meta.url).href;
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`,
    { ...options, eval: true },
  );
}

/**
 * Imports an exchange CSV: a worker thread reads and checks it (import-reader.ts) while this thread
 * writes each batch of IMPORT_BATCH rows in one transaction. At most two batches wait between them,
 * so memory stays constant whatever the file's size. The header is checked before anything is
 * written: a file of another format writes nothing. Rows that break the CSV syntax are skipped and
 * reported with their line.
 */
export async function importActivity(
  service: AccompagnementService,
  file: string,
  options: {
    onProgress?: (rows: number, bytesRead: number) => void;
    /** How the rollups follow (the caller may have chosen already); by default, by the file's size. */
    rollups?: ImportRollups;
  } = {},
): Promise<ActivityImportReport> {
  const report: ActivityImportReport = { created: 0, updated: 0, unchanged: 0, rejected: [], warnings: [] };
  let rejectedTotal = 0;
  const reject = (issue: RowIssue) => {
    rejectedTotal++;
    if (report.rejected.length < REJECTIONS_LISTED) report.rejected.push(issue);
  };
  const setup = await service.importSetup(file, {
    batchSize: IMPORT_BATCH,
    batchBytes: READ_BATCH_BYTES,
    windowRows: IMPORT_WINDOW_ROWS,
    windowBytes: IMPORT_WINDOW_BYTES,
  });
  const rollups = options.rollups ?? (await importRollupsFor(file));
  const worker = readerWorker(setup);
  const tell = (m: ToReader) => worker.postMessage(m);

  let presentFields: readonly ContentField[] = [];
  let sawSynthetic = false;
  // Batches are written one after the other, in the order read.
  let writing: Promise<void> = Promise.resolve();
  try {
    await new Promise<void>((resolve, reject_) => {
      let ended = false;
      const fail = (error: unknown) => {
        ended = true;
        reject_(error);
      };
      worker.on('error', fail);
      worker.on('exit', (code) => {
        if (!ended) fail(new Error(`Lecture du fichier interrompue (code ${code}).`));
      });
      worker.on('message', (m: FromReader) => {
        switch (m.type) {
          case 'header':
            presentFields = m.presentFields;
            break;
          case 'batch':
            writing = writing.then(async () => {
              const b = m.batch;
              const outcome = await service.writeImportBatch(
                {
                  json: b.json,
                  size: b.size,
                  partitionMonths: b.partitionMonths,
                  rows: () => JSON.parse(b.json),
                },
                presentFields,
                rollups,
              );
              report.created += outcome.created;
              report.updated += outcome.updated + b.superseded;
              report.unchanged += outcome.unchanged + b.unchanged;
              for (const r of b.rejected) reject({ line: r.index, field: r.field, message: r.message });
              rejectedTotal += b.unlisted;
              tell({ type: 'written' });
              options.onProgress?.(b.rowsRead, m.bytesRead);
            });
            writing.catch(fail);
            break;
          case 'end':
            ended = true;
            sawSynthetic = m.sawSynthetic;
            writing.then(resolve, reject_);
            break;
          case 'refused':
            fail(invalid(m.field, m.message));
            break;
          case 'failed':
            fail(new Error(`Lecture du fichier en échec : ${m.message}`));
            break;
        }
      });
    });
  } finally {
    await worker.terminate();
    // A failed write may leave the next ones queued: none runs after the import has returned.
    await writing.catch(() => {});
  }
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
