import { CommuneCodes } from '../../domain/geography/index.js';
import { readDataFileSync } from '../snapshots/data-file.js';
import { BUNDLED_SNAPSHOTS, COMMUNE_CODES } from '../snapshots/snapshot-files.js';

let cached: CommuneCodes | null = null;

/**
 * The communes' codes (snapshots/commune-codes.csv.gz, from the pinned @etalab/decoupage-administratif):
 * what checking `commune_usager` needs, without loading the whole commune registry. Read once.
 */
export function loadCommuneCodes(dir: string = BUNDLED_SNAPSHOTS): CommuneCodes {
  if (dir === BUNDLED_SNAPSHOTS && cached) return cached;
  const file = readDataFileSync(dir, COMMUNE_CODES);
  if (!file) throw new Error(`Fichier des codes des communes absent : ${COMMUNE_CODES}(.gz) dans ${dir}.`);
  const codes = CommuneCodes.parse(file.text);
  if (dir === BUNDLED_SNAPSHOTS) cached = codes;
  return codes;
}
