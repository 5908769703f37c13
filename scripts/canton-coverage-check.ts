/**
 * `npx tsx scripts/canton-coverage-check.ts [--ref <dossier>] [--outlines <dossier>]…`: the figures of
 * docs/COVERAGE.md on exact canton coverage. Prints the two commune-based bounds, the exact count with
 * the outlines of each folder given, how structures of split communes were placed, and how many
 * change canton from the first outlines folder to each other one (full vs snapshot outlines).
 */

import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  boundByBureau,
  type CantonOutlines,
  coveredCantons,
  Network,
  type ReferenceGeography,
} from '../src/domain/territory/index.js';
import { readDataFile } from '../src/services/snapshots/data-file.js';
import { BUNDLED_SNAPSHOTS, SNAPSHOT_STRUCTURES } from '../src/services/snapshots/snapshot-files.js';
import {
  readCantonOutlines,
  readReferenceFolder,
  readStructuresCsv,
  referenceGeographyFromFolder,
} from '../src/services/territory/reference-folder.js';

const { values } = parseArgs({
  options: {
    ref: { type: 'string', default: '../shared/data' },
    outlines: { type: 'string', multiple: true, default: ['../shared/data', BUNDLED_SNAPSHOTS] },
  },
});
const refDir = values.ref as string;
const folder = await readReferenceFolder(refDir);
const csv = await readDataFile(refDir, SNAPSHOT_STRUCTURES);
if (!csv) throw new Error(`${SNAPSHOT_STRUCTURES} absent de ${refDir}`);
const tmp = join(await mkdtemp(join(tmpdir(), 'maillage-cantons-')), SNAPSHOT_STRUCTURES);
await writeFile(tmp, csv.text);
const sites = await readStructuresCsv(tmp);

const plain = referenceGeographyFromFolder(folder);
const whole = (ref: ReferenceGeography) => {
  const network = new Network(ref, sites);
  const covered = new Set<string>();
  for (const p of network.placed) if (p.city.cantonType === 'C' && p.city.canton) covered.add(p.city.canton);
  return { network, covered };
};
const base = whole(plain);
const upper = boundByBureau(base.network);
const out: string[] = [
  `structures placées : ${base.network.placed.length}`,
  `borne basse (communes entières seulement) : ${base.covered.size}`,
  `borne haute (bureau centralisateur) : ${upper.size}`,
];
const assignments: Array<Map<string, string | null>> = [];
for (const dir of values.outlines as string[]) {
  const read = await readCantonOutlines(dir);
  if (!read) {
    out.push(`${dir} : pas de contours`);
    continue;
  }
  const outlines: CantonOutlines = read.outlines;
  const ref = referenceGeographyFromFolder(folder);
  (ref as { cantonOutlines: CantonOutlines | null }).cantonOutlines = outlines;
  const network = new Network(ref, sites);
  const exact = coveredCantons(network);
  const placedBy = new Map<string, string | null>();
  let inside = 0;
  let nearest = 0;
  let none = 0;
  for (const p of network.placed) {
    if (!p.city.canton || p.city.cantonType === 'C') continue;
    const code = outlines.locate(p.city.departement, p.lon, p.lat);
    const strict = outlines.shapes.some(
      (s) => s.code === code && s.polygons.some((poly) => pointIn(poly, p.lon, p.lat)),
    );
    placedBy.set(p.site.id, code);
    if (!code) none++;
    else if (strict) inside++;
    else nearest++;
  }
  assignments.push(placedBy);
  out.push(
    `${dir} : ${outlines.size} contours, ${exact.size} cantons couverts (exact) ; ` +
      `${placedBy.size} structures en commune partagée : ${inside} dans un contour, ${nearest} au plus proche (≤ 2 km), ${none} sans canton ; ` +
      `${read.issues.length} contour(s) rejeté(s)`,
  );
}
const [first, ...others] = assignments;
for (const [i, other] of others.entries()) {
  let changed = 0;
  for (const [id, code] of first ?? []) if (other.get(id) !== code) changed++;
  out.push(`structures qui changent de canton entre le 1er jeu de contours et le n° ${i + 2} : ${changed}`);
}
process.stdout.write(`${out.join('\n')}\n`);

import { pointInPolygon as pointIn } from '../src/domain/territory/index.js';
