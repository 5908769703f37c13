import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { type CommuneRecord, CommuneRegistry, parseCentroidsCsv } from '../../domain/geography/index.js';
import type { LatLng } from '../../domain/shared/geo.js';
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

/** What the geography takes from @etalab/decoupage-administratif, as plain data. */
export interface PackageSources {
  /** The package's version: a compact copy made for another version is not used. */
  readonly version: string;
  /** Commune records, with only the fields the registry reads. */
  readonly records: CommuneRecord[];
  readonly epci: Array<{ code: string; nom: string; membres: string[] }>;
  readonly departements: Array<{ code: string; nom: string; region: string }>;
  readonly regions: Array<{ code: string; nom: string }>;
}

const packageVersion = () =>
  (require('@etalab/decoupage-administratif/package.json') as { version: string }).version;

/** Reads the package's JSON files (12 MB): about 0.4 s, most of the geography's cost at each start. */
export function readPackageSources(): PackageSources {
  const all = require('@etalab/decoupage-administratif/data/communes.json') as CommuneRecord[];
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
  return {
    version: packageVersion(),
    records: all.map(
      (r): CommuneRecord => ({
        code: r.code,
        nom: r.nom,
        type: r.type,
        departement: r.departement,
        region: r.region,
        codesPostaux: r.codesPostaux,
        population: r.population,
        anciensCodes: r.anciensCodes,
        chefLieu: r.chefLieu,
        commune: r.commune,
      }),
    ),
    epci: epciRecords.map((e) => ({ code: e.code, nom: e.nom, membres: e.membres.map((m) => m.code) })),
    departements: deps.map((d) => ({ code: d.code, nom: d.nom, region: d.region })),
    regions: regs.map((r) => ({ code: r.code, nom: r.nom })),
  };
}

/**
 * The compact copy of the package's sources that `npm run build` writes beside the compiled module
 * (scripts/build.mjs): 5.6 MB of JSON instead of 12.6 MB, parsed in about 0.2 s (issue 16, item 3). Used
 * only when it was made from the installed version; otherwise (the sources under tsx, the tests, a
 * package updated without a build) the package itself is read.
 */
export const COMPACT_PACKAGE_SOURCES = 'communes-compact.json';

export function loadPackageSources(): PackageSources {
  try {
    const compact = JSON.parse(
      readFileSync(new URL(`./${COMPACT_PACKAGE_SOURCES}`, import.meta.url), 'utf8'),
    ) as PackageSources;
    if (compact.version === packageVersion()) return compact;
  } catch {
    // no compact copy here: read the package
  }
  return readPackageSources();
}

/**
 * Communes, departments, regions and EPCI from @etalab/decoupage-administratif (the official yearly
 * package); commune centroids from communes-centroids.csv(.gz) in the reference folder (MAILLAGE_REF_DIR,
 * or the bundled snapshots when it is not set).
 */
export function loadGeography(refDir: string | null, logger?: Logger): Geography {
  const sources = loadPackageSources();
  let centroids: Map<string, LatLng> | null = null;
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
      records: sources.records,
      epciMembers: new Map(sources.epci.map((e) => [e.code, e.membres])),
      centroids,
    }),
    departements: new Map(
      sources.departements.map((d) => [d.code, { code: d.code, name: d.nom, region: d.region }]),
    ),
    regions: new Map(sources.regions.map((r) => [r.code, { code: r.code, name: r.nom }])),
    epci: new Map(sources.epci.map((e) => [e.code, { code: e.code, name: e.nom }])),
    centroidsProblem,
  };
}
