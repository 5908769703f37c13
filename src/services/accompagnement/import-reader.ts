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
  /** Repeats of an id with the same content inside the batch. */
  readonly unchanged: number;
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
 * batches of `batchSize` lines, each awaited by `emit` before reading on (constant memory: the caller's
 * pace sets the reading's). Rows that break the CSV syntax are reported with their line.
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
  const flush = async () => {
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
    const rejected = syntax.length > 0 ? [...syntax, ...checked.rejected] : checked.rejected;
    const skippedUnlisted = unlisted;
    syntax = [];
    unlisted = 0;
    inputs = [];
    lines = [];
    await handlers.batch({
      json: JSON.stringify(checked.rows),
      size: checked.rows.length,
      partitionMonths: partitionMonthsOf(checked.rows),
      rejected,
      unlisted: skippedUnlisted,
      unchanged: checked.unchanged,
      rowsRead: rows,
    });
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
      await flush();
    }
  }
  if (header === null)
    throw new HeaderError('en-tête', 'Fichier vide : l’en-tête du format d’échange est attendu.');
  await flush();
  return { sawSynthetic, rows };
}

function partitionMonthsOf(rows: readonly RecordInsert[]): string[] {
  const months = new Set<string>();
  for (const r of rows) months.add(new Date(r.debut).toISOString().slice(0, 7));
  return [...months];
}
