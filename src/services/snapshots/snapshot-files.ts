/**
 * The files bundled in snapshots/ (each as `<name>.gz`), with what the build trims. The names are
 * those of the reference folder format (../shared/data/README.md), so a snapshot folder is a
 * reference folder: every reader goes through data-file.ts, which takes `name` or `name.gz`.
 */
import { fileURLToPath } from 'node:url';

export interface SnapshotFile {
  readonly name: string;
  /** CSV columns the app never reads: emptied, header kept. */
  readonly blankColumns?: readonly string[];
  /** GeoJSON: coordinates rounded to this many decimals. */
  readonly roundDecimals?: number;
}

/** The official list of structures in the snapshot (data.gouv.fr, August 2024). */
export const SNAPSHOT_STRUCTURES = 'france-services-2024-08.csv';
/** Outlines of the true cantons (exact canton coverage). */
export const CANTON_OUTLINES = 'cantons-2025.geojson';

export const SNAPSHOT_FILES: readonly SnapshotFile[] = [
  { name: SNAPSHOT_STRUCTURES },
  { name: 'communes-centroids.csv', blankColumns: ['codes_postaux', 'centroid_source'] },
  { name: 'communes-cantons.csv', blankColumns: ['nom', 'canton_nom'] },
  { name: 'cantons.csv' },
  {
    name: 'grille-densite.csv',
    blankColumns: ['nom', 'grille_densite_7_libelle', 'grille_densite_4_libelle'],
  },
  { name: 'zrr.csv', blankColumns: ['nom', 'zrr_2018_observatoire', 'note'] },
  { name: 'qpv.csv' },
  { name: 'qpv-communes.csv' },
  { name: 'departements.geojson', roundDecimals: 4 },
  // Kept at full precision: point-in-polygon on simplified outlines would move structures (docs/COVERAGE.md).
  { name: CANTON_OUTLINES },
];

/**
 * Derived from @etalab/decoupage-administratif (not from a reference folder): every code a commune
 * answers to and its current code (CommuneCodes). Read from the bundled folder whatever MAILLAGE_REF_DIR
 * says, since it follows the pinned package, not the reference data.
 */
export const COMMUNE_CODES = 'commune-codes.csv';

/** The bundled snapshot folder (repo root/snapshots), the reference folder when MAILLAGE_REF_DIR is unset. */
export const BUNDLED_SNAPSHOTS = fileURLToPath(new URL('../../../snapshots/', import.meta.url));
