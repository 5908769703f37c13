import type { Db } from '../../db/database.js';
import * as records from '../../db/repositories/accompagnement.repository.js';
import {
  findStructureById,
  statusCountsAt,
  structureStatusHistories,
} from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/pilotage.repository.js';
import {
  CANAL_LABELS,
  CANAUX,
  isCom,
  localDayRange,
  PARTENAIRE_LABELS,
  PARTENAIRES,
  parseStatsDimension,
  parseStatsRange,
  parseStatsTerritory,
  RESULTAT_LABELS,
  type StatsReport,
  type StatsTerritory,
  statsReport,
} from '../../domain/accompagnement/index.js';
import { can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import {
  crisisSeries,
  demarcheTable,
  INDICATOR_DIMENSIONS,
  type IndicatorDimension,
  NO_DEMARCHE,
  openDataTable,
  parseIndicatorDimension,
  parseIndicatorQuery,
  parseOpenDataBy,
  parsePeriod,
  parseThreshold,
  planRange,
  REMOTE_CHANNELS,
  receivingByWeek,
  rollupDimensionOf,
  weeksOf,
} from '../../domain/pilotage/index.js';
import { invalid, notFound } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import { latestLocalDate, METROPOLITAN_ZONE, timeZoneOf } from '../../domain/shared/time-zone.js';
import type { AccompagnementService } from '../accompagnement/accompagnement.service.js';
import type { Geography } from '../geography/load-geography.js';
import { dayWindow, type PilotageRollups } from './rollups.service.js';
import type { SurveyService } from './survey.service.js';

/** A territory resolved: the departments it spans, or one structure (department or structure rollups). */
export interface ResolvedTerritory {
  readonly code: string;
  readonly kind: StatsTerritory['kind'];
  readonly label: string;
  readonly departements: readonly string[];
  readonly structure: { readonly id: string; readonly idFs: string; readonly name: string } | null;
  /** What the policy is asked about. */
  readonly target: { structureId?: string; departement?: string };
}

export interface LabelledGroup {
  readonly key: string;
  readonly label: string;
  readonly count: number;
  readonly share: number;
  readonly minutes: number;
}

export interface Dashboard {
  readonly territory: ResolvedTerritory;
  readonly from: string;
  readonly to: string;
  readonly total: number;
  readonly minutes: { readonly total: number; readonly mean: number };
  readonly remote: { readonly count: number; readonly share: number };
  readonly tables: Readonly<Record<IndicatorDimension, readonly LabelledGroup[]>>;
  /** Months of the range whose figures an import has just changed and are being rebuilt (first days). */
  readonly recalculating: readonly string[];
}

export const DIMENSION_LABELS: Record<IndicatorDimension, string> = {
  mois: 'Mois',
  partenaire: 'Partenaire',
  demarche: 'Démarche',
  canal: 'Canal',
  resultat: 'Résultat',
};

/** Indicators and dashboards of issue 14, read from the rollups (territories) or the records (a structure). */
export class PilotageService {
  constructor(
    private readonly db: Db,
    /** Read on first use (the CLI builds the commune registry only when a command needs it). */
    private readonly geographyOf: () => Geography,
    readonly rollups: PilotageRollups,
    private readonly accompagnement: AccompagnementService,
    private readonly clock: Clock,
    /** The default threshold of statistical secrecy (config `MAILLAGE_SECRET_THRESHOLD`, 11). */
    readonly secretThreshold: number,
    /** The satisfaction survey: links, anonymous answers, results. */
    readonly survey: SurveyService,
  ) {}

  /** The latest month anywhere in the network (the current one, whatever the zone). */
  currentMonth(): string {
    return latestLocalDate(this.clock.now()).slice(0, 7);
  }

  /**
   * The open-data table of a month (department × partner or channel) under statistical secrecy.
   * Everything is validated before the query; rows are the departments of metropolitan France and
   * the DROM with at least one record that month.
   */
  async openData(query: { period?: unknown; by?: unknown; threshold?: unknown }) {
    const period = parsePeriod(query.period, this.currentMonth());
    const by = parseOpenDataBy(query.by);
    const threshold = parseThreshold(query.threshold, this.secretThreshold);
    const rows = await repo.sumDimension(this.db, {
      dimension: by,
      departements: this.programmeDepartements(),
      months: { from: `${period}-01`, to: `${period}-01` },
      days: [],
      byDepartement: true,
    });
    const columns = by === 'partenaire' ? PARTENAIRES : CANAUX;
    return openDataTable(
      period,
      threshold,
      columns,
      rows.map((r) => ({ departement: r.departement ?? '', key: r.key, count: r.count })),
    );
  }

  /** National counts by démarche of a month, under statistical secrecy. */
  async openDataDemarches(query: { period?: unknown; threshold?: unknown }) {
    const period = parsePeriod(query.period, this.currentMonth());
    const threshold = parseThreshold(query.threshold, this.secretThreshold);
    const rows = await repo.sumDimension(this.db, {
      dimension: 'demarche',
      departements: this.programmeDepartements(),
      months: { from: `${period}-01`, to: `${period}-01` },
      days: [],
    });
    const catalogue = await this.accompagnement.catalogue();
    return demarcheTable(period, threshold, rows, (code) =>
      code === NO_DEMARCHE ? 'Démarche non renseignée' : (catalogue.get(code)?.label ?? code),
    );
  }

  /** Departments of metropolitan France and the DROM (COM excluded, as everywhere in the programme). */
  programmeDepartements(): string[] {
    return [...this.geographyOf().departements.keys()].filter((d) => !isCom(d)).sort();
  }

  async resolve(territory: StatsTerritory): Promise<ResolvedTerritory> {
    switch (territory.kind) {
      case 'FR':
        return {
          code: 'FR',
          kind: 'FR',
          label: 'France entière',
          departements: this.programmeDepartements(),
          structure: null,
          target: {},
        };
      case 'reg': {
        const region = this.geographyOf().regions.get(territory.value);
        const departements = [...this.geographyOf().departements.values()]
          .filter((d) => d.region === territory.value && !isCom(d.code))
          .map((d) => d.code)
          .sort();
        if (!region || departements.length === 0)
          throw invalid('territory', `Région inconnue : ${territory.value}.`);
        return {
          code: territory.code,
          kind: 'reg',
          label: region.name,
          departements,
          structure: null,
          target: {},
        };
      }
      case 'dep': {
        const d = this.geographyOf().departements.get(territory.value);
        if (!d) throw invalid('territory', `Département inconnu : ${territory.value}.`);
        return {
          code: territory.code,
          kind: 'dep',
          label: `${d.name} (${d.code})`,
          departements: [d.code],
          structure: null,
          target: { departement: d.code },
        };
      }
      case 'structure': {
        const s = await findStructureById(this.db, territory.value);
        if (!s) throw invalid('territory', `Structure inconnue : ${territory.value}.`);
        return {
          code: `structure:${s.idFs}`,
          kind: 'structure',
          label: s.name,
          departements: [s.departement],
          structure: { id: s.id, idFs: s.idFs, name: s.name },
          target: { structureId: s.id, departement: s.departement },
        };
      }
    }
  }

  /** The territory, checked against the policy: out of scope answers 404 (nothing leaks). */
  async authorise(territory: StatsTerritory, viewer: Principal | 'operator'): Promise<ResolvedTerritory> {
    const t = await this.resolve(territory);
    if (viewer !== 'operator' && !can(viewer, 'pilotage.dashboard', t.target))
      throw notFound('Ce territoire ne fait pas partie de votre périmètre.');
    return t;
  }

  /**
   * Count and minutes per group, from the rollups: a territory's department rows (day rows at the edges),
   * or a structure's month rows, with the partial months at the edges read from its own records.
   */
  async #aggregate(t: ResolvedTerritory, from: string, to: string, by: IndicatorDimension) {
    const plan = planRange(from, to);
    if (t.structure) return this.#aggregateStructure(t.structure.id, plan, by);
    const rows = await repo.sumDimension(this.db, {
      dimension: rollupDimensionOf(by),
      departements: t.departements,
      months: plan.months,
      days: plan.days,
      byMonth: by === 'mois',
    });
    return rows.map((r) => ({
      key: by === 'demarche' && r.key === NO_DEMARCHE ? null : r.key,
      count: r.count,
      minutes: r.minutes,
    }));
  }

  async #aggregateStructure(structureId: string, plan: ReturnType<typeof planRange>, by: IndicatorDimension) {
    const parts = await Promise.all([
      plan.months
        ? repo.sumStructureMonths(this.db, {
            structureId,
            dimension: rollupDimensionOf(by),
            months: plan.months,
            byMonth: by === 'mois',
          })
        : [],
      ...plan.days.map((d) =>
        records.aggregateRecords(this.db, { ...dayWindow(d.from, d.to), structureId }, by),
      ),
    ]);
    const sums = new Map<string | null, { key: string | null; count: number; minutes: number }>();
    for (const r of parts.flat()) {
      const key = by === 'demarche' && r.key === NO_DEMARCHE ? null : r.key;
      const cur = sums.get(key);
      if (cur) {
        cur.count += r.count;
        cur.minutes += r.minutes;
      } else sums.set(key, { key, count: r.count, minutes: r.minutes });
    }
    return [...sums.values()];
  }

  /**
   * `activity stats` (issue 12's command, same output), now read from the rollups for FR, regions and
   * departments. Keeps that command's own bounds (ten years).
   */
  async activityStats(query: {
    territory?: unknown;
    from?: unknown;
    to?: unknown;
    by?: unknown;
  }): Promise<StatsReport> {
    const territory = parseStatsTerritory(query.territory);
    const { from, to } = parseStatsRange(query.from, query.to);
    const by = parseStatsDimension(query.by);
    const t = await this.authorise(territory, 'operator');
    const rows = await this.#aggregate(t, from, to, by);
    return statsReport({ territory: territory.code, from, to, by }, rows);
  }

  /** One indicator (API): everything is validated before any query. */
  async indicator(
    query: { territory?: unknown; from?: unknown; to?: unknown; by?: unknown },
    viewer: Principal | 'operator',
  ): Promise<StatsReport> {
    const q = parseIndicatorQuery(query);
    const by = parseIndicatorDimension(query.by);
    const t = await this.authorise(q.territory, viewer);
    return statsReport(
      { territory: t.code, from: q.from, to: q.to, by },
      await this.#aggregate(t, q.from, q.to, by),
    );
  }

  /** Weekly crisis indicators of a territory, beside its status counts at the end of the range. */
  async crisis(query: { territory?: unknown; from?: unknown; to?: unknown }, viewer: Principal | 'operator') {
    const q = parseIndicatorQuery(query);
    const t = await this.authorise(q.territory, viewer);
    return { territory: t, ...(await this.crisisOf(t, q.from, q.to)) };
  }

  async crisisOf(t: ResolvedTerritory, from: string, to: string) {
    const weeks = weeksOf(from, to);
    const scope = t.structure ? { structureId: t.structure.id } : { departements: t.departements };
    const [histories, activity, statuses] = await Promise.all([
      structureStatusHistories(this.db, scope),
      repo.weeklyActivity(this.db, { fromMonday: weeks[0] ?? from, toMonday: weeks.at(-1) ?? to, ...scope }),
      t.structure
        ? Promise.resolve(null)
        : statusCountsAt(this.db, new Date(Date.parse(`${to}T00:00:00Z`) + 86_400_000), t.departements),
    ]);
    return { weeks: crisisSeries(weeks, receivingByWeek(weeks, histories), activity), statuses };
  }

  /** A dashboard query checked and authorised, without computing anything (the other sections' exports). */
  async scope(
    query: { territory?: unknown; from?: unknown; to?: unknown },
    viewer: Principal | 'operator',
  ): Promise<{ territory: ResolvedTerritory; from: string; to: string }> {
    const q = parseIndicatorQuery(query);
    return { territory: await this.authorise(q.territory, viewer), from: q.from, to: q.to };
  }

  /**
   * The instants a dashboard's local days cover, for the sections read from timestamps (escalations,
   * appointments): the department's own zone, metropolitan time for a region or France.
   */
  rangeInstants(t: ResolvedTerritory, from: string, to: string): { start: Date; end: Date } {
    const zone = t.departements.length === 1 ? timeZoneOf(t.departements[0]) : METROPOLITAN_ZONE;
    return localDayRange(from, to, zone);
  }

  /** The whole dashboard of a territory: every dimension, remote share, time spent. */
  async dashboard(
    query: { territory?: unknown; from?: unknown; to?: unknown },
    viewer: Principal | 'operator',
  ): Promise<Dashboard> {
    const q = parseIndicatorQuery(query);
    const t = await this.authorise(q.territory, viewer);
    const catalogue = await this.accompagnement.catalogue();
    const tables = {} as Record<IndicatorDimension, LabelledGroup[]>;
    let total = 0;
    let minutes = 0;
    for (const by of INDICATOR_DIMENSIONS) {
      const rows = await this.#aggregate(t, q.from, q.to, by);
      const report = statsReport({ territory: t.code, from: q.from, to: q.to, by }, rows);
      const minutesOf = new Map(rows.map((r) => [r.key ?? 'non_renseigne', r.minutes]));
      tables[by] = report.groups.map((g) => ({
        ...g,
        label: labelOf(by, g.key, catalogue),
        minutes: minutesOf.get(g.key) ?? 0,
      }));
      if (by === 'partenaire') {
        total = report.total;
        minutes = report.minutes.total;
      }
    }
    const remote = tables.canal
      .filter((g) => REMOTE_CHANNELS.includes(g.key))
      .reduce((s, g) => s + g.count, 0);
    // Every dashboard reads rollups whose months an import may have marked.
    const recalculating = await this.rollups.staleMonthsBetween(q.from, q.to);
    return {
      territory: t,
      from: q.from,
      to: q.to,
      recalculating,
      total,
      minutes: { total: minutes, mean: total === 0 ? 0 : Math.round((minutes / total) * 10) / 10 },
      remote: { count: remote, share: total === 0 ? 0 : Math.round((remote / total) * 10_000) / 10_000 },
      tables,
    };
  }
}

const MONTHS = [
  'janvier',
  'février',
  'mars',
  'avril',
  'mai',
  'juin',
  'juillet',
  'août',
  'septembre',
  'octobre',
  'novembre',
  'décembre',
];

export function labelOf(
  by: IndicatorDimension,
  key: string,
  catalogue: ReadonlyMap<string, { label: string }>,
): string {
  switch (by) {
    case 'mois':
      return `${MONTHS[Number(key.slice(5, 7)) - 1] ?? key} ${key.slice(0, 4)}`;
    case 'partenaire':
      return (PARTENAIRE_LABELS as Record<string, string>)[key] ?? key;
    case 'canal':
      return (CANAL_LABELS as Record<string, string>)[key] ?? key;
    case 'resultat':
      return (RESULTAT_LABELS as Record<string, string>)[key] ?? key;
    case 'demarche':
      return key === 'non_renseigne' ? 'Démarche non renseignée' : (catalogue.get(key)?.label ?? key);
  }
}
