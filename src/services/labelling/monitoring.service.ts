import { DateTime } from 'luxon';
import {
  labelledOpenStructures,
  openStructuresForPrecheck,
} from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/labelling.repository.js';
import { readMobileData } from '../../db/repositories/mobile.repository.js';
import { type Action, can, type Principal } from '../../domain/accounts/index.js';
import type { WeeklyHours } from '../../domain/directory/opening-hours.js';
import type { Partner, StructureFormat } from '../../domain/directory/structure.js';
import {
  type ApplicationContent,
  auditsDue,
  emptyContent,
  type MobileFacts,
  precheck,
} from '../../domain/labelling/index.js';
import { expandOccurrences } from '../../domain/mobile/index.js';
import { writeCsv } from '../../domain/shared/csv.js';
import type { CampaignService } from './campaign.service.js';
import { deny, isMobile, type LabellingDeps, NO_TOUR, todayOf, view } from './shared.js';

/**
 * Department and nation views: the campaign pipeline (and its CSV export), failing pre-checks,
 * overdue corrective actions, audits due, and the facts the mobile module gives about buses.
 */
export class MonitoringService {
  constructor(
    private readonly deps: LabellingDeps,
    private readonly campaigns: CampaignService,
  ) {}

  private get db() {
    return this.deps.db;
  }

  /** The department a view is limited to: the animateur's own; national may pick one or see all. */
  private viewScope(user: Principal, departement: string | null | undefined, action: Action): string | null {
    if (!can(user, action, { departement: user.departement ?? departement ?? null })) throw deny();
    if (user.role === 'animateur_departemental') return user.departement;
    return departement?.trim() ? departement.trim().toUpperCase() : null;
  }

  async pipeline(
    user: Principal,
    campaignId: string,
    filter: { departement?: string | null; state?: string | null } = {},
  ) {
    const departement = this.viewScope(user, filter.departement, 'application.review');
    const campaign = await this.campaigns.campaign(campaignId);
    const counts = await repo.countByDepartementAndState(this.db, campaignId, departement);
    const rows = (
      await repo.listApplications(this.db, {
        campaignId,
        departement,
        state: filter.state?.trim() || undefined,
      })
    ).map(view);
    return { campaign, departement, counts, rows };
  }

  async pipelineCsv(
    user: Principal,
    campaignId: string,
    filter: { departement?: string | null; state?: string | null } = {},
  ) {
    const { rows } = await this.pipeline(user, campaignId, filter);
    const header = [
      'departement',
      'etat',
      'candidature',
      'structure',
      'porteur',
      'commune',
      'format',
      'mise_a_jour',
    ];
    const lines = rows.map((r) => [
      r.departement,
      r.state,
      r.id,
      r.content.structureName,
      r.content.porteurName,
      r.content.communeName,
      r.content.format,
      r.updatedAt.toISOString(),
    ]);
    return writeCsv([header, ...lines], {
      delimiter: ';',
      recordDelimiter: '\r\n',
      bom: true,
      quoteText: true,
    });
  }

  /** Labelled structures whose automatic pre-checks now fail (e.g. hours cut below 24 h). */
  async failingPrechecks(user: Principal, departement?: string | null) {
    const dep = this.viewScope(user, departement, 'department.dashboard');
    const reports = await this.precheckDirectory({ departement: dep });
    return reports.filter((r) => r.report.criteria.some((c) => c.status === 'failed'));
  }

  /** Corrective actions past their deadline, for the department and nation views. */
  async overdueActions(user: Principal, departement?: string | null) {
    const dep = this.viewScope(user, departement, 'department.dashboard');
    const rows = await repo.overdueCorrectiveActions(this.db, todayOf(this.deps, dep), dep);
    return rows.map((r) => ({
      code: r.code,
      description: r.description,
      dueOn: r.due_on,
      applicationId: r.application_id,
      departement: r.departement,
      structureName: (r.content as Partial<ApplicationContent>).structureName ?? '',
    }));
  }

  async dueAudits(user: Principal, departement?: string | null, horizonDays = 60) {
    const dep = this.viewScope(user, departement, 'department.dashboard');
    const structures = await labelledOpenStructures(this.db, dep);
    const last = await repo.lastAuditDates(this.db);
    return auditsDue(
      structures.map((s) => ({ ...s, labelledOn: s.labelled_on, lastAuditOn: last.get(s.id)?.on ?? null })),
      this.deps.config.auditCycleMonths,
      this.deps.clock.now(),
      horizonDays,
    );
  }

  /**
   * Stops and published passages of each mobile structure, from the mobile module (issue 5), over
   * the next twelve months. Null when no tour has been loaded at all: then nothing is known.
   */
  private async mobileFacts(): Promise<Map<string, MobileFacts> | null> {
    const data = await readMobileData(this.db);
    if (data.units.length === 0) return null;
    const from = todayOf(this.deps);
    const to = DateTime.fromISO(from).plus({ years: 1 }).toISODate() ?? from;
    const byStructure = new Map<string, MobileFacts>();
    for (const unit of data.units) {
      const stops = data.stops.filter((s) => s.unit === unit.id).length;
      const entries = data.entries.filter((e) => e.unit === unit.id).length;
      const dates =
        entries === 0
          ? 0
          : expandOccurrences(data, from, to, { unit: unit.id, includeCancelled: false }).length;
      const prev = byStructure.get(unit.structureIdFs) ?? NO_TOUR;
      byStructure.set(unit.structureIdFs, {
        stops: prev.stops + stops,
        calendarDates: prev.calendarDates + dates,
        calendarPublished: prev.calendarPublished || entries > 0,
      });
    }
    return byStructure;
  }

  /** Pre-checks over the directory (the CLI's `labelling precheck`), enriched by the labelled application's data. */
  async precheckDirectory(f: { departement?: string | null; structure?: string | null } = {}) {
    const rows = await openStructuresForPrecheck(this.db, {
      departement: f.departement ?? null,
      idFs: f.structure ?? null,
    });
    const applications = await repo.latestApplicationContents(
      this.db,
      rows.map((r) => r.id),
    );
    const mobile = rows.some((r) => isMobile(r.format as StructureFormat)) ? await this.mobileFacts() : null;
    return rows.map((r) => {
      const applied = applications.get(r.id);
      const content = applied
        ? ({ ...emptyContent(), ...(applied as Partial<ApplicationContent>) } as ApplicationContent)
        : null;
      const report = precheck({
        idFs: r.id_fs,
        format: r.format as StructureFormat,
        hours: { days: r.hours as WeeklyHours['days'] },
        agents: content ? content.agents : null,
        partners: r.partners as Partner[],
        referents: content ? content.referents : null,
        mobile: mobile ? (mobile.get(r.id_fs) ?? NO_TOUR) : (content?.mobile ?? null),
      });
      return {
        structureId: r.id,
        name: r.name,
        departement: r.departement,
        labelledOn: r.labelled_on,
        report,
      };
    });
  }
}
