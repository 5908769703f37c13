import type { Db } from '../../db/database.js';
import { findStructureById } from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/labelling.repository.js';
import { can, type Principal } from '../../domain/accounts/index.js';
import {
  assertSubmittable,
  type Criterion,
  emptyGrid,
  gridCriteria,
  mandatoryNonConformities,
  saveGrid,
} from '../../domain/labelling/index.js';
import { conflict, invalid, notFound } from '../../domain/shared/errors.js';
import type { ReferentielService } from './referentiel.service.js';
import { authorize, criteriaOfGrid, isMobile, type LabellingDeps, todayOf } from './shared.js';

/** Audits: reading them in scope, filling the grid, periodic audits of labelled structures, auditors. */
export class AuditService {
  constructor(
    private readonly deps: LabellingDeps,
    private readonly referentiels: ReferentielService,
  ) {}

  private get db() {
    return this.deps.db;
  }

  async assertAuditor(db: Db, userId: string): Promise<void> {
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
      const s = await findStructureById(this.db, audit.structure_id);
      departement = s?.departement ?? null;
    }
    if (!can(user, 'audit.read', { departement, ownerId, assignedTo: [audit.auditor_user_id] })) {
      throw notFound('Audit introuvable.');
    }
    return audit;
  }

  async auditCriteria(audit: repo.AuditRow): Promise<Criterion[]> {
    return criteriaOfGrid(await this.referentiels.referentiel(audit.referentiel_version), audit.grid);
  }

  /** Saves (part of) the grid; a save based on an older version is refused, never merged silently. */
  async saveGrid(
    user: Principal,
    auditId: string,
    changes: readonly { code: string; verdict: string | null; comment?: string | null }[],
    version: number,
  ): Promise<repo.AuditRow> {
    const audit = await this.audit(user, auditId);
    authorize(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] });
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
    authorize(user, 'audit.assign');
    if (!repo.isUuid(structureId)) throw notFound('Structure introuvable.');
    const s = await findStructureById(this.db, structureId);
    if (!s) throw notFound('Structure introuvable.');
    if (!s.labelledOn) throw invalid('structure', 'Seule une structure labellisée a des audits périodiques.');
    await this.assertAuditor(this.db, auditorUserId);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(plannedOn)) throw invalid('date', 'Date d’audit invalide (AAAA-MM-JJ).');
    const ref = await this.referentiels.latest();
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
    authorize(user, 'audit.fill', { assignedTo: [audit.auditor_user_id] });
    if (audit.kind !== 'periodique') throw invalid('audit', 'Cet audit se termine depuis la candidature.');
    if (audit.completed_on) throw conflict('Cet audit est déjà terminé.');
    const criteria = await this.auditCriteria(audit);
    const grid = { entries: audit.grid, version: audit.version };
    assertSubmittable(grid, criteria);
    const outcome = mandatoryNonConformities(grid, criteria).length === 0 ? 'conforme' : 'non_conforme';
    await repo.completeAudit(this.db, auditId, todayOf(this.deps), outcome);
    return outcome;
  }

  /** The directory name of the structure under a periodic audit ('' for an application's audit). */
  async auditedStructureName(audit: repo.AuditRow): Promise<string> {
    if (!audit.structure_id) return '';
    return (await findStructureById(this.db, audit.structure_id))?.name ?? '';
  }

  auditsOf(user: Principal) {
    if (user.role === 'auditeur') return repo.listAudits(this.db, { auditorUserId: user.id });
    return Promise.resolve([]);
  }
}
