import { stringify } from 'csv-stringify/sync';

/**
 * The ONE CSV writer (security review, finding 10), over `csv-stringify`: the public directory
 * export, the labelling pipeline and the territory tables all write through it, with one rule
 * against spreadsheet formula injection.
 *
 * The rule (OWASP, "CSV Injection"): a text cell starting with `=`, `+`, `-`, `@`, a tab or a
 * carriage return is prefixed with `'`, so a spreadsheet shows it as text instead of evaluating it.
 * Numbers are numbers, never touched (longitudes are negative). A text cell that is only a signed
 * number or a telephone number (`+33 3 23 61 00 00`, `-1,5`) cannot carry a formula and is kept as
 * is, so files stay faithful to their source where nothing is dangerous.
 */
export type CsvValue = string | number | boolean | null | undefined;

const HARMLESS_SIGNED = /^[+-][\d\s.,()/]*$/;

export function neutraliseFormula(value: string): string {
  if (value === '' || !/^[=+\-@\t\r]/.test(value)) return value;
  if (HARMLESS_SIGNED.test(value)) return value;
  return `'${value}`;
}

export interface CsvOptions {
  /** `,` (default) or `;` (French spreadsheets). */
  readonly delimiter?: ',' | ';';
  /** `\n` (default) or `\r\n`. */
  readonly recordDelimiter?: '\n' | '\r\n';
  /** A UTF-8 byte-order mark, so spreadsheets read the accents. */
  readonly bom?: boolean;
  /** Quote every text cell (the official data.gouv.fr file does); otherwise only when needed. */
  readonly quoteText?: boolean;
}

/** Rows (the first one usually the header) → CSV text, every cell through the one rule. */
export function writeCsv(rows: readonly (readonly CsvValue[])[], options: CsvOptions = {}): string {
  const records = rows.map((r) =>
    r.map((v) => {
      if (v === null || v === undefined || v === '') return null;
      if (typeof v === 'number') return Number.isFinite(v) ? v : null;
      if (typeof v === 'boolean') return v;
      return neutraliseFormula(v);
    }),
  );
  return stringify(records as unknown[][], {
    delimiter: options.delimiter ?? ',',
    record_delimiter: options.recordDelimiter === '\r\n' ? 'windows' : 'unix',
    bom: options.bom ?? false,
    quoted_string: options.quoteText ?? false,
    cast: { number: (n) => String(n), boolean: (b) => (b ? 'Oui' : 'Non') },
  });
}
