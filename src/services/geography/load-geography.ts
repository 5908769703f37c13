import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { type CommuneRecord, CommuneRegistry, parseCentroidsCsv } from '../../domain/geography/index.js';
import { dataFilePath, readDataFileSync } from '../snapshots/data-file.js';

const require = createRequire(import.meta.url);

interface EpciRecord {
  readonly code: string;
  readonly nom: string;
  readonly membres: ReadonlyArray<{ readonly code: string }>;
}

export interface Geography {
  readonly communes: CommuneRegistry;
  readonly departements: ReadonlyMap<string, { code: string; name: string; region: string }>;
  readonly regions: ReadonlyMap<string, { code: string; name: string }>;
  readonly epci: ReadonlyMap<string, { code: string; name: string }>;
  /** Why centroids are missing, in French, for the pages; null when present. */
  readonly centroidsProblem: string | null;
}

/**
 * Communes, departments, regions and EPCI from @etalab/decoupage-administratif (the official yearly
 * package); commune centroids from communes-centroids.csv(.gz) in the reference folder (MAILLAGE_REF_DIR,
 * or the bundled snapshots when it is not set).
 */
export function loadGeography(refDir: string | null, logger?: Logger): Geography {
  const records = require('@etalab/decoupage-administratif/data/communes.json') as CommuneRecord[];
  const epciRecords = require('@etalab/decoupage-administratif/data/epci.json') as EpciRecord[];
  const deps = require('@etalab/decoupage-administratif/data/departements.json') as Array<{
    code: string;
    nom: string;
    region: string;
  }>;
  const regs = require('@etalab/decoupage-administratif/data/regions.json') as Array<{
    code: string;
    nom: string;
  }>;

  let centroids = null;
  let centroidsProblem: string | null = null;
  // The plain file or its gzip snapshot (the bundled snapshots/ folder holds communes-centroids.csv.gz).
  const file = refDir ? dataFilePath(refDir, 'communes-centroids.csv') : null;
  if (!refDir) {
    centroidsProblem = 'Le dossier de données de référence (MAILLAGE_REF_DIR) n’est pas configuré.';
  } else if (!file) {
    centroidsProblem =
      'Le fichier des centres des communes (communes-centroids.csv) est absent du dossier de référence.';
    logger?.warn({ refDir }, 'centroïdes absents');
  } else {
    const parsed = parseCentroidsCsv(readDataFileSync(refDir, 'communes-centroids.csv')?.text ?? '');
    centroids = parsed.centroids;
    if (parsed.issues.length > 0) {
      logger?.warn(
        { file, issues: parsed.issues.slice(0, 20), count: parsed.issues.length },
        'centroïdes : lignes rejetées',
      );
    }
    if (centroids.size === 0)
      centroidsProblem = `Le fichier des centres des communes est illisible (${file}).`;
  }
  if (centroidsProblem) logger?.warn(centroidsProblem);

  return {
    communes: new CommuneRegistry({
      records,
      epciMembers: new Map(epciRecords.map((e) => [e.code, e.membres.map((m) => m.code)])),
      centroids,
    }),
    departements: new Map(deps.map((d) => [d.code, { code: d.code, name: d.nom, region: d.region }])),
    regions: new Map(regs.map((r) => [r.code, { code: r.code, name: r.nom }])),
    epci: new Map(epciRecords.map((e) => [e.code, { code: e.code, name: e.nom }])),
    centroidsProblem,
  };
}
