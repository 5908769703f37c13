import { randomUUID } from 'node:crypto';
import { findStructureById } from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/labelling.repository.js';
import { can, type Principal } from '../../domain/accounts/index.js';
import {
  type ApplicationContent,
  assertCanFile,
  availableActions,
  checkDocument,
  emptyContent,
  findCriterion,
  missingForFiling,
  type PrecheckReport,
  parseContent,
  precheck,
  precheckInputOf,
} from '../../domain/labelling/index.js';
import { conflict, DomainError, invalid, notFound } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import type { AuditService } from './audit.service.js';
import type { CampaignService } from './campaign.service.js';
import { DocumentStore } from './document-store.js';
import type { ReferentielService } from './referentiel.service.js';
import {
  type ApplicationView,
  applicationTarget,
  authorize,
  deny,
  type LabellingDeps,
  nowOf,
  todayOf,
  view,
} from './shared.js';

/**
 * Applications (candidatures): created and filled by their porteur, with their documents; read by
 * those in scope. Out-of-scope reads answer `not_found`, to leak nothing.
 */
export class ApplicationService {
  constructor(
    private readonly deps: LabellingDeps,
    private readonly campaigns: CampaignService,
    private readonly referentiels: ReferentielService,
    private readonly audits: AuditService,
    readonly documents: DocumentStore,
  ) {}

  private get db() {
    return this.deps.db;
  }

  async createApplication(
    user: Principal,
    campaignId: string,
    departement: string,
  ): Promise<ApplicationView> {
    const dep = departement.trim().toUpperCase();
    if (!isCodeDepartement(dep)) throw invalid('departement', `Département « ${departement} » inconnu.`);
    authorize(user, 'application.file', { ownerId: user.id, departement: dep });
    if (user.role !== 'responsable') {
      throw new DomainError(
        'forbidden',
        'Une candidature est déposée par le porteur, avec un compte de responsable de structure.',
      );
    }
    const c = await this.campaigns.campaign(campaignId);
    assertCanFile(c, dep, todayOf(this.deps, dep));
    const row = await repo.insertApplication(this.db, {
      campaignId: c.id,
      porteurUserId: user.id,
      departement: dep,
      content: emptyContent(),
      at: nowOf(this.deps),
    });
    return view(row);
  }

  /** Reads an application in the caller's scope; anything else is "not found". */
  async application(user: Principal, id: string): Promise<ApplicationView> {
    const row = await repo.findApplication(this.db, id);
    if (!row) throw notFound('Candidature introuvable.');
    const a = view(row);
    if (
      !can(user, 'audit.read', applicationTarget(a)) &&
      !can(user, 'application.review', applicationTarget(a))
    ) {
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
    authorize(user, 'application.file', applicationTarget(a));
    if (a.porteurUserId !== user.id) throw deny();
    if (a.state !== 'brouillon')
      throw conflict('La candidature est déposée : elle ne peut plus être modifiée.', 'state');
    const content = parseContent(raw as Partial<Record<keyof ApplicationContent, unknown>>);
    const ok = await repo.updateApplication(
      this.db,
      id,
      version,
      { content: JSON.stringify(content) },
      nowOf(this.deps),
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
      const audit = await this.audits.audit(user, auditId);
      if (audit.application_id !== a.id) throw notFound('Audit introuvable.');
      authorize(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] });
    } else {
      authorize(user, 'application.file', applicationTarget(a));
      if (a.porteurUserId !== user.id) throw deny();
      if (a.state !== 'brouillon')
        throw conflict('La candidature est déposée : ajoutez des pièces avant le dépôt.', 'state');
    }
    const campaign = await this.campaigns.campaign(a.campaignId);
    const ref = await this.referentiels.referentiel(campaign.referentielVersion);
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
        uploaded_at: nowOf(this.deps),
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

  /** What the certificate of a labelled application says; "not found" before the label. */
  async certificate(user: Principal, id: string) {
    const f = await this.followUp(user, id);
    const a = f.application;
    if (a.state !== 'labellisee' || !a.labelledOn)
      throw new DomainError('not_found', 'Aucun certificat : la candidature n’est pas labellisée.');
    const s = a.structureId ? await findStructureById(this.db, a.structureId) : null;
    return {
      structureName: a.content.structureName,
      idFs: s?.idFs ?? '',
      commune: a.content.communeName,
      departement: a.departement,
      labelledOn: a.labelledOn,
      campaign: f.campaign.name,
      referentiel: f.referentiel.version,
    };
  }

  /** Everything the follow-up page shows: what is missing, pre-checks, history, audits, actions. */
  async followUp(user: Principal, id: string) {
    const a = await this.application(user, id);
    const campaign = await this.campaigns.campaign(a.campaignId);
    const ref = await this.referentiels.referentiel(campaign.referentielVersion);
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
}
