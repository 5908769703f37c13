/**
 * `npm run snapshots:build [-- --from <dossier>] [-- --out <dossier>]`: rebuilds the bundled snapshots
 * (snapshots/*.gz) from a reference folder in the format of ../shared/data (default ../shared/data).
 * Reproducible: the same input gives byte-identical output (gzip without a timestamp or file name).
 * Columns the app never reads are emptied (the headers stay, so the same parsers read both), and
 * every snapshot must stay ≤ 1 MB.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CommuneCodes, type CommuneRecord } from '../src/domain/geography/index.js';
import { readCsv } from '../src/domain/territory/csv.js';
import {
  COMMUNE_CODES,
  SNAPSHOT_FILES,
  type SnapshotFile,
} from '../src/services/snapshots/snapshot-files.js';

const MAX_BYTES = 1024 * 1024;

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: '../shared/data' },
    out: { type: 'string', default: 'snapshots' },
  },
});
const from = resolve(values.from as string);
const out = resolve(values.out as string);

const quote = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/** Same header, same rows, the listed columns emptied. */
function blankColumns(text: string, blank: readonly string[]): string {
  const { records, issues } = readCsv(text);
  if (issues.length) throw new Error(`CSV illisible : ${issues[0]?.message}`);
  const header = records[0]?.values ?? [];
  const drop = new Set(blank.map((c) => header.indexOf(c)));
  if (drop.has(-1)) throw new Error(`colonne absente parmi ${blank.join(', ')}`);
  return `${records
    .map((r, i) => r.values.map((v, j) => (i > 0 && drop.has(j) ? '' : quote(v))).join(','))
    .join('\n')}\n`;
}

/** Coordinates rounded to `decimals` (4 ≈ 11 m: what a department map shows), other members untouched. */
function roundGeoJson(text: string, decimals: number): string {
  const k = 10 ** decimals;
  const round = (c: unknown): unknown =>
    Array.isArray(c) ? c.map(round) : typeof c === 'number' ? Math.round(c * k) / k : c;
  const doc = JSON.parse(text) as { features: Array<{ geometry: { coordinates: unknown } }> };
  for (const f of doc.features) f.geometry.coordinates = round(f.geometry.coordinates);
  return JSON.stringify(doc);
}

function transform(file: SnapshotFile, text: string): string {
  if (file.blankColumns) return blankColumns(text, file.blankColumns);
  if (file.roundDecimals !== undefined) return roundGeoJson(text, file.roundDecimals);
  return text; // verbatim: the structures list must export back exactly as published
}

await mkdir(out, { recursive: true });
let failed = false;
async function write(name: string, sourceLength: number, text: string) {
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  await writeFile(join(out, `${name}.gz`), gz);
  const ok = gz.length <= MAX_BYTES;
  failed ||= !ok;
  process.stdout.write(
    `${`${name}.gz`.padEnd(34)} ${String(sourceLength).padStart(9)} → ${String(gz.length).padStart(8)} octets${ok ? '' : '  TROP GROS (> 1 Mo)'}\n`,
  );
}
for (const file of SNAPSHOT_FILES) {
  const source = await readFile(join(from, file.name), 'utf8');
  await write(file.name, source.length, transform(file, source));
}
// The commune codes come from the pinned @etalab/decoupage-administratif, not from the reference folder.
const communesJson = createRequire(import.meta.url).resolve(
  '@etalab/decoupage-administratif/data/communes.json',
);
const communesText = await readFile(communesJson, 'utf8');
await write(
  COMMUNE_CODES,
  communesText.length,
  CommuneCodes.fromRecords(JSON.parse(communesText) as CommuneRecord[]).toCsv(),
);
if (failed) process.exit(1);
