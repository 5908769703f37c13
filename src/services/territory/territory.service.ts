import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { type ReferenceTables, TerritoryRepository } from '../../db/repositories/territory.repository.js';
import { DomainError, type RowIssue } from '../../domain/shared/errors.js';
import {
  attachExact,
  type CantonOutlines,
  type CoverageIndicators,
  checkPlanRequest,
  computeCoverage,
  type DepartementOutline,
  type DeploymentTimeline,
  deploymentTimeline,
  Network,
  onePerCanton,
  type PlanRequest,
  type PlanResult,
  parseTerritory,
  type ReferenceGeography,
  roadPopulation,
  type StructureSite,
  siteKind,
  solvePlan,
  type Territory,
  type TravelModel,
  type TravelTimeMatrix,
  travelModel,
  type UncoveredCanton,
  uncoveredCantons,
  type WhatIfChange,
  whatIf,
} from '../../domain/territory/index.js';
import { ExactSolver } from './exact-solver.js';
import { OsrmMatrix } from './osrm-matrix.js';
import {
  folderIssues,
  readCantonOutlines,
  readReferenceFolder,
  referenceGeographyFromRows,
} from './reference-folder.js';

export interface RefLoadReport {
  loaded: boolean;
  files: Array<{ file: string; vintage: string; rows: number }>;
  issues: Array<RowIssue & { file: string }>;
  ms: number;
}

interface RefState {
  referenceGeography: ReferenceGeography;
  outlines: readonly DepartementOutline[];
  source: 'database' | 'folder';
  files: Array<{ file: string; vintage: string; rows: number }>;
}

export interface ChildRow {
  code: string;
  label: string;
  indicators: CoverageIndicators;
}

export interface MapData {
  areas: Array<{
    code: string;
    label: string;
    value: number | null;
    href: string;
    geometry: DepartementOutline['geometry'];
  }>;
  points: Array<{
    lon: number;
    lat: number;
    label: string;
    kind: 'structure' | 'covered' | 'uncovered' | 'proposed';
  }>;
}

export interface TerritoryReport {
  territory: Territory;
  indicators: CoverageIndicators;
  children: ChildRow[];
  uncovered: UncoveredCanton[];
  timeline: DeploymentTimeline;
  parent: { code: string; label: string } | null;
}

const NO_REFERENCE =
  'Les données de référence ne sont pas chargées : lancez « npx maillage ref load <dossier> » ou définissez MAILLAGE_REF_DIR.';

/**
 * Territory capability service: loads the reference geography (database first, else
 * MAILLAGE_REF_DIR), keeps the network of structures in step with the directory, and answers
 * coverage, reports and plans. The exact solver runs in a worker thread.
 */
export class TerritoryService {
  readonly repo: TerritoryRepository;
  readonly model: TravelModel;
  readonly exact: ExactSolver;
  /** Road times from OSRM `/table` when MAILLAGE_OSRM_URL is set. */
  readonly matrix: TravelTimeMatrix | null;
  private state: Promise<RefState> | null = null;
  private network: { version: string; network: Promise<Network> } | null = null;

  constructor(
    db: Db,
    private readonly config: Config,
    private readonly logger?: Logger,
    model: TravelModel = travelModel(),
  ) {
    this.repo = new TerritoryRepository(db);
    this.model = model;
    this.exact = new ExactSolver();
    this.matrix = config.osrmUrl ? new OsrmMatrix(config.osrmUrl) : null;
  }

  /** `maillage ref load <dir>`: validates every row of every file; loads all or nothing. */
  async loadFolder(dir: string): Promise<RefLoadReport> {
    const t0 = performance.now();
    const folder = await readReferenceFolder(dir);
    const issues = folderIssues(folder);
    const files = (Object.keys(folder.files) as Array<keyof typeof folder.files>).map((key) => ({
      file: folder.files[key].name,
      vintage: folder.files[key].vintage,
      rows: folder[key].rows.length,
      sha256: folder.files[key].sha256,
      source_dir: dir,
    }));
    if (issues.length > 0) {
      return {
        loaded: false,
        files: files.map(({ file, vintage, rows }) => ({ file, vintage, rows })),
        issues,
        ms: Math.round(performance.now() - t0),
      };
    }
    const tables: ReferenceTables = {
      communes: folder.communes.rows,
      communeCantons: folder.communeCantons.rows,
      cantons: folder.cantons.rows,
      densite: folder.densite.rows,
      zrr: folder.zrr.rows,
      qpv: folder.qpv.rows,
      qpvCommunes: folder.qpvCommunes.rows,
      departements: folder.departements.rows,
    };
    // The joined reference geography must build before anything is written (e.g. unknown parent commune).
    referenceGeographyFromRows(tables);
    await this.repo.replaceAll(tables, files);
    this.state = null;
    this.network = null;
    return {
      loaded: true,
      files: files.map(({ file, vintage, rows }) => ({ file, vintage, rows })),
      issues: [],
      ms: Math.round(performance.now() - t0),
    };
  }

  /** Starts loading in the background (server start); errors are logged, not thrown. */
  warmUp(): void {
    this.reference().then(
      (s) => this.logger?.info({ source: s.source }, 'territoire : référentiel chargé'),
      (e) =>
        this.logger?.warn(
          { err: e instanceof Error ? e.message : String(e) },
          'territoire : référentiel indisponible',
        ),
    );
  }

  reference(): Promise<RefState> {
    if (!this.state) {
      const p = this.readState();
      this.state = p;
      p.catch(() => {
        if (this.state === p) this.state = null;
      });
    }
    return this.state;
  }

  /** Canton outlines from the reference folder (MAILLAGE_REF_DIR or the bundled snapshots); null when absent. */
  private async cantonOutlines(): Promise<CantonOutlines | null> {
    if (!this.config.refDir) return null;
    try {
      const read = await readCantonOutlines(this.config.refDir);
      if (!read) {
        this.logger?.warn('territoire : pas de contours de cantons, couverture des cantons en borne haute');
        return null;
      }
      if (read.issues.length)
        this.logger?.warn(
          { count: read.issues.length, first: read.issues.slice(0, 5) },
          'contours de cantons',
        );
      return read.outlines;
    } catch (e) {
      this.logger?.warn(
        { err: e instanceof Error ? e.message : String(e) },
        'contours de cantons illisibles',
      );
      return null;
    }
  }

  private async readState(): Promise<RefState> {
    const cantonOutlines = await this.cantonOutlines();
    if (await this.repo.isLoaded()) {
      const tables = await this.repo.readAll();
      const files = (await this.repo.files()).map(({ file, vintage, rows }) => ({ file, vintage, rows }));
      return {
        referenceGeography: referenceGeographyFromRows({ ...tables, cantonOutlines }),
        outlines: tables.departements,
        source: 'database',
        files,
      };
    }
    if (this.config.refDir) {
      const folder = await readReferenceFolder(this.config.refDir);
      const bad = folderIssues(folder);
      if (bad.length)
        this.logger?.warn({ count: bad.length, first: bad.slice(0, 5) }, 'territoire : lignes rejetées');
      const files = Object.values(folder.files).map((f) => ({ file: f.name, vintage: f.vintage, rows: 0 }));
      return {
        referenceGeography: referenceGeographyFromRows({
          communes: folder.communes.rows,
          communeCantons: folder.communeCantons.rows,
          cantons: folder.cantons.rows,
          densite: folder.densite.rows,
          zrr: folder.zrr.rows,
          qpv: folder.qpv.rows,
          cantonOutlines,
        }),
        outlines: folder.departements.rows,
        source: 'folder',
        files,
      };
    }
    throw new DomainError('unavailable', NO_REFERENCE, 'reference');
  }

  /** The network of open structures, rebuilt when the directory changes. */
  async currentNetwork(): Promise<Network> {
    const { referenceGeography } = await this.reference();
    const version = await this.repo.structuresVersion();
    if (!this.network || this.network.version !== version) {
      const rows = await this.repo.structures();
      const sites: StructureSite[] = rows.map((r) => ({
        id: r.id_fs,
        name: r.name,
        codeInsee: r.code_insee,
        lat: r.lat,
        lon: r.lon,
        kind: siteKind(r.type, r.format),
        labelledOn: r.labelled_on,
      }));
      this.network = { version, network: Promise.resolve(new Network(referenceGeography, sites)) };
    }
    return this.network.network;
  }

  async territory(code: unknown): Promise<Territory> {
    const { referenceGeography } = await this.reference();
    return parseTerritory(referenceGeography, code);
  }

  /**
   * Indicators of a territory. With `travel: 'osrm'`, the population within 10/20/30 min comes
   * from road times (OSRM) instead of the estimate; every other key is unchanged.
   */
  async coverage(
    code: unknown,
    options: { travel?: 'estimate' | 'osrm'; model?: TravelModel } = {},
  ): Promise<CoverageIndicators> {
    const territory = await this.territory(code);
    const network = await this.currentNetwork();
    const c = computeCoverage(network, territory, options.model ?? this.model);
    if (options.travel !== 'osrm') return c;
    if (!this.matrix) {
      throw new DomainError(
        'unavailable',
        'Aucun serveur d’itinéraires OSRM n’est configuré (MAILLAGE_OSRM_URL).',
        'travel',
      );
    }
    return { ...c, population: await roadPopulation(network, territory, this.matrix) };
  }

  /** Everything the dashboard page shows for a territory. */
  async report(code: unknown): Promise<TerritoryReport> {
    const territory = await this.territory(code);
    const network = await this.currentNetwork();
    const ref = network.ref;
    const indicators = computeCoverage(network, territory, this.model);
    const childCodes: string[] = [];
    let parent: TerritoryReport['parent'] = null;
    if (territory.kind === 'FR') {
      childCodes.push(
        ...[...new Set(ref.cities.filter((c) => territory.hasCity(c)).map((c) => c.region))].sort(),
      );
    } else if (territory.kind === 'reg') {
      const deps = new Set(ref.cities.filter((c) => c.region === territory.value).map((c) => c.departement));
      childCodes.push(...[...deps].sort().map((d) => `dep:${d}`));
      parent = { code: 'FR', label: 'France' };
    } else if (territory.kind === 'dep') {
      for (const c of ref.cantons.values())
        if (c.departement === territory.value && c.type === 'C') childCodes.push(`canton:${c.code}`);
      const region = ref.cities.find((c) => c.departement === territory.value)?.region;
      if (region)
        parent = { code: `reg:${region}`, label: ref.regionNames.get(region) ?? `Région ${region}` };
    } else if (territory.kind === 'canton') {
      const dep = ref.cantons.get(territory.value)?.departement;
      if (dep) parent = { code: `dep:${dep}`, label: ref.departementNames.get(dep) ?? `Département ${dep}` };
    }
    const children: ChildRow[] = [];
    for (const raw of childCodes) {
      const code = territory.kind === 'FR' ? `reg:${raw}` : raw;
      const t = parseTerritory(ref, code);
      children.push({ code: t.code, label: t.label, indicators: computeCoverage(network, t, this.model) });
    }
    return {
      territory,
      indicators,
      children,
      uncovered: uncoveredCantons(network, territory),
      timeline: deploymentTimeline(network, territory, indicators.cantons.total),
      parent,
    };
  }

  /** The plan: heuristic on this thread (fast), exact check in the worker with a time limit. */
  async plan(code: unknown, request: PlanRequest, model: TravelModel = this.model): Promise<PlanResult> {
    checkPlanRequest(request);
    const territory = await this.territory(code);
    const network = await this.currentNetwork();
    const { result, instance, heuristicObjective, t0 } = solvePlan(network, territory, request, model);
    let out = result;
    if (request.exact) {
      const ex = await this.exact.solve(instance, request.k);
      out = attachExact(result, heuristicObjective, ex);
    }
    return { ...out, ms: Math.round(performance.now() - t0) };
  }

  async onePerCanton(code: unknown, request: Omit<PlanRequest, 'k'>) {
    const territory = await this.territory(code);
    return onePerCanton(await this.currentNetwork(), territory, request, this.model);
  }

  async whatIf(code: unknown, change: WhatIfChange) {
    const territory = await this.territory(code);
    return whatIf(await this.currentNetwork(), territory, change, this.model);
  }

  private depShares: { network: Network; values: Map<string, number> } | null = null;

  /** Share of the population within 20 min, per department (cached per network). */
  private async departmentShares(network: Network): Promise<Map<string, number>> {
    if (this.depShares?.network === network) return this.depShares.values;
    const values = new Map<string, number>();
    const deps = new Set(network.ref.cities.map((c) => c.departement));
    for (const d of deps) {
      let t: Territory;
      try {
        t = parseTerritory(network.ref, `dep:${d}`);
      } catch {
        continue; // COM
      }
      const c = computeCoverage(network, t, this.model);
      if (c.population.total > 0) values.set(d, c.population.within20 / c.population.total);
    }
    this.depShares = { network, values };
    return values;
  }

  /** What the choropleth draws for a territory: department outlines with a value, and points. */
  async mapFor(territory: Territory): Promise<MapData> {
    const network = await this.currentNetwork();
    const { outlines } = await this.reference();
    const shares = await this.departmentShares(network);
    const ref = network.ref;
    const depsOf = new Set<string>();
    for (const c of ref.cities) if (territory.hasCity(c)) depsOf.add(c.departement);
    const areas = outlines
      .filter((o) => territory.kind === 'FR' || depsOf.has(o.code))
      .map((o) => ({
        code: o.code,
        label: `${o.nom} (${o.code})`,
        value: shares.get(o.code) ?? null,
        href: `/territoires/dep/${o.code}`,
        geometry: o.geometry,
      }));
    const points: MapData['points'] = [];
    if (territory.kind === 'dep' || territory.kind === 'canton' || territory.kind === 'epci') {
      const d = ref.demand;
      for (let i = 0; i < d.n; i++) {
        const city = ref.cities[d.city[i] as number];
        if (!city || !territory.hasCity(city)) continue;
        const minutes = this.model.minutes(network.nearestKm[i] as number, d.grille7[i] as 1);
        points.push({
          lon: d.lon[i] as number,
          lat: d.lat[i] as number,
          label: `${d.name[i]} : ${Math.round(minutes)} min estimées`,
          kind: minutes <= 20 ? 'covered' : 'uncovered',
        });
      }
      for (const p of network.placed) {
        if (!depsOf.has(p.city.departement)) continue;
        points.push({ lon: p.lon, lat: p.lat, label: p.site.name, kind: 'structure' });
      }
    }
    return { areas, points };
  }

  async close(): Promise<void> {
    await this.exact.close();
  }
}
