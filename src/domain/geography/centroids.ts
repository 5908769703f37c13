import { parse } from 'csv-parse/sync';
import type { RowIssue } from '../shared/errors.js';
import type { LatLng } from '../shared/geo.js';

const REQUIRED = ['code_insee', 'latitude', 'longitude'] as const;

/** A row reduced to the wanted columns (undefined where the row is too short). */
type Fields = ReadonlyArray<string | undefined>;

interface Table {
  readonly header: readonly string[];
  /** Each row after the header, reduced to `columns`, with its number among the non-empty rows (header: 1). */
  forEachRow(columns: readonly number[], visit: (fields: Fields, line: number) => void): void;
}

/**
 * Reads communes-centroids.csv (format in ../shared/data/README.md). Each row is accepted or reported
 * with its line number; a wrong header refuses the file.
 */
export function parseCentroidsCsv(text: string): { centroids: Map<string, LatLng>; issues: RowIssue[] } {
  const body = text.replace(/^\uFEFF/, '');
  // Read at every start (35,000 rows): a file without quotes nor lone carriage returns, as the shared data and
  // `ref sync` write it, is read line by line, keeping only the three columns (about 10 × faster than the CSV
  // reader, which builds every field of every row). Both give the same rows.
  const table = /"|\r(?!\n)/.test(body) ? csvTable(body) : plainTable(body);
  const index = Object.fromEntries(REQUIRED.map((c) => [c, table.header.indexOf(c)])) as Record<
    (typeof REQUIRED)[number],
    number
  >;
  const missing = REQUIRED.filter((c) => index[c] < 0);
  if (missing.length > 0) {
    return {
      centroids: new Map(),
      issues: [{ line: 1, field: missing.join(', '), message: `Colonnes absentes : ${missing.join(', ')}.` }],
    };
  }
  const centroids = new Map<string, LatLng>();
  const issues: RowIssue[] = [];
  table.forEachRow([index.code_insee, index.latitude, index.longitude], ([rawCode, rawLat, rawLon], line) => {
    const code = rawCode?.trim() ?? '';
    const lat = toNumber(rawLat);
    const lon = toNumber(rawLon);
    if (!/^(?:\d{2}|2[AB])\d{3}$/.test(code)) {
      issues.push({ line, field: 'code_insee', message: `Code INSEE invalide : « ${code} ».` });
    } else if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      issues.push({ line, field: 'latitude', message: 'Coordonnées absentes ou invalides.' });
    } else {
      centroids.set(code, Object.freeze({ lat, lon }));
    }
  });
  return { centroids, issues };
}

const toNumber = (text: string | undefined) =>
  text?.trim() ? Number(text.trim().replace(',', '.')) : Number.NaN;

/** Any CSV (quoted fields, line breaks inside quotes), through the general reader. */
function csvTable(body: string): Table {
  const rows = parse(body, {
    columns: false,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as string[][];
  return {
    header: rows[0] ?? [],
    forEachRow(columns, visit) {
      for (let i = 1; i < rows.length; i++) {
        const row = rows[i] as string[];
        visit(
          columns.map((c) => row[c]),
          i + 1,
        );
      }
    },
  };
}

/** A CSV without quotes: one row per non-empty line, fields between commas. */
function plainTable(body: string): Table {
  const lines = body.split(/\r?\n/).filter((l) => l !== '');
  return {
    header: lines[0]?.split(',') ?? [],
    forEachRow(columns, visit) {
      for (let i = 1; i < lines.length; i++) visit(pick(lines[i] as string, columns), i + 1);
    },
  };
}

/** The fields of one line at the given column numbers, found by walking its commas. */
function pick(line: string, columns: readonly number[]): Fields {
  const last = Math.max(...columns);
  const found: Array<string | undefined> = [];
  let start = 0;
  for (let column = 0; column <= last && start <= line.length; column++) {
    const comma = line.indexOf(',', start);
    const end = comma < 0 ? line.length : comma;
    found[column] = line.slice(start, end);
    start = comma < 0 ? line.length + 1 : comma + 1;
  }
  return columns.map((c) => found[c]);
}
