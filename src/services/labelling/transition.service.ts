import type { Db } from '../../db/database.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import {
  insertLabelledStructure,
  renewLabelledStructure,
  withdrawStructureLabel,
} from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/labelling.repository.js';
import type { Principal } from '../../domain/accounts/index.js';
import {
  applyContreVisite,
  assertCanFile,
  assertSubmittable,
  type CorrectiveAction,
  type Criterion,
  contentHours,
  emptyGrid,
  gridCriteria,
  mandatoryNonConformities,
  missingForFiling,
  openCorrectiveActions,
  type Referentiel,
  ruleFor,
  type TransitionAction,
  type TransitionFacts,
  transition,
} from '../../domain/labelling/index.js';
import { conflict, invalid } from '../../domain/shared/errors.js';
import type { ApplicationService } from './application.service.js';
import type { AuditService } from './audit.service.js';
import type { CampaignService } from './campaign.service.js';
import type { ReferentielService } from './referentiel.service.js';
import {
  type ApplicationView,
  applicationTarget,
  authorize,
  criteriaOfGrid,
  isMobile,
  type LabellingDeps,
  nowOf,
  todayOf,
} from './shared.js';

export interface TransitionInput {
  reason?: string | null;
  auditorUserId?: string | null;
  auditDate?: string | null;
  version?: number;
  /** Who, for the history pages (name and e-mail); defaults to the role and id. */
  actorLabel?: string;
  ip?: string | null;
}

type ApplicationColumns = Parameters<typeof repo.updateApplication>[3];

/** Everything an action's effect may read, gathered once inside the transaction. */
interface Step {
  readonly trx: Db;
  readonly id: string;
  readonly a: ApplicationView;
  readonly campaign: repo.CampaignRow;
  readonly ref: Referentiel;
  readonly input: TransitionInput;
  readonly now: Date;
  readonly today: string;
  readonly audit: repo.AuditRow | null;
  readonly actions: repo.CorrectiveActionRow[];
  readonly mandatory: ReadonlySet<string>;
  readonly audits: AuditService;
}

/** What the domain decided: the new state and the auditor now assigned. */
interface Decision {
  readonly state: string;
  readonly auditorUserId: string | null;
  readonly reason: string | null;
}

/** An entry about the directory structure for the generic audit log, besides the application's own. */
interface StructureLogEntry {
  readonly entityId: string;
  readonly action: string;
  readonly before: Record<string, unknown> | null;
  readonly after: Record<string, unknown> | null;
}

/**
 * What one action does besides moving the state: `facts` gathers what its domain guard needs
 * (before the domain decides), `apply` performs its side effects (after) and returns the extra
 * application columns and the structure log entry, if any. Actions absent from the table only
 * change state.
 */
interface Effect {
  facts?(s: Step): Promise<TransitionFacts>;
  apply?(
    s: Step,
    d: Decision,
    facts: TransitionFacts,
  ): Promise<{ set?: Partial<ApplicationColumns>; log?: StructureLogEntry }>;
}

/** Audit planning reads the auditor and the date the same way for a first audit and a contre-visite. */
async function plannedAuditFacts(s: Step): Promise<TransitionFacts> {
  const auditor = s.input.auditorUserId?.trim() || null;
  if (auditor) await s.audits.assertAuditor(s.trx, auditor);
  const date = s.input.auditDate?.trim() || null;
  if (date && !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw invalid('date', 'Date d’audit invalide (AAAA-MM-JJ).');
  if (date && date < s.today) throw invalid('date', 'La date de l’audit est passée.');
  return { auditorUserId: auditor, auditDate: date };
}

/** The one place an application's audit is created: a first audit or a contre-visite, on these criteria. */
async function planAudit(
  s: Step,
  d: Decision,
  facts: TransitionFacts,
  kind: 'initial' | 'contre_visite',
  criteria: readonly Criterion[],
) {
  await repo.insertAudit(s.trx, {
    applicationId: s.id,
    structureId: null,
    kind,
    auditorUserId: d.auditorUserId as string,
    plannedOn: facts.auditDate as string,
    referentielVersion: s.ref.version,
    grid: emptyGrid(criteria).entries,
  });
  return {};
}

const conformityFacts = async (s: Step): Promise<TransitionFacts> => ({
  openMandatoryNonConformities: s.actions.filter((x) => x.closed_on === null && s.mandatory.has(x.code))
    .length,
});

const EFFECTS: Partial<Record<TransitionAction, Effect>> = {
  deposer: {
    async facts(s) {
      assertCanFile(s.campaign, s.a.departement, s.today);
      const docs = await repo.listDocuments(s.trx, s.id);
      return {
        missingForFiling: missingForFiling(
          s.a.content,
          s.ref,
          docs.map((d) => d.criterion_code ?? ''),
        ),
      };
    },
  },
  planifier_audit: {
    facts: plannedAuditFacts,
    apply: (s, d, facts) =>
      planAudit(s, d, facts, 'initial', gridCriteria(s.ref, isMobile(s.a.content.format))),
  },
  planifier_contre_visite: {
    facts: plannedAuditFacts,
    apply(s, d, facts) {
      const open = s.actions.filter((x) => x.closed_on === null);
      const criteria = s.ref.criteria.filter((c) => open.some((x) => x.code === c.code));
      return planAudit(s, d, facts, 'contre_visite', criteria);
    },
  },
  declarer_conforme: { facts: conformityFacts },
  declarer_non_conforme: { facts: conformityFacts },
  terminer_audit: {
    async apply({ trx, id, ref, today, audit, actions, mandatory }) {
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
      return {};
    },
  },
  labelliser: {
    async apply({ trx, id, a, now, today }) {
      const c = a.content;
      const columns = {
        name: c.structureName,
        format: c.format,
        address: c.address,
        code_insee: c.codeInsee,
        postal_code: c.postalCode,
        commune_name: c.communeName,
        lat: c.lat,
        lon: c.lon,
        emails: c.email ? [c.email] : [],
        telephones: c.telephone ? [c.telephone] : [],
        hours: JSON.stringify(contentHours(c).days),
        partners: [...c.partners],
        labelled_on: today,
      };
      if (a.renewsStructureId) {
        // A renewal, chosen explicitly at creation by someone with `application.file` on that structure and
        // shown on every review page: the structure keeps its id_fs and its department (finding 2, issue 9).
        const before = await renewLabelledStructure(trx, a.renewsStructureId, a.departement, columns, now);
        if (!before)
          throw conflict(
            'La structure à renouveler n’existe plus dans ce département : la labellisation est impossible.',
          );
        return {
          set: { structure_id: a.renewsStructureId, labelled_on: today },
          log: {
            entityId: a.renewsStructureId,
            action: 'labelling.renouveler',
            before,
            after: { name: c.structureName, address: c.address, labelled_on: today, application: id },
          },
        };
      }
      // A new application creates a new structure, with an identifier of its own: the `idFs` the porteur
      // typed never selects an existing structure (security review, finding 2: an application from one
      // department could overwrite, rename and move a structure of another).
      const structureId = await insertLabelledStructure(
        trx,
        { ...columns, id_fs: `FS-${today.slice(0, 4)}-${id.slice(0, 8)}`, departement: a.departement },
        now,
      );
      return {
        set: { structure_id: structureId, labelled_on: today },
        log: {
          entityId: structureId,
          action: 'labelling.labelliser',
          before: null,
          after: { labelled_on: today, application: id },
        },
      };
    },
  },
  retirer_label: {
    async facts({ trx, a }) {
      const periodic = a.structureId
        ? (await repo.listAudits(trx, { structureId: a.structureId })).find(
            (x) => x.kind === 'periodique' && x.completed_on,
          )
        : undefined;
      return { failedPeriodicAudit: periodic?.outcome === 'non_conforme' };
    },
    async apply({ trx, a, now }, d) {
      if (!a.structureId) return {};
      await withdrawStructureLabel(trx, a.structureId, now);
      return {
        log: {
          entityId: a.structureId,
          action: 'labelling.retirer_label',
          before: { status: 'ouverte' },
          after: { status: 'fermee_definitivement', reason: d.reason },
        },
      };
    },
  },
};

/**
 * Moves an application through the state machine. The domain decides; the action's effect (the
 * table above) gathers the facts its guards need and performs the side effects (audits, corrective
 * actions, the directory entry); the transition is recorded, all in one transaction guarded by the
 * application's version.
 */
export class TransitionService {
  constructor(
    private readonly deps: LabellingDeps,
    private readonly applications: ApplicationService,
    private readonly campaigns: CampaignService,
    private readonly referentiels: ReferentielService,
    private readonly audits: AuditService,
  ) {}

  async transition(
    user: Principal,
    id: string,
    action: TransitionAction,
    input: TransitionInput = {},
  ): Promise<ApplicationView> {
    const rule = ruleFor(action);
    const a = await this.applications.application(user, id);
    authorize(user, rule.policy, applicationTarget(a));
    const campaign = await this.campaigns.campaign(a.campaignId);
    const ref = await this.referentiels.referentiel(campaign.referentielVersion);
    const now = nowOf(this.deps);
    const today = todayOf(this.deps, a.departement);
    if (input.version !== undefined && input.version !== a.version) {
      throw conflict('La candidature a changé entre-temps : rechargez la page.', 'version');
    }
    const effect = EFFECTS[action] ?? {};
    await this.deps.db.transaction().execute(async (trx) => {
      const step: Step = {
        trx,
        id,
        a,
        campaign,
        ref,
        input,
        now,
        today,
        audit: await repo.latestAudit(trx, id),
        actions: await repo.listCorrectiveActions(trx, id),
        mandatory: new Set(ref.criteria.filter((c) => c.mandatory).map((c) => c.code)),
        audits: this.audits,
      };
      const facts = effect.facts ? await effect.facts(step) : {};
      const head = {
        state: a.state,
        porteurUserId: a.porteurUserId,
        departement: a.departement,
        auditorUserId: a.auditorUserId,
      };
      const result = transition(head, action, user, now, input.reason ?? null, facts);
      const decision = {
        state: result.state,
        auditorUserId: result.auditorUserId,
        reason: result.record.reason,
      };
      const done = effect.apply ? await effect.apply(step, decision, facts) : {};
      const set: ApplicationColumns = {
        state: result.state,
        auditor_user_id: result.auditorUserId,
        ...done.set,
      };
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
      if (done.log) await appendAudit(trx, { ...actor, entity: 'structure', ...done.log });
    });
    return this.applications.application(user, id);
  }
}
