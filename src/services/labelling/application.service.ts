import { randomUUID } from 'node:crypto';
import {
  type FilingStructure,
  findStructureById,
  structuresForFiling,
} from '../../db/repositories/directory.repository.js';
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

  /**
   * Where the caller may file: the open structures on which they hold `application.file` (a responsable's own
   * structures), filtered in SQL. A new application goes in the department of one of them; a renewal names one.
   */
  async filingChoices(user: Principal): Promise<FilingStructure[]> {
    if (user.role !== 'responsable') return [];
    return (await structuresForFiling(this.db, user, {})).filter((s) =>
      can(user, 'application.file', { structureId: s.id, departement: s.departement }),
    );
  }

  /**
   * Creates a draft. Security review (issue 9, finding 2 and the department of an application): a responsable
   * files only in the department of one of their structures; renewing an existing structure is an explicit
   * `renewsStructureId`, allowed only on a structure the caller holds `application.file` on, in that
   * department. Anything else answers "not found", and nothing is created.
   */
  async createApplication(
    user: Principal,
    campaignId: string,
    input: { departement: string; renewsStructureId?: string | null },
  ): Promise<ApplicationView> {
    const typed = input.departement.trim().toUpperCase();
    const renews = input.renewsStructureId?.trim() || null;
    if (typed !== '' && !isCodeDepartement(typed))
      throw invalid('departement', `Département « ${input.departement} » inconnu.`);
    if (user.role !== 'responsable') {
      throw new DomainError(
        'forbidden',
        'Une candidature est déposée par le porteur, avec un compte de responsable de structure.',
      );
    }
    let dep = typed;
    if (renews !== null) {
      const s = repo.isUuid(renews)
        ? (await structuresForFiling(this.db, user, { id: renews }, 1))[0]
        : undefined;
      if (!s || !can(user, 'application.file', { structureId: s.id, departement: s.departement }))
        throw notFound('Structure à renouveler introuvable parmi les vôtres.');
      if (dep !== '' && dep !== s.departement)
        throw invalid(
          'departement',
          `La structure « ${s.name} » est dans le département ${s.departement} : son renouvellement s’y dépose, pas dans le ${dep}.`,
        );
      dep = s.departement;
    } else if (dep === '') throw invalid('departement', 'Indiquez le département de la structure.');
    const c = await this.campaigns.campaign(campaignId);
    assertCanFile(c, dep, todayOf(this.deps, dep));
    if (renews === null) {
      const mine = await structuresForFiling(this.db, user, { departement: dep }, 1);
      if (!mine.some((s) => can(user, 'application.file', { structureId: s.id, departement: s.departement })))
        throw notFound(
          `Aucune de vos structures n’est dans le département ${dep} : une candidature se dépose dans le département d’une de vos structures.`,
        );
    }
    const row = await repo.insertApplication(this.db, {
      campaignId: c.id,
      porteurUserId: user.id,
      departement: dep,
      content: emptyContent(),
      at: nowOf(this.deps),
      renewsStructureId: renews,
    });
    return view(row);
  }

  /** The structure an application renews, for the pages that show it (every review page); null for a new one. */
  async renewedStructure(a: Pick<ApplicationView, 'renewsStructureId'>) {
    if (!a.renewsStructureId) return null;
    const s = await findStructureById(this.db, a.renewsStructureId);
    return s
      ? { id: s.id, idFs: s.idFs, name: s.name, communeName: s.communeName, departement: s.departement }
      : null;
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
      prechecks = precheck(precheckInputOf(a.content, a.id));
    } catch {
      prechecks = null;
    }
    return {
      application: a,
      renews: await this.renewedStructure(a),
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
