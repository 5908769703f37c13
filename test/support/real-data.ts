import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readDataFileSync } from '../../src/services/snapshots/data-file.js';
import { BUNDLED_SNAPSHOTS } from '../../src/services/snapshots/snapshot-files.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** ../shared/data: the full real open data, when it sits beside the repo (never copied into it). */
export const SHARED_DATA = join(repoRoot, '..', 'shared', 'data');
// MAILLAGE_TEST_REAL_DATA=snapshots runs them on the snapshots even here, as on a fresh clone.
export const hasSharedData =
  process.env.MAILLAGE_TEST_REAL_DATA !== 'snapshots' &&
  existsSync(join(SHARED_DATA, 'france-services-2024-08.csv'));

/**
 * Where real-data tests read: ../shared/data when present, the bundled snapshots otherwise, so that
 * they never skip for lack of data. Both hold the same files (plain, or `.gz` in the snapshots).
 */
export const REAL_DATA = hasSharedData ? SHARED_DATA : BUNDLED_SNAPSHOTS;

/** A real-data file's text, by its reference name (plain or gzip snapshot). */
export function readRealText(name: string): string {
  const file = readDataFileSync(REAL_DATA, name);
  if (!file) throw new Error(`${name} absent de ${REAL_DATA} : lancez npm run snapshots:build.`);
  return file.text;
}
