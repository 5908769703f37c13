/**
 * Reading the producers' files (INSEE, geo.api.gouv.fr, data.gouv.fr, ANCT, IGN) and writing ours.
 * Pure: bytes or text in, records and issues out.
 *
 * A producer file may be dirty: a BOM, Windows-1252 instead of UTF-8, `;` or tabs instead of commas,
 * CRLF, extra columns, codes that lost their leading zero in a spreadsheet. A file that cannot be read
 * at all (an HTML error page, a missing column, broken JSON) is refused with a DomainError whose field
 * names the file; a bad row is rejected with its line and a reason, and the other rows are kept.
 */
import { type CsvValue, writeCsv } from '../shared/csv.js';
import { DomainError, type RowIssue } from '../shared/errors.js';
import { isCodeInsee } from '../shared/insee.js';
import { type ParseResult, readCsv } from './csv.js';

/** A rejected producer row: `source` names the producer file, `line` its line (or its element in JSON). */
export interface ProducerIssue extends RowIssue {
  readonly source: string;
}

export const refuse = (source: string, message: string) =>
  new DomainError('invalid', `${source} : ${message}`, source);

/**
 * The text of a downloaded file: UTF-8 when it is valid UTF-8, else Windows-1252 (what French
 * spreadsheets save); the BOM dropped. An HTML or XML page (a portal's error or maintenance page, an
 * object store's "NoSuchKey") is refused: none of the expected formats starts with `<`.
 */
export function decodeProducerText(
  bytes: Uint8Array,
  source: string,
): { text: string; encoding: 'UTF-8' | 'Windows-1252' } {
  let text: string;
  let encoding: 'UTF-8' | 'Windows-1252' = 'UTF-8';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    text = new TextDecoder('windows-1252').decode(bytes);
    encoding = 'Windows-1252';
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') throw refuse(source, 'le fichier reçu est vide.');
  if (text.trimStart().startsWith('<')) {
    throw refuse(
      source,
      'le serveur a renvoyé une page HTML ou XML au lieu du fichier attendu (page d’erreur ou de maintenance ?).',
    );
  }
  return { text, encoding };
}

/** A string value trimmed, or '' for anything else (JSON producers leave fields out or null). */
export const textOf = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');

/**
 * A commune code as producers write it, or null: `1001` or `1001.0` (a spreadsheet dropped the leading
 * zero) is read as `01001`; Corsica stays `2A`/`2B`.
 */
export function communeCode(raw: unknown): string | null {
  let v = String(raw ?? '')
    .trim()
    .toUpperCase();
  if (/^\d{1,5}\.0+$/.test(v)) v = v.replace(/\.0+$/, '');
  if (/^\d{4}$/.test(v)) v = `0${v}`;
  return isCodeInsee(v) ? v : null;
}

/** One data row of a producer CSV: its physical line, and its cells by (header) column name. */
export interface ProducerRow {
  readonly line: number;
  get(column: string): string;
}

/** A column and the other names producers give it (the first name is the one `get` takes). */
export type ColumnNames = string | readonly [string, ...string[]];

/**
 * Reads a producer CSV by column names, whatever their order, case or number: `;`, tab or `,` is
 * guessed from the header line; columns we do not read are ignored. A missing column refuses the file;
 * a row with missing or surplus cells is rejected.
 */
export function readProducerCsv(
  text: string,
  source: string,
  required: readonly ColumnNames[],
  optional: readonly ColumnNames[] = [],
): { rows: ProducerRow[]; issues: ProducerIssue[] } {
  const { records, issues } = readCsv(text, guessDelimiter(text));
  const header = records[0];
  if (header?.line !== 1) throw refuse(source, 'ligne d’en-tête absente.');
  const position = new Map(header.values.map((v, i) => [v.trim().toUpperCase(), i] as const));
  const index = new Map<string, number>();
  const missing: string[] = [];
  for (const names of [...required, ...optional]) {
    const list = typeof names === 'string' ? [names] : names;
    const at = list.map((n) => position.get(n.toUpperCase())).find((i) => i !== undefined);
    if (at !== undefined) index.set(list[0] as string, at);
    else if (required.includes(names)) missing.push(list.join(' ou '));
  }
  if (missing.length > 0) {
    throw refuse(
      source,
      `ligne 1 : colonne(s) absente(s) : ${missing.join(', ')} (en-tête reçu « ${header.values.join(',').slice(0, 200)} »).`,
    );
  }
  const out: ProducerIssue[] = issues.map((i) => ({ source, ...i }));
  const rows: ProducerRow[] = [];
  const width = header.values.length;
  for (const record of records.slice(1)) {
    const extra = record.values.slice(width);
    if (record.values.length < width || extra.some((v) => v.trim() !== '')) {
      out.push({
        source,
        line: record.line,
        field: '*',
        message: `${record.values.length} colonnes au lieu de ${width}.`,
      });
      continue;
    }
    rows.push({
      line: record.line,
      get: (column) => {
        const i = index.get(column);
        return i === undefined ? '' : (record.values[i] ?? '').trim();
      },
    });
  }
  return { rows, issues: out };
}

/** The separator that appears most often in the header line (outside quotes); `,` on a tie. */
function guessDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  for (const c of text) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && (c === '\n' || c === '\r')) break;
    else if (!quoted && c in counts) counts[c as keyof typeof counts]++;
  }
  if (counts[';'] > counts[','] && counts[';'] >= counts['\t']) return ';';
  if (counts['\t'] > counts[',']) return '\t';
  return ',';
}

/** JSON text, or the file refused (a truncated download ends in the middle of a value). */
export function readProducerJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw refuse(source, 'ce n’est pas du JSON lisible (fichier tronqué ou d’un autre format ?).');
  }
}

/** The features of a GeoJSON FeatureCollection, or the file refused. */
export function readFeatures(text: string, source: string): unknown[] {
  const doc = readProducerJson(text, source) as { type?: unknown; features?: unknown };
  if (doc?.type !== 'FeatureCollection' || !Array.isArray(doc.features)) {
    throw refuse(source, 'une FeatureCollection GeoJSON est attendue.');
  }
  return doc.features;
}

/** One row of one of our tables, with the producer line it comes from. */
export interface Draft {
  readonly source: string;
  readonly line: number;
  readonly values: readonly string[];
}

/** One of our reference files, converted. */
export interface ConvertedTable {
  readonly text: string;
  readonly rows: number;
  /** Producer rows left out, each with its file, line and reason. */
  readonly rejected: ProducerIssue[];
  /** Producer rows left out by design (communes déléguées, collectivités without a density grid…). */
  readonly skipped: number;
  /** What was computed or could not be, in a sentence each. */
  readonly notes: string[];
}

/**
 * Our CSV: UTF-8, comma, LF, header first; cells through the one writer (src/domain/shared/csv.ts). A
 * line break inside a cell becomes a space, so that draft i is always on line i + 2.
 */
export function csvText(header: readonly string[], drafts: readonly Draft[]): string {
  return writeCsv([
    header,
    ...drafts.map((d) => d.values.map((v) => v.replace(/[\r\n]+/g, ' ')) as CsvValue[]),
  ]);
}

/**
 * Writes the drafts as one of our tables and reads them back with the app's own parser: a row the app
 * would refuse is left out here and reported against its producer line, so that `ref load` accepts the
 * folder. The drafts kept are the very objects given.
 */
export function keepValidRows(
  header: readonly string[],
  drafts: readonly Draft[],
  parse: (text: string) => ParseResult<unknown>,
): { kept: Draft[]; rejected: ProducerIssue[] } {
  const { issues } = parse(csvText(header, drafts));
  const bad = new Map(issues.map((i) => [i.line - 2, i]));
  const rejected: ProducerIssue[] = [];
  const kept: Draft[] = [];
  drafts.forEach((d, i) => {
    const issue = bad.get(i);
    if (issue) rejected.push({ source: d.source, line: d.line, field: issue.field, message: issue.message });
    else kept.push(d);
  });
  return { kept, rejected };
}

/** One GeoJSON feature of ours, with the producer feature it comes from (its position, from 1). */
export interface FeatureDraft {
  readonly source: string;
  readonly line: number;
  readonly feature: { type: 'Feature'; properties: Record<string, unknown>; geometry: unknown };
}

/** A FeatureCollection with one feature per line (diffable, like ../shared/data). */
export function featuresText(drafts: readonly FeatureDraft[]): string {
  return `{"type":"FeatureCollection","features":[\n${drafts.map((d) => JSON.stringify(d.feature)).join(',\n')}\n]}\n`;
}

/** As keepValidRows, for GeoJSON: issue i of the app's parser is feature i (from 1). */
export function keepValidFeatures(
  drafts: readonly FeatureDraft[],
  parse: (text: string) => { issues: RowIssue[] },
): { kept: FeatureDraft[]; rejected: ProducerIssue[] } {
  const { issues } = parse(featuresText(drafts));
  const bad = new Map(issues.map((i) => [i.line - 1, i]));
  const rejected: ProducerIssue[] = [];
  const kept: FeatureDraft[] = [];
  drafts.forEach((d, i) => {
    const issue = bad.get(i);
    if (issue) rejected.push({ source: d.source, line: d.line, field: issue.field, message: issue.message });
    else kept.push(d);
  });
  return { kept, rejected };
}

/** Coordinates rounded to `decimals` (5 ≈ 1 m), the rest of the geometry untouched. */
export function roundCoordinates(coordinates: unknown, decimals: number): unknown {
  const k = 10 ** decimals;
  const round = (c: unknown): unknown =>
    Array.isArray(c) ? c.map(round) : typeof c === 'number' ? Math.round(c * k) / k : c;
  return round(coordinates);
}
