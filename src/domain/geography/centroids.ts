import { parse } from 'csv-parse/sync';
import type { RowIssue } from '../shared/errors.js';
import type { LatLng } from '../shared/geo.js';

const REQUIRED = ['code_insee', 'latitude', 'longitude'] as const;

/**
 * Reads communes-centroids.csv (format in ../shared/data/README.md). Each row is accepted or reported
 * with its line number; a wrong header refuses the file.
 */
export function parseCentroidsCsv(text: string): { centroids: Map<string, LatLng>; issues: RowIssue[] } {
  const rows = parse(text.replace(/^\uFEFF/, ''), {
    columns: false,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as string[][];
  const header = rows[0] ?? [];
  const index = Object.fromEntries(REQUIRED.map((c) => [c, header.indexOf(c)])) as Record<
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
  rows.slice(1).forEach((row, i) => {
    const line = i + 2;
    const code = row[index.code_insee]?.trim() ?? '';
    const lat = toNumber(row[index.latitude]);
    const lon = toNumber(row[index.longitude]);
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
