import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import { findStructureById } from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/escalade.repository.js';
import { type Action, can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import {
  checkTransition,
  countsAsAnswer,
  type DossierInput,
  deadlinesOf,
  elapsedBusinessHours,
  FIRST_ANSWER_HOURS,
  type Figures,
  figuresFromCounts,
  isEscaladePartner,
  isStatut,
  type Lateness,
  latenessOf,
  newDossier,
  nextStatuts,
  plainText,
  type Side,
  type Statut,
} from '../../domain/escalade/index.js';
import { conflict, type DomainError, invalid, notFound } from '../../domain/shared/errors.js';
import { isCodeDepartement } from '../../domain/shared/insee.js';
import type { Clock } from '../../domain/shared/time.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';
import { checkDocument } from '../../domain/shared/uploaded-files.js';
import { FileStore } from '../files/file-store.js';

/** Who acts: the signed-in person, as the audit log names them. */
export interface EscaladeActor {
  readonly principal: Principal;
  readonly label: string;
  readonly ip: string | null;
}

export const OPEN_LIST_MAX = 300;
export const CLOSED_LIST_MAX = 50;
export const MAX_ATTACHMENTS = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HIDDEN = 'Ce dossier n’existe pas, ou ne fait pas partie de votre périmètre.';
const STALE =
  'Ce dossier vient d’être modifié par quelqu’un d’autre : rien n’a été changé. Rechargez la page pour voir son état, puis recommencez si besoin.';

/** The side a role speaks for in a case; null for the roles that see counts only. */
export const sideOf = (p: Principal): Side | null =>
  p.role === 'referent_partenaire'
    ? 'referent'
    : p.role === 'agent' || p.role === 'responsable'
      ? 'agent'
      : null;

export type ListedDossier = repo.DossierListRow & Lateness;

export interface DossierView {
  readonly dossier: repo.DossierRow & Lateness;
  readonly side: Side;
  readonly structure: { id: string; name: string; communeName: string };
  readonly messages: Awaited<ReturnType<typeof repo.messagesOf>>;
  readonly notes: Awaited<ReturnType<typeof repo.notesOf>>;
  readonly attachments: repo.AttachmentRow[];
  readonly events: Awaited<ReturnType<typeof repo.eventsOf>>;
  readonly nextStatuts: readonly Statut[];
  readonly mayReassign: boolean;
}

/** The escalade capability's application service (issue 13), built once in src/composition.ts. */
export class EscaladeService {
  readonly files: FileStore;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly config: Config,
    readonly logger?: Logger,
  ) {
    this.files = new FileStore(`${config.dataDir}/escalade/pieces`);
  }

  /** The case if the principal may `action` it; 404 otherwise (as for a missing case: nothing leaks). */
  async authorised(principal: Principal, id: string, action: Action): Promise<repo.DossierRow> {
    const row = UUID.test(id) ? await repo.findDossier(this.db, id.toLowerCase()) : undefined;
    if (
      !row ||
      !can(principal, action, {
        structureId: row.structure_id,
        departement: row.departement,
        partenaire: row.partenaire,
      })
    )
      throw notFound(HIDDEN);
    return row;
  }

  private side(principal: Principal): Side {
    const s = sideOf(principal);
    if (!s) throw notFound(HIDDEN);
    return s;
  }

  // ------------------------------------------------------------------ creation

  /** The structures where the principal may file a case (their own). */
  async structuresFor(principal: Principal) {
    const out: { id: string; name: string; communeName: string; codeInsee: string; departement: string }[] =
      [];
    for (const id of principal.structureIds.slice(0, 50)) {
      const s = await findStructureById(this.db, id);
      if (s && can(principal, 'dossier.create', { structureId: s.id, departement: s.departement }))
        out.push({
          id: s.id,
          name: s.name,
          communeName: s.communeName,
          codeInsee: s.codeInsee,
          departement: s.departement,
        });
    }
    return out;
  }

  async create(
    actor: EscaladeActor,
    input: DossierInput & { structureId: unknown; accompagnementId?: string | null },
  ): Promise<{ id: string; numero: number }> {
    const structureId = typeof input.structureId === 'string' ? input.structureId : '';
    const s = UUID.test(structureId) ? await findStructureById(this.db, structureId.toLowerCase()) : null;
    if (!s || !can(actor.principal, 'dossier.create', { structureId: s.id, departement: s.departement }))
      throw invalid('structure', 'Choisissez une de vos structures.');
    const now = this.clock.now();
    const parsed = newDossier(input, localDate(now, timeZoneOf(s.codeInsee)));
    if (!parsed.ok) {
      const [first] = parsed.issues;
      const e = invalid(first?.field ?? 'dossier', first?.message ?? 'Dossier invalide.');
      (e as DomainError & { issues?: unknown }).issues = parsed.issues;
      throw e;
    }
    const d = parsed.value;
    const due = deadlinesOf(now, s.codeInsee);
    return this.db.transaction().execute(async (trx) => {
      const created = await repo.insertDossier(trx, {
        structure_id: s.id,
        commune: s.codeInsee,
        departement: s.departement,
        partenaire: d.partenaire,
        statut: 'nouveau',
        created_by: actor.principal.id,
        accompagnement_id: input.accompagnementId ?? null,
        filed_at: now,
        reminder_due: due.reminderDue,
        first_answer_due: due.firstAnswerDue,
        resolution_due: due.resolutionDue,
        first_answer_at: null,
        first_answer_bh: null,
        closed_at: null,
        close_bh: null,
        updated_at: now,
        nom: d.nom,
        prenom: d.prenom,
        date_naissance: d.dateNaissance,
        numero_partenaire: d.numeroPartenaire,
        objet: d.objet,
        consent_version: d.consentVersion,
        consent_at: now,
        consent_by: actor.principal.id,
        erased_at: null,
      });
      await repo.insertText(trx, 'dossier_messages', {
        dossier_id: created.id,
        side: 'agent',
        author_id: actor.principal.id,
        author_label: actor.label,
        body: d.message,
        at: now,
      });
      await repo.insertEvent(trx, {
        dossier_id: created.id,
        at: now,
        side: 'agent',
        actor_id: actor.principal.id,
        kind: 'creation',
        from_statut: null,
        to_statut: 'nouveau',
        from_partenaire: null,
        to_partenaire: d.partenaire,
        from_departement: null,
        to_departement: s.departement,
      });
      // The audit log names the codes, never the person.
      await appendAudit(trx, {
        at: now,
        actorId: actor.principal.id,
        actorLabel: actor.label,
        entity: 'dossier',
        entityId: created.id,
        action: 'dossier.create',
        after: { partenaire: d.partenaire, departement: s.departement, structureId: s.id, statut: 'nouveau' },
        ip: actor.ip,
      });
      return created;
    });
  }

  // ------------------------------------------------------------------ reading

  /** The principal's cases, most urgent first; late ones flagged. Scoped in SQL. */
  async list(principal: Principal): Promise<ListedDossier[]> {
    const side = sideOf(principal);
    let scope: repo.DossierScope;
    if (side === 'agent') scope = { kind: 'structures', structureIds: principal.structureIds };
    else if (side === 'referent' && principal.partner)
      scope = {
        kind: 'partner',
        partenaire: principal.partner.partenaire,
        departements: principal.partner.coordinateur ? null : principal.partner.departements,
      };
    else return [];
    const now = this.clock.now();
    const rows = await repo.listDossiers(this.db, scope, {
      openLimit: OPEN_LIST_MAX,
      closedLimit: CLOSED_LIST_MAX,
    });
    // The SQL scope already holds; the policy is asked again per row (defence in depth).
    const visible = rows.filter((r) =>
      can(principal, 'dossier.read', {
        structureId: r.structure_id,
        departement: r.departement,
        partenaire: r.partenaire,
      }),
    );
    const key = (r: ListedDossier) => r.nextDue?.getTime() ?? Number.POSITIVE_INFINITY;
    return visible.map((r) => ({ ...r, ...this.timing(r, now) })).sort((a, b) => key(a) - key(b));
  }

  private timing(
    r: Pick<
      repo.DossierRow,
      'statut' | 'first_answer_due' | 'resolution_due' | 'first_answer_at' | 'closed_at'
    >,
    now: Date,
  ) {
    return latenessOf(
      {
        statut: r.statut,
        firstAnswerDue: new Date(r.first_answer_due),
        resolutionDue: new Date(r.resolution_due),
        firstAnswerAt: r.first_answer_at ? new Date(r.first_answer_at) : null,
        closedAt: r.closed_at ? new Date(r.closed_at) : null,
      },
      now,
    );
  }

  async view(principal: Principal, id: string): Promise<DossierView> {
    const row = await this.authorised(principal, id, 'dossier.read');
    const side = this.side(principal);
    const [messages, notes, attachments, events, structure] = await Promise.all([
      repo.messagesOf(this.db, row.id),
      repo.notesOf(this.db, row.id, side),
      repo.attachmentsOf(this.db, row.id),
      repo.eventsOf(this.db, row.id),
      findStructureById(this.db, row.structure_id),
    ]);
    const target = {
      structureId: row.structure_id,
      departement: row.departement,
      partenaire: row.partenaire,
    };
    return {
      dossier: { ...row, ...this.timing(row, this.clock.now()) },
      side,
      structure: {
        id: row.structure_id,
        name: structure?.name ?? 'Structure',
        communeName: structure?.communeName ?? row.commune,
      },
      messages,
      notes,
      attachments,
      events,
      nextStatuts: can(principal, 'dossier.status', target) ? nextStatuts(side, row.statut) : [],
      mayReassign: row.statut !== 'clos' && can(principal, 'dossier.reassign', target),
    };
  }

  // ------------------------------------------------------------------ writing

  /** Records the first answer if this act counts as one (docs/ESCALADE.md). */
  private async answeredBy(
    trx: Db,
    row: repo.DossierRow,
    side: Side,
    kind: 'message' | 'statut' | 'reassignation',
    at: Date,
  ): Promise<void> {
    if (row.first_answer_at || !countsAsAnswer(side, kind)) return;
    await repo.markAnswered(trx, row.id, at, elapsedBusinessHours(new Date(row.filed_at), at, row.commune));
  }

  async addMessage(actor: EscaladeActor, id: string, body: unknown): Promise<void> {
    const row = await this.authorised(actor.principal, id, 'dossier.answer');
    const side = this.side(actor.principal);
    if (row.statut === 'clos') throw conflict('Ce dossier est clos : on ne peut plus y écrire.', 'message');
    const text = plainText(body, 'message');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      await repo.insertText(trx, 'dossier_messages', {
        dossier_id: row.id,
        side,
        author_id: actor.principal.id,
        author_label: actor.label,
        body: text,
        at: now,
      });
      await this.answeredBy(trx, row, side, 'message', now);
      await repo.touchDossier(trx, row.id, now);
      await appendAudit(trx, {
        at: now,
        actorId: actor.principal.id,
        actorLabel: actor.label,
        entity: 'dossier',
        entityId: row.id,
        action: 'dossier.message',
        after: { side, length: text.length },
        ip: actor.ip,
      });
    });
  }

  async addNote(actor: EscaladeActor, id: string, body: unknown): Promise<void> {
    const row = await this.authorised(actor.principal, id, 'dossier.answer');
    const side = this.side(actor.principal);
    const text = plainText(body, 'note');
    await repo.insertText(this.db, 'dossier_notes', {
      dossier_id: row.id,
      side,
      author_id: actor.principal.id,
      author_label: actor.label,
      body: text,
      at: this.clock.now(),
    });
  }

  /** An attachment: the labellisation checks (type from content, size), stored outside the web root. */
  async upload(actor: EscaladeActor, id: string, bytes: Uint8Array, fileName: string): Promise<void> {
    const row = await this.authorised(actor.principal, id, 'dossier.answer');
    const side = this.side(actor.principal);
    if (row.statut === 'clos')
      throw conflict('Ce dossier est clos : on ne peut plus y joindre de pièce.', 'file');
    if ((await repo.countAttachments(this.db, row.id)) >= MAX_ATTACHMENTS)
      throw invalid('file', `Au plus ${MAX_ATTACHMENTS} pièces par dossier.`);
    const checked = await checkDocument(bytes, fileName, this.config.uploadMaxBytes, 'file');
    const fileId = randomUUID();
    const now = this.clock.now();
    await this.files.put(fileId, bytes);
    try {
      await this.db.transaction().execute(async (trx) => {
        await repo.insertAttachment(trx, {
          id: fileId,
          dossier_id: row.id,
          side,
          name: checked.name,
          mime: checked.mime,
          size: checked.size,
          sha256: FileStore.sha256(bytes),
          uploaded_by: actor.principal.id,
          at: now,
        });
        await appendAudit(trx, {
          at: now,
          actorId: actor.principal.id,
          actorLabel: actor.label,
          entity: 'dossier',
          entityId: row.id,
          action: 'dossier.attachment',
          after: { side, mime: checked.mime, size: checked.size },
          ip: actor.ip,
        });
      });
    } catch (e) {
      await this.files.remove(fileId);
      throw e;
    }
  }

  /** An attachment's bytes, only for the two sides of the case (404 otherwise). */
  async attachment(principal: Principal, id: string, attachmentId: string) {
    const row = await this.authorised(principal, id, 'dossier.read');
    const a = UUID.test(attachmentId)
      ? await repo.findAttachment(this.db, row.id, attachmentId.toLowerCase())
      : undefined;
    if (!a) throw notFound('Pièce introuvable.');
    return { row: a, bytes: await this.files.get(a.id) };
  }

  private version(value: unknown): number {
    const v = typeof value === 'string' ? Number(value) : value;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1)
      throw invalid('version', 'Version du dossier manquante : rechargez la page, puis recommencez.');
    return v;
  }

  async changeStatus(actor: EscaladeActor, id: string, to: unknown, version: unknown): Promise<void> {
    const row = await this.authorised(actor.principal, id, 'dossier.status');
    const side = this.side(actor.principal);
    if (!isStatut(to)) throw invalid('statut', 'Choisissez un statut.');
    const expected = this.version(version);
    if (expected !== row.version) throw conflict(STALE, 'version');
    checkTransition(side, row.statut, to);
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const updated = await repo.updateDossierAt(trx, row.id, expected, {
        statut: to,
        updated_at: now,
        ...(to === 'clos'
          ? { closed_at: now, close_bh: elapsedBusinessHours(new Date(row.filed_at), now, row.commune) }
          : {}),
      });
      if (!updated) throw conflict(STALE, 'version');
      await this.answeredBy(trx, row, side, 'statut', now);
      await repo.insertEvent(trx, {
        dossier_id: row.id,
        at: now,
        side,
        actor_id: actor.principal.id,
        kind: 'statut',
        from_statut: row.statut,
        to_statut: to,
        from_partenaire: null,
        to_partenaire: null,
        from_departement: null,
        to_departement: null,
      });
      await appendAudit(trx, {
        at: now,
        actorId: actor.principal.id,
        actorLabel: actor.label,
        entity: 'dossier',
        entityId: row.id,
        action: 'dossier.status',
        before: { statut: row.statut },
        after: { statut: to },
        ip: actor.ip,
      });
    });
  }

  /** To another partner and/or department: back to `nouveau` for its new référents. */
  async reassign(
    actor: EscaladeActor,
    id: string,
    input: { partenaire: unknown; departement: unknown; version: unknown },
  ): Promise<void> {
    const row = await this.authorised(actor.principal, id, 'dossier.reassign');
    const side = this.side(actor.principal);
    if (row.statut === 'clos')
      throw conflict('Ce dossier est clos : il ne peut plus être réorienté.', 'partenaire');
    if (!isEscaladePartner(input.partenaire))
      throw invalid('partenaire', 'Choisissez le partenaire destinataire.');
    const departement = typeof input.departement === 'string' ? input.departement.trim().toUpperCase() : '';
    if (departement.length > 3 || !isCodeDepartement(departement))
      throw invalid('departement', 'Indiquez un code de département (ex. 02, 2A, 971).');
    if (input.partenaire === row.partenaire && departement === row.departement)
      throw invalid('partenaire', 'Choisissez un autre partenaire ou un autre département.');
    const expected = this.version(input.version);
    if (expected !== row.version) throw conflict(STALE, 'version');
    const now = this.clock.now();
    await this.db.transaction().execute(async (trx) => {
      const updated = await repo.updateDossierAt(trx, row.id, expected, {
        partenaire: input.partenaire as string,
        departement,
        statut: 'nouveau',
        updated_at: now,
      });
      if (!updated) throw conflict(STALE, 'version');
      await repo.insertEvent(trx, {
        dossier_id: row.id,
        at: now,
        side,
        actor_id: actor.principal.id,
        kind: 'reassignation',
        from_statut: row.statut,
        to_statut: 'nouveau',
        from_partenaire: row.partenaire,
        to_partenaire: input.partenaire as string,
        from_departement: row.departement,
        to_departement: departement,
      });
      await appendAudit(trx, {
        at: now,
        actorId: actor.principal.id,
        actorLabel: actor.label,
        entity: 'dossier',
        entityId: row.id,
        action: 'dossier.reassign',
        before: { partenaire: row.partenaire, departement: row.departement, statut: row.statut },
        after: { partenaire: input.partenaire, departement, statut: 'nouveau' },
        ip: actor.ip,
      });
    });
  }

  // ------------------------------------------------------------------ counts and figures

  /** Counts only (no contents): an animateur's department, or the whole country for the national team. */
  async counts(principal: Principal, departement: string | null): Promise<repo.CountRow[]> {
    const allowed =
      departement === null
        ? can(principal, 'dossier.counts', {})
        : can(principal, 'dossier.counts', { departement });
    if (!allowed) throw notFound('Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
    return repo.countDossiers(this.db, departement, this.clock.now());
  }

  /**
   * The pilotage dashboard's escalation section (issue 14): per partner, over the cases filed in [from, to)
   * by a territory the caller was already authorised for (`PilotageService.authorise`), the share of first
   * answers within 72 business hours, and the medians. The last row (partenaire '') is the whole territory.
   */
  async figuresForTerritory(
    territory: {
      readonly departements: readonly string[];
      readonly structure: { readonly id: string } | null;
    },
    from: Date,
    to: Date,
  ): Promise<Figures[]> {
    const figures = figuresFromCounts(
      await repo.figureCounts(this.db, {
        from,
        to,
        now: this.clock.now(),
        firstAnswerHours: FIRST_ANSWER_HOURS,
        perDepartement: false,
        departements: territory.departements,
        structureId: territory.structure?.id ?? null,
      }),
    );
    // The whole territory's row comes last.
    return [...figures.filter((f) => f.partenaire !== ''), ...figures.filter((f) => f.partenaire === '')];
  }

  /**
   * Figures per partner × department over cases filed in [from, to] (at most 366 days): the national team
   * for every partner, a partner's coordinator for theirs.
   */
  async figures(
    principal: Principal,
    o: { from: Date; to: Date; partenaire: string | null },
  ): Promise<Figures[]> {
    const partenaire =
      principal.role === 'referent_partenaire' ? (principal.partner?.partenaire ?? null) : o.partenaire;
    if (!can(principal, 'dossier.figures', partenaire ? { partenaire } : {}))
      throw notFound('Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
    if (o.to.getTime() - o.from.getTime() > 367 * 86_400_000 || o.to < o.from)
      throw invalid('du', 'Choisissez une période d’un an au plus.');
    return figuresFromCounts(
      await repo.figureCounts(this.db, {
        ...o,
        partenaire,
        now: this.clock.now(),
        firstAnswerHours: FIRST_ANSWER_HOURS,
        perDepartement: true,
      }),
    );
  }
}
