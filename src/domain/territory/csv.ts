import { DomainError, type RowIssue } from '../shared/errors.js';

/** One CSV record with the physical line it starts on (1 = the header). */
export interface CsvRecord {
  readonly line: number;
  readonly values: readonly string[];
}

/**
 * A small RFC 4180 reader: comma separator (or `;` or a tab, as some producers publish), `"` quoting
 * with `""` escapes, LF, CRLF or CR line ends. It never throws: an unterminated quote is reported on
 * the line where the field started.
 */
export function readCsv(
  text: string,
  delimiter: ',' | ';' | '\t' = ',',
): { records: CsvRecord[]; issues: RowIssue[] } {
  const records: CsvRecord[] = [];
  const issues: RowIssue[] = [];
  let line = 1;
  let recordLine = 1;
  let field = '';
  let values: string[] = [];
  let inQuotes = false;
  let quoteLine = 0;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  const endRecord = () => {
    values.push(field);
    field = '';
    if (!(values.length === 1 && values[0] === '')) records.push({ line: recordLine, values });
    values = [];
  };
  while (i < n) {
    const c = text[i] as string;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"' && field === '') {
      inQuotes = true;
      quoteLine = line;
    } else if (c === delimiter) {
      values.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else {
      field += c;
    }
    i++;
  }
  if (inQuotes) {
    issues.push({ line: quoteLine, field: '*', message: 'Guillemet ouvrant sans guillemet fermant.' });
  } else if (field !== '' || values.length > 0) {
    endRecord();
  }
  return { records, issues };
}

/** What one reference table looks like: its exact header and how to read one row. */
export interface TableSpec<T> {
  /** File name, for messages. */
  readonly file: string;
  readonly columns: readonly string[];
  /** Reads one row; throws a DomainError naming the column at fault to reject the row. */
  readonly row: (get: (column: string) => string) => T;
}

export interface ParseResult<T> {
  readonly rows: T[];
  readonly issues: RowIssue[];
}

/**
 * Parses a whole table. A missing or wrong header refuses the file (throws); a bad row is
 * reported with its line number and left out, every other row is kept.
 */
export function parseTable<T>(text: string, spec: TableSpec<T>): ParseResult<T> {
  const { records, issues } = readCsv(text);
  const header = records[0];
  const expected = spec.columns.join(',');
  if (header?.line !== 1) {
    throw new DomainError(
      'invalid',
      `${spec.file} : fichier vide, en-tête attendu « ${expected} ».`,
      'en-tête',
    );
  }
  const got = header.values.map((v) => v.trim()).join(',');
  if (got !== expected) {
    throw new DomainError(
      'invalid',
      `${spec.file} : en-tête inattendu « ${got.slice(0, 200)} » ; attendu « ${expected} ».`,
      'en-tête',
    );
  }
  const index = new Map(spec.columns.map((c, i) => [c, i]));
  const rows: T[] = [];
  for (let r = 1; r < records.length; r++) {
    const rec = records[r] as CsvRecord;
    if (rec.values.length !== spec.columns.length) {
      issues.push({
        line: rec.line,
        field: '*',
        message: `${rec.values.length} colonnes au lieu de ${spec.columns.length}.`,
      });
      continue;
    }
    const get = (column: string) => {
      const i = index.get(column);
      if (i === undefined) throw new Error(`colonne inconnue ${column}`);
      return (rec.values[i] as string).trim();
    };
    try {
      rows.push(spec.row(get));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      issues.push({ line: rec.line, field: e.field ?? '*', message: e.message });
    }
  }
  issues.sort((a, b) => a.line - b.line);
  return { rows, issues };
}
