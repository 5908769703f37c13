import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import * as repo from '../../db/repositories/labelling.repository.js';
import { readMobileData } from '../../db/repositories/mobile.repository.js';
import { type Action, can, type Principal, type Target } from '../../domain/accounts/index.js';
import type { WeeklyHours } from '../../domain/directory/opening-hours.js';
import type { Partner, StructureFormat } from '../../domain/directory/structure.js';
import {
  type ApplicationContent,
  type ApplicationState,
  applyContreVisite,
  assertCanClose,
  assertCanFile,
  assertSubmittable,
  auditsDue,
  availableActions,
  type CampaignInput,
  type CorrectiveAction,
  type Criterion,
  checkDocument,
  contentHours,
  emptyContent,
  emptyGrid,
  FINAL_STATES,
  findCriterion,
  type GridEntry,
  gridCriteria,
  type MobileFacts,
  mandatoryNonConformities,
  missingForFiling,
  openCorrectiveActions,
  type PrecheckReport,
  parseContent,
  precheck,
  precheckInputOf,
  publishReferentiel,
  REFERENTIEL_2025_06,
  type Referentiel,
  type ReferentielData,
  ruleFor,
  saveGrid,
  type TransitionAction,
  transition,
  validateCampaign,
} from '../../domain/labelling/index.js';
import { expandOccurrences } from '../../domain/mobile/index.js';
import { writeCsv } from '../../domain/shared/csv.js';
import { conflict, DomainError, invalid, notFound } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import type { Clock } from '../../domain/shared/time.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';
import { DocumentStore } from './document-store.js';

export interface LabellingDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<Config, 'dataDir' | 'auditCycleMonths' | 'uploadMaxBytes'>;
}

export interface ApplicationView {
  readonly id: string;
  readonly campaignId: string;
  readonly porteurUserId: string;
  readonly departement: string;
  readonly state: ApplicationState;
  readonly content: ApplicationContent;
  readonly auditorUserId: string | null;
  readonly structureId: string | null;
  readonly labelledOn: string | null;
  readonly version: number;
  readonly updatedAt: Date;
}

const view = (r: repo.ApplicationRow): ApplicationView => ({
  id: r.id,
  campaignId: r.campaign_id,
  porteurUserId: r.porteur_user_id,
  departement: r.departement,
  state: r.state,
  content: { ...emptyContent(), ...(r.content as Partial<ApplicationContent>) },
  auditorUserId: r.auditor_user_id,
  structureId: r.structure_id,
  labelledOn: r.labelled_on,
  version: r.version,
  updatedAt: r.updated_at,
});

const deny = () => new DomainError('forbidden', 'Vous n’avez pas les droits pour cette action.');

/**
 * Labellisation use cases: each checks the caller against the accounts policy (role × action ×
 * scope), then runs the domain rules, then writes everything in one transaction.
 * Out-of-scope reads answer `not_found`, to leak nothing.
 */
export class LabellingService {
  readonly documents: DocumentStore;
  constructor(private readonly deps: LabellingDeps) {
    this.documents = new DocumentStore(deps.config.dataDir);
  }

  private get db() {
    return this.deps.db;
  }
  private now() {
    return this.deps.clock.now();
  }
  /** Today on the clock of a department (metropolitan for national views). */
  private today(departement?: string | null) {
    return localDate(this.now(), timeZoneOf(departement));
  }

  private authorize(user: Principal, action: Action, target: Target = {}): void {
    if (!can(user, action, target)) throw deny();
  }

  // ----- référentiels ---------------------------------------------------------------------------

  /** Published référentiels, newest first; the first version ships with the code and is published on first use. */
  async referentiels(): Promise<Referentiel[]> {
    let list = await repo.listReferentiels(this.db);
    if (list.length === 0) {
      await repo.insertReferentiel(this.db, publishReferentiel(REFERENTIEL_2025_06, [], this.now()), null);
      list = await repo.listReferentiels(this.db);
    }
    return list;
  }

  async referentiel(version: string): Promise<Referentiel> {
    const ref = (await this.referentiels()).find((r) => r.version === version);
    if (!ref) throw notFound(`Référentiel ${version} introuvable.`);
    return ref;
  }

  async publishReferentiel(user: Principal, draft: ReferentielData): Promise<Referentiel> {
    this.authorize(user, 'referentiel.publish');
    const existing = (await this.referentiels()).map((r) => r.version);
    const ref = publishReferentiel(draft, existing, this.now());
    await repo.insertReferentiel(this.db, ref, user.id);
    return ref;
  }

  // ----- campaigns ------------------------------------------------------------------------------

  async openCampaign(user: Principal, input: CampaignInput): Promise<repo.CampaignRow> {
    this.authorize(user, 'campaign.manage');
    const versions = (await this.referentiels()).map((r) => r.version);
    return repo.insertCampaign(this.db, validateCampaign(input, versions), user.id);
  }

  campaigns() {
    return repo.listCampaigns(this.db);
  }

  async campaign(id: string): Promise<repo.CampaignRow> {
    const c = await repo.findCampaign(this.db, id);
    if (!c) throw notFound('Campagne introuvable.');
    return c;
  }

  async closeCampaign(user: Principal, id: string): Promise<void> {
    this.authorize(user, 'campaign.manage');
    await this.db.transaction().execute(async (trx) => {
      const c = await repo.findCampaign(trx, id);
      if (!c) throw notFound('Campagne introuvable.');
      assertCanClose(c, await repo.countOpenApplications(trx, id, FINAL_STATES));
      await repo.closeCampaignRow(trx, id);
    });
  }

  // ----- applications ---------------------------------------------------------------------------

  private target(a: { departement: string; porteurUserId: string; auditorUserId: string | null }): Target {
    return {
      departement: a.departement,
      ownerId: a.porteurUserId,
      assignedTo: a.auditorUserId ? [a.auditorUserId] : [],
    };
  }

  async createApplication(
    user: Principal,
    campaignId: string,
    departement: string,
  ): Promise<ApplicationView> {
    const dep = departement.trim().toUpperCase();
    if (!isCodeDepartement(dep)) throw invalid('departement', `Département « ${departement} » inconnu.`);
    this.authorize(user, 'application.file', { ownerId: user.id, departement: dep });
    if (user.role !== 'responsable') {
      throw new DomainError(
        'forbidden',
        'Une candidature est déposée par le porteur, avec un compte de responsable de structure.',
      );
    }
    const c = await this.campaign(campaignId);
    assertCanFile(c, dep, this.today(dep));
    const row = await repo.insertApplication(this.db, {
      campaignId: c.id,
      porteurUserId: user.id,
      departement: dep,
      content: emptyContent(),
      at: this.now(),
    });
    return view(row);
  }

  /** Reads an application in the caller's scope; anything else is "not found". */
  async application(user: Principal, id: string): Promise<ApplicationView> {
    const row = await repo.findApplication(this.db, id);
    if (!row) throw notFound('Candidature introuvable.');
    const a = view(row);
    if (!can(user, 'audit.read', this.target(a)) && !can(user, 'application.review', this.target(a))) {
      throw notFound('Candidature introuvable.');
    }
    return a;
  }

  /** Applications visible to the caller, filtered in SQL by their scope. */
  async myApplications(user: Principal, campaignId?: string): Promise<ApplicationView[]> {
    const base = campaignId ? { campaignId } : {};
    switch (user.role) {
      case 'responsable':
        return (await repo.listApplications(this.db, { ...base, porteurUserId: user.id })).map(view);
      case 'animateur_departemental':
        if (!user.departement) return [];
        return (await repo.listApplications(this.db, { ...base, departement: user.departement })).map(view);
      case 'auditeur':
        return (await repo.listApplications(this.db, { ...base, auditorUserId: user.id })).map(view);
      case 'national':
        return (await repo.listApplications(this.db, base)).map(view);
      default:
        return [];
    }
  }

  async saveContent(
    user: Principal,
    id: string,
    raw: Record<string, unknown>,
    version: number,
  ): Promise<ApplicationView> {
    const a = await this.application(user, id);
    this.authorize(user, 'application.file', this.target(a));
    if (a.porteurUserId !== user.id) throw deny();
    if (a.state !== 'brouillon')
      throw conflict('La candidature est déposée : elle ne peut plus être modifiée.', 'state');
    const content = parseContent(raw as Partial<Record<keyof ApplicationContent, unknown>>);
    const ok = await repo.updateApplication(
      this.db,
      id,
      version,
      { content: JSON.stringify(content) },
      this.now(),
    );
    if (!ok) throw conflict('La candidature a été modifiée entre-temps : rechargez la page.', 'version');
    return this.application(user, id);
  }

  async uploadDocument(
    user: Principal,
    applicationId: string,
    criterionCode: string | null,
    bytes: Uint8Array,
    fileName: string,
    auditId: string | null = null,
  ): Promise<repo.DocumentRow> {
    const a = await this.application(user, applicationId);
    if (auditId) {
      const audit = await this.audit(user, auditId);
      if (audit.application_id !== a.id) throw notFound('Audit introuvable.');
      this.authorize(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] });
    } else {
      this.authorize(user, 'application.file', this.target(a));
      if (a.porteurUserId !== user.id) throw deny();
      if (a.state !== 'brouillon')
        throw conflict('La candidature est déposée : ajoutez des pièces avant le dépôt.', 'state');
    }
    const campaign = await this.campaign(a.campaignId);
    const ref = await this.referentiel(campaign.referentielVersion);
    const code = criterionCode?.trim() || null;
    if (code && !findCriterion(ref, code)) throw invalid('critere', `Critère ${code} inconnu.`);
    const checked = await checkDocument(bytes, fileName, this.deps.config.uploadMaxBytes);
    const id = randomUUID();
    await this.documents.put(id, bytes);
    try {
      return await repo.insertDocument(this.db, {
        id,
        application_id: a.id,
        audit_id: auditId,
        criterion_code: code,
        name: checked.name,
        mime: checked.mime,
        size: checked.size,
        sha256: DocumentStore.sha256(bytes),
        uploaded_by: user.id,
        uploaded_at: this.now(),
      });
    } catch (e) {
      await this.documents.remove(id);
      throw e;
    }
  }

  /** A document, only for those who may read its application. */
  async document(user: Principal, documentId: string): Promise<{ row: repo.DocumentRow; bytes: Buffer }> {
    const row = await repo.findDocument(this.db, documentId);
    if (!row) throw notFound('Document introuvable.');
    await this.application(user, row.application_id); // throws not_found out of scope
    return { row, bytes: await this.documents.get(row.id) };
  }

  async documentsOf(applicationId: string) {
    return repo.listDocuments(this.db, applicationId);
  }

  /** Everything the follow-up page shows: what is missing, pre-checks, history, audits, actions. */
  async followUp(user: Principal, id: string) {
    const a = await this.application(user, id);
    const campaign = await this.campaign(a.campaignId);
    const ref = await this.referentiel(campaign.referentielVersion);
    const documents = await repo.listDocuments(this.db, id);
    const missing = missingForFiling(
      a.content,
      ref,
      documents.filter((d) => d.audit_id === null && d.criterion_code).map((d) => d.criterion_code as string),
    );
    let prechecks: PrecheckReport | null = null;
    try {
      prechecks = precheck(precheckInputOf(a.content, a.content.idFs ?? a.id));
    } catch {
      prechecks = null;
    }
    return {
      application: a,
      campaign,
      referentiel: ref,
      documents,
      missing,
      prechecks,
      transitions: await repo.listTransitions(this.db, id),
      audits: await repo.listAudits(this.db, { applicationId: id }),
      actions: await repo.listCorrectiveActions(this.db, id),
      available: availableActions(
        {
          state: a.state,
          porteurUserId: a.porteurUserId,
          departement: a.departement,
          auditorUserId: a.auditorUserId,
        },
        user,
      ),
    };
  }

  /**
   * Moves an application through the state machine. The domain decides; this gathers the facts
   * its guards need, performs the side effects (audits, corrective actions, the directory entry)
   * and records the transition, all in one transaction guarded by the application's version.
   */
  async transition(
    user: Principal,
    id: string,
    action: TransitionAction,
    input: {
      reason?: string | null;
      auditorUserId?: string | null;
      auditDate?: string | null;
      version?: number;
      /** Who, for the history pages (name and e-mail); defaults to the role and id. */
      actorLabel?: string;
      ip?: string | null;
    } = {},
  ): Promise<ApplicationView> {
    const rule = ruleFor(action);
    const a = await this.application(user, id);
    this.authorize(user, rule.policy, this.target(a));
    const campaign = await this.campaign(a.campaignId);
    const ref = await this.referentiel(campaign.referentielVersion);
    const now = this.now();
    const today = this.today(a.departement);
    if (input.version !== undefined && input.version !== a.version) {
      throw conflict('La candidature a changé entre-temps : rechargez la page.', 'version');
    }
    await this.db.transaction().execute(async (trx) => {
      const facts: Parameters<typeof transition>[5] & Record<string, unknown> = {};
      const audit = await repo.latestAudit(trx, id);
      const actions = await repo.listCorrectiveActions(trx, id);
      const mandatory = new Set(ref.criteria.filter((c) => c.mandatory).map((c) => c.code));
      switch (action) {
        case 'deposer': {
          assertCanFile(campaign, a.departement, today);
          const docs = await repo.listDocuments(trx, id);
          Object.assign(facts, {
            missingForFiling: missingForFiling(
              a.content,
              ref,
              docs.map((d) => d.criterion_code ?? ''),
            ),
          });
          break;
        }
        case 'planifier_audit':
        case 'planifier_contre_visite': {
          const auditor = input.auditorUserId?.trim() || null;
          if (auditor) await this.assertAuditor(trx, auditor);
          const date = input.auditDate?.trim() || null;
          if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date))
            throw invalid('date', 'Date d’audit invalide (AAAA-MM-JJ).');
          if (date && date < today) throw invalid('date', 'La date de l’audit est passée.');
          Object.assign(facts, { auditorUserId: auditor, auditDate: date });
          break;
        }
        case 'declarer_conforme':
        case 'declarer_non_conforme':
          Object.assign(facts, {
            openMandatoryNonConformities: actions.filter((x) => x.closed_on === null && mandatory.has(x.code))
              .length,
          });
          break;
        case 'retirer_label': {
          const periodic = a.structureId
            ? (await repo.listAudits(trx, { structureId: a.structureId })).find(
                (x) => x.kind === 'periodique' && x.completed_on,
              )
            : undefined;
          Object.assign(facts, { failedPeriodicAudit: periodic?.outcome === 'non_conforme' });
          break;
        }
        default:
          break;
      }
      const head = {
        state: a.state,
        porteurUserId: a.porteurUserId,
        departement: a.departement,
        auditorUserId: a.auditorUserId,
      };
      const result = transition(head, action, user, now, input.reason ?? null, facts);
      const set: Parameters<typeof repo.updateApplication>[3] = {
        state: result.state,
        auditor_user_id: result.auditorUserId,
      };

      switch (action) {
        case 'planifier_audit': {
          const criteria = gridCriteria(ref, isMobile(a.content.format));
          await repo.insertAudit(trx, {
            applicationId: id,
            structureId: null,
            kind: 'initial',
            auditorUserId: result.auditorUserId as string,
            plannedOn: facts.auditDate as string,
            referentielVersion: ref.version,
            grid: emptyGrid(criteria).entries,
          });
          break;
        }
        case 'planifier_contre_visite': {
          const open = actions.filter((x) => x.closed_on === null);
          const criteria = ref.criteria.filter((c) => open.some((x) => x.code === c.code));
          await repo.insertAudit(trx, {
            applicationId: id,
            structureId: null,
            kind: 'contre_visite',
            auditorUserId: result.auditorUserId as string,
            plannedOn: facts.auditDate as string,
            referentielVersion: ref.version,
            grid: emptyGrid(criteria).entries,
          });
          break;
        }
        case 'terminer_audit': {
          if (!audit || audit.completed_on) throw conflict('Aucun audit en cours pour cette candidature.');
          const grid = { entries: audit.grid, version: audit.version };
          const criteria = criteriaOfGrid(ref, audit.grid);
          assertSubmittable(grid, criteria);
          if (audit.kind === 'contre_visite') {
            const current: CorrectiveAction[] = actions.map((x) => ({
              code: x.code,
              description: x.description,
              dueOn: x.due_on,
              closedOn: x.closed_on,
            }));
            const after = applyContreVisite(current, grid, today);
            for (const [i, x] of actions.entries()) {
              if (x.closed_on === null && after[i]?.closedOn)
                await repo.closeCorrectiveAction(trx, x.id, today, audit.id);
            }
            const stillOpen = after.filter((x) => x.closedOn === null && mandatory.has(x.code)).length;
            await repo.completeAudit(trx, audit.id, today, stillOpen === 0 ? 'conforme' : 'non_conforme');
          } else {
            await repo.insertCorrectiveActions(trx, audit.id, id, openCorrectiveActions(grid, today));
            const failing = mandatoryNonConformities(grid, criteria).length;
            await repo.completeAudit(trx, audit.id, today, failing === 0 ? 'conforme' : 'non_conforme');
          }
          break;
        }
        case 'labelliser': {
          const c = a.content;
          const structureId = await repo.upsertLabelledStructure(
            trx,
            {
              id_fs: c.idFs ?? `FS-${today.slice(0, 4)}-${id.slice(0, 8)}`,
              name: c.structureName,
              format: c.format,
              address: c.address,
              code_insee: c.codeInsee,
              postal_code: c.postalCode,
              commune_name: c.communeName,
              departement: a.departement,
              lat: c.lat,
              lon: c.lon,
              emails: c.email ? [c.email] : [],
              telephones: c.telephone ? [c.telephone] : [],
              hours: JSON.stringify(contentHours(c).days),
              partners: [...c.partners],
              labelled_on: today,
            },
            now,
          );
          set.structure_id = structureId;
          set.labelled_on = today;
          break;
        }
        case 'retirer_label':
          if (a.structureId) await repo.withdrawStructureLabel(trx, a.structureId, now);
          break;
        default:
          break;
      }
      const ok = await repo.updateApplication(trx, id, a.version, set, now);
      if (!ok) throw conflict('La candidature a changé entre-temps : rechargez la page.', 'version');
      await repo.insertTransition(trx, id, result.record);
      // The generic append-only log (docs/adr/0002-accounts.md), in the same transaction.
      const actor = {
        actorId: user.id,
        actorLabel: input.actorLabel ?? `${user.role} ${user.id}`,
        at: now,
        ip: input.ip ?? null,
      };
      await appendAudit(trx, {
        ...actor,
        entity: 'labelling_application',
        entityId: id,
        action: `labelling.${action}`,
        before: { state: a.state },
        after: { state: result.state, reason: result.record.reason },
      });
      if (set.structure_id) {
        await appendAudit(trx, {
          ...actor,
          entity: 'structure',
          entityId: set.structure_id,
          action: 'labelling.labelliser',
          before: null,
          after: { labelled_on: set.labelled_on, application: id },
        });
      }
      if (action === 'retirer_label' && a.structureId) {
        await appendAudit(trx, {
          ...actor,
          entity: 'structure',
          entityId: a.structureId,
          action: 'labelling.retirer_label',
          before: { status: 'ouverte' },
          after: { status: 'fermee_definitivement', reason: result.record.reason },
        });
      }
    });
    return this.application(user, id);
  }

  private async assertAuditor(db: Db, userId: string): Promise<void> {
    if (!repo.isUuid(userId)) throw invalid('auditeur', 'Auditeur inconnu.');
    const u = await db
      .selectFrom('users')
      .select(['role', 'active'])
      .where('id', '=', userId)
      .executeTakeFirst();
    if (u?.role !== 'auditeur' || !u.active)
      throw invalid('auditeur', 'La personne désignée n’est pas un auditeur actif.');
  }

  async auditors(): Promise<{ id: string; label: string }[]> {
    const rows = await this.db
      .selectFrom('users')
      .select(['id', 'display_name', 'email'])
      .where('role', '=', 'auditeur')
      .where('active', '=', true)
      .orderBy('display_name')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      label: r.display_name ? `${r.display_name} (${r.email})` : r.email,
    }));
  }

  // ----- audits ---------------------------------------------------------------------------------

  async audit(user: Principal, auditId: string): Promise<repo.AuditRow> {
    const audit = await repo.findAudit(this.db, auditId);
    if (!audit) throw notFound('Audit introuvable.');
    let departement: string | null = null;
    let ownerId: string | null = null;
    if (audit.application_id) {
      const app = await repo.findApplication(this.db, audit.application_id);
      departement = app?.departement ?? null;
      ownerId = app?.porteur_user_id ?? null;
    } else if (audit.structure_id) {
      const s = await this.db
        .selectFrom('structures')
        .select('departement')
        .where('id', '=', audit.structure_id)
        .executeTakeFirst();
      departement = s?.departement ?? null;
    }
    if (!can(user, 'audit.read', { departement, ownerId, assignedTo: [audit.auditor_user_id] })) {
      throw notFound('Audit introuvable.');
    }
    return audit;
  }

  async auditCriteria(audit: repo.AuditRow): Promise<Criterion[]> {
    return criteriaOfGrid(await this.referentiel(audit.referentiel_version), audit.grid);
  }

  /** Saves (part of) the grid; a save based on an older version is refused, never merged silently. */
  async saveGrid(
    user: Principal,
    auditId: string,
    changes: readonly { code: string; verdict: string | null; comment?: string | null }[],
    version: number,
  ): Promise<repo.AuditRow> {
    const audit = await this.audit(user, auditId);
    this.authorize(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] });
    if (audit.completed_on)
      throw conflict('Cet audit est terminé : la grille ne peut plus être modifiée.', 'grille');
    const next = saveGrid({ entries: audit.grid, version: audit.version }, changes, version);
    const ok = await repo.updateAuditGrid(this.db, auditId, version, next.entries);
    if (!ok) {
      throw conflict(
        'La grille a été modifiée par ailleurs : rechargez-la (vos saisies restent dans le brouillon de ce navigateur).',
        'version',
      );
    }
    return this.audit(user, auditId);
  }

  /** National plans a periodic audit of a labelled structure. */
  async schedulePeriodicAudit(
    user: Principal,
    structureId: string,
    auditorUserId: string,
    plannedOn: string,
  ): Promise<repo.AuditRow> {
    this.authorize(user, 'audit.assign');
    if (!repo.isUuid(structureId)) throw notFound('Structure introuvable.');
    const s = await this.db
      .selectFrom('structures')
      .select(['id', 'format', 'labelled_on'])
      .where('id', '=', structureId)
      .executeTakeFirst();
    if (!s) throw notFound('Structure introuvable.');
    if (!s.labelled_on)
      throw invalid('structure', 'Seule une structure labellisée a des audits périodiques.');
    await this.assertAuditor(this.db, auditorUserId);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(plannedOn)) throw invalid('date', 'Date d’audit invalide (AAAA-MM-JJ).');
    const ref = (await this.referentiels())[0] as Referentiel;
    return repo.insertAudit(this.db, {
      applicationId: null,
      structureId,
      kind: 'periodique',
      auditorUserId,
      plannedOn,
      referentielVersion: ref.version,
      grid: emptyGrid(gridCriteria(ref, isMobile(s.format))).entries,
    });
  }

  /** The auditor closes a periodic audit; a mandatory non-conformity makes it failed (the label can then be withdrawn). */
  async completePeriodicAudit(user: Principal, auditId: string): Promise<'conforme' | 'non_conforme'> {
    const audit = await this.audit(user, auditId);
    this.authorize(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] });
    if (audit.kind !== 'periodique') throw invalid('audit', 'Cet audit se termine depuis la candidature.');
    if (audit.completed_on) throw conflict('Cet audit est déjà terminé.');
    const criteria = await this.auditCriteria(audit);
    const grid = { entries: audit.grid, version: audit.version };
    assertSubmittable(grid, criteria);
    const outcome = mandatoryNonConformities(grid, criteria).length === 0 ? 'conforme' : 'non_conforme';
    await repo.completeAudit(this.db, auditId, this.today(), outcome);
    return outcome;
  }

  auditsOf(user: Principal) {
    if (user.role === 'auditeur') return repo.listAudits(this.db, { auditorUserId: user.id });
    return Promise.resolve([]);
  }

  // ----- views ----------------------------------------------------------------------------------

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
    const campaign = await this.campaign(campaignId);
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
    const rows = await repo.overdueCorrectiveActions(this.db, this.today(dep), dep);
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
    let q = this.db
      .selectFrom('structures')
      .select(['id', 'id_fs', 'name', 'departement', 'labelled_on'])
      .where('labelled_on', 'is not', null);
    q = q.where('status', '!=', 'fermee_definitivement');
    if (dep) q = q.where('departement', '=', dep);
    const structures = await q.orderBy('id_fs').execute();
    const last = await repo.lastAuditDates(this.db);
    return auditsDue(
      structures.map((s) => ({ ...s, labelledOn: s.labelled_on, lastAuditOn: last.get(s.id)?.on ?? null })),
      this.deps.config.auditCycleMonths,
      this.now(),
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
    const from = this.today();
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
    const rows = await repo.structuresForPrecheck(this.db, {
      departement: f.departement ?? null,
      idFs: f.structure ?? null,
    });
    const mobile = rows.some((r) => isMobile(r.format as StructureFormat)) ? await this.mobileFacts() : null;
    return rows.map((r) => {
      const content = r.content
        ? ({ ...emptyContent(), ...(r.content as Partial<ApplicationContent>) } as ApplicationContent)
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

const isMobile = (f: StructureFormat) => f === 'bus' || f === 'itinerante';
/** A mobile structure with no unit in the mobile module, while other tours are loaded. */
const NO_TOUR: MobileFacts = { stops: 0, calendarDates: 0, calendarPublished: false };

function criteriaOfGrid(ref: ReferentielData, grid: readonly GridEntry[]): Criterion[] {
  const codes = new Set(grid.map((e) => e.code));
  return ref.criteria.filter((c) => codes.has(c.code));
}
