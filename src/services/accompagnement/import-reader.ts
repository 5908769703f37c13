import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { RecordInsert } from '../../db/repositories/accompagnement.repository.js';
import {
  type AccompagnementInput,
  checkExchangeHeader,
  EXCHANGE_COLUMNS,
  exchangeRowToInput,
  OPTIONAL_EXCHANGE_COLUMNS,
  type Partenaire,
  type RecordRules,
} from '../../domain/accompagnement/index.js';
import type { CommuneCodes } from '../../domain/geography/index.js';
import { type ContentField, checkBatch, type ItemIssue, type StructureRef } from './record-rows.js';

/**
 * The reading half of `activity import`, run in a worker thread (import.worker.ts) so that parsing and
 * checking a million rows use the second core while the main thread writes: the exchange CSV is parsed,
 * each row checked by the record's rules, and every `batchSize` lines a batch leaves ready to write
 * (its rows as the one JSON text the insert takes). No database here: what the checks need of it
 * (structures, catalogue, clock) comes in the setup.
 */

export const SYNTHETIC_MARKER = '# DONNÉES SYNTHÉTIQUES';

/** What the reading thread receives (structured-cloneable). */
export interface ImportSetup {
  readonly file: string;
  /** The clock's instant (ISO): a start in the future is refused. */
  readonly now: string;
  /** The catalogue's active démarches: code → partner. */
  readonly demarches: ReadonlyArray<readonly [string, string]>;
  /** Every structure by its id_fs (the operator may write for any). */
  readonly structures: readonly StructureRef[];
  readonly batchSize: number;
  /** A batch is also cut past this many bytes of lines. */
  readonly batchBytes: number;
  /**
   * Checked rows held before they are sorted by month and id and written (the window): at most this
   * many rows, and this many bytes of their JSON.
   */
  readonly windowRows: number;
  readonly windowBytes: number;
}

/** A batch ready to write, and what the reading found on its lines. */
export interface ReadBatch {
  readonly json: string;
  readonly size: number;
  readonly partitionMonths: readonly string[];
  /** Rows refused (index = CSV line), CSV syntax errors included. */
  readonly rejected: readonly ItemIssue[];
  /** CSV syntax errors beyond what one batch lists (a file of garbage stays in constant memory). */
  readonly unlisted: number;
  /** Repeats of an id with the same content inside the batch (or its window). */
  readonly unchanged: number;
  /**
   * Rows of the window replaced by a later line with the same id and another content: the file is the
   * source, so the later line is written, and the earlier one counts as an update (as it would have, had
   * the two been written one after the other).
   */
  readonly superseded: number;
  /** Data lines read so far. */
  readonly rowsRead: number;
}

export class HeaderError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'HeaderError';
  }
}

export function importRules(setup: ImportSetup, communes: CommuneCodes): RecordRules {
  const demarches = new Map(setup.demarches.map(([code, partenaire]) => [code, partenaire as Partenaire]));
  return {
    now: new Date(setup.now),
    resolveCommune: (code) => communes.resolve(code),
    activeDemarche: (code) => {
      const partenaire = demarches.get(code);
      return partenaire ? { partenaire } : null;
    },
  };
}

/**
 * Reads an exchange CSV: the header first (another format throws HeaderError before any batch), then
 * batches of at most `batchSize` rows, each awaited by `emit` before reading on (constant memory: the
 * caller's pace sets the reading's). Rows that break the CSV syntax are reported with their line.
 *
 * Rows are checked `batchSize` lines at a time, then held in a window of `windowRows` rows, sorted by
 * month and id, and written in that order. A file in no particular order otherwise spreads every batch
 * over all the months' partitions and all their indexes, which no longer fit in the database's page cache
 * past a few hundred thousand records: 1 M rows in random order took 91 s to write, 54 s through a window
 * of 50,000 (docs/BENCHMARKS.md). Within a window, a repeated id is unchanged (same content) or replaced
 * by its later line; across windows, the database tells, as for the API.
 */
export async function readExchangeFile(
  input: Readable,
  setup: ImportSetup,
  rules: RecordRules,
  handlers: {
    readonly header: (presentFields: readonly ContentField[]) => void | Promise<void>;
    readonly batch: (batch: ReadBatch) => Promise<void>;
  },
): Promise<{ sawSynthetic: boolean; rows: number }> {
  const structures = new Map(setup.structures.map((s) => [s.idFs, s]));
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
  let syntax: ItemIssue[] = [];
  let unlisted = 0;
  parser.on('skip', (error: { lines?: number } | undefined) => {
    if (syntax.length >= setup.batchSize) {
      unlisted++;
      return;
    }
    syntax.push({
      index: error?.lines ?? 0,
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
  let inputs: AccompagnementInput[] = [];
  let lines: number[] = [];
  let rows = 0;
  const window = new ImportWindow();
  /** Checks the lines read since the last check, and adds their rows to the window. */
  const check = () => {
    if (inputs.length === 0 && syntax.length === 0 && unlisted === 0) return;
    const lineOf = lines;
    const checked = checkBatch(inputs, {
      rules,
      structureOf: (idFs) => structures.get(idFs),
      mayWrite: () => true,
      indexOf: (i) => lineOf[i] ?? 0,
      agentId: null,
      source: 'import',
    });
    window.add(checked.rows, [...syntax, ...checked.rejected], unlisted, checked.unchanged);
    syntax = [];
    unlisted = 0;
    inputs = [];
    lines = [];
  };
  /** Writes the window's rows in month and id order, `batchSize` at a time. */
  const flush = async () => {
    for (const batch of window.drain(setup.batchSize)) await handlers.batch({ ...batch, rowsRead: rows });
  };

  let batchStart = 0;
  for await (const { record, info } of parser as AsyncIterable<{
    record: string[];
    info: { lines: number; bytes: number };
  }>) {
    if (header === null) {
      const problem = checkExchangeHeader(record);
      if (problem) {
        input.unpipe(parser);
        input.destroy();
        throw new HeaderError('en-tête', problem);
      }
      header = record.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h).trim());
      const names = header;
      await handlers.header([
        'structure_id',
        ...EXCHANGE_COLUMNS.filter((c) => !['id', 'id_fs', 'debut'].includes(c)),
        ...OPTIONAL_EXCHANGE_COLUMNS.filter((c) => names.includes(c)),
      ] as ContentField[]);
      continue;
    }
    rows++;
    const row: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) row[header[i] as string] = record[i] ?? '';
    inputs.push(exchangeRowToInput(row));
    lines.push(info.lines);
    if (inputs.length >= setup.batchSize || info.bytes - batchStart >= setup.batchBytes) {
      batchStart = info.bytes;
      check();
      if (window.held >= setup.windowRows || window.bytes >= setup.windowBytes) await flush();
    }
  }
  if (header === null)
    throw new HeaderError('en-tête', 'Fichier vide : l’en-tête du format d’échange est attendu.');
  check();
  await flush();
  return { sawSynthetic, rows };
}

/** A checked row waiting in the window: its partition's month, its id, and its JSON. */
interface WindowRow {
  readonly month: string;
  readonly id: string;
  readonly json: string;
}

/**
 * The rows checked and not yet written, with what their lines reported. Rows are kept as their JSON
 * (about 300 bytes each), so that a window of 50,000 stays within the reading thread's bounded heap.
 */
class ImportWindow {
  #rows: WindowRow[] = [];
  readonly #positionOf = new Map<string, number>();
  #rejected: ItemIssue[] = [];
  #unlisted = 0;
  #unchanged = 0;
  #superseded = 0;
  bytes = 0;

  /** Rows and reported problems held: a file of bad lines also flushes its window (bounded memory). */
  get held(): number {
    return this.#rows.length + this.#rejected.length;
  }

  add(
    rows: readonly RecordInsert[],
    rejected: readonly ItemIssue[],
    unlisted: number,
    unchanged: number,
  ): void {
    for (const issue of rejected) this.#rejected.push(issue);
    this.#unlisted += unlisted;
    this.#unchanged += unchanged;
    for (const r of rows) {
      const row = { month: new Date(r.debut).toISOString().slice(0, 7), id: r.id, json: JSON.stringify(r) };
      const position = this.#positionOf.get(r.id);
      if (position === undefined) {
        this.#positionOf.set(r.id, this.#rows.length);
        this.#rows.push(row);
        this.bytes += row.json.length;
        continue;
      }
      const earlier = this.#rows[position] as WindowRow;
      if (earlier.json === row.json) this.#unchanged++;
      else {
        this.#superseded++;
        this.bytes += row.json.length - earlier.json.length;
        this.#rows[position] = row;
      }
    }
  }

  /** Empties the window into batches of at most `size` rows, in month and id order; the counts ride the first. */
  *drain(size: number): Generator<Omit<ReadBatch, 'rowsRead'>> {
    const rows = this.#rows.sort((a, b) =>
      a.month !== b.month ? (a.month < b.month ? -1 : 1) : a.id < b.id ? -1 : a.id > b.id ? 1 : 0,
    );
    const counts = {
      rejected: this.#rejected,
      unlisted: this.#unlisted,
      unchanged: this.#unchanged,
      superseded: this.#superseded,
    };
    const empty = rows.length === 0;
    this.#rows = [];
    this.#positionOf.clear();
    this.#rejected = [];
    this.#unlisted = this.#unchanged = this.#superseded = this.bytes = 0;
    if (empty && counts.rejected.length === 0 && counts.unlisted === 0 && counts.unchanged === 0) return;
    let first = true;
    for (let start = 0; start < rows.length || (empty && first); start += size) {
      const part = rows.slice(start, start + size);
      yield {
        json: `[${part.map((r) => r.json).join(',')}]`,
        size: part.length,
        partitionMonths: [...new Set(part.map((r) => r.month))],
        ...(first ? counts : { rejected: [], unlisted: 0, unchanged: 0, superseded: 0 }),
      };
      first = false;
    }
  }
}
