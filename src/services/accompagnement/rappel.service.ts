import type { Logger } from 'pino';
import type { Db } from '../../db/database.js';
import { findStructureById } from '../../db/repositories/directory.repository.js';
import type { InboxTab, RappelRow } from '../../db/repositories/rappel.repository.js';

export type { InboxTab };

import * as repo from '../../db/repositories/rappel.repository.js';
import {
  contactErasureCutoff,
  type DemandeRappel,
  delaiRappel,
  demandeRappel,
  PARTENAIRES,
  type Partenaire,
  RAPPEL_LIMITS,
  type RappelStatut,
  rappelDueAt,
  zoneOfStructure,
} from '../../domain/accompagnement/index.js';
import { can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import type { Structure } from '../../domain/directory/structure.js';
import { conflict, invalid, notFound } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import type { TimeZone } from '../../domain/shared/time-zone.js';
import type { AccompagnementService, CounterForm } from './accompagnement.service.js';

/** A structure as the call-back pages need it. */
export interface RappelStructure {
  readonly id: string;
  readonly idFs: string;
  readonly name: string;
  readonly departement: string;
  readonly zone: TimeZone;
  /** Its commune (INSEE): business days are counted on its calendar. */
  readonly commune: string | null;
  readonly status: Structure['status'];
  /** The partners the person may choose: the structure's own (all nine if the list says none), and `autre`. */
  readonly partenaires: readonly Partenaire[];
}

export interface Inbox {
  readonly structure: RappelStructure;
  readonly tab: InboxTab;
  readonly rows: readonly RappelRow[];
  readonly counts: Awaited<ReturnType<typeof repo.countOpen>>;
  readonly delaiJours: number;
  readonly mayConfigure: boolean;
  readonly now: Date;
  /** Who looks: their own requests may be put back in the common list. */
  readonly viewerId: string;
}

const INBOX_LIMIT = 200;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Statuses that take call-back requests: not while the structure is closed. */
const TAKES_REQUESTS: ReadonlySet<Structure['status']> = new Set(['ouverte', 'accueil_a_distance']);

const refOf = (s: Structure): RappelStructure => ({
  id: s.id,
  idFs: s.idFs,
  name: s.name,
  departement: s.departement,
  zone: zoneOfStructure(s.codeInsee),
  commune: s.codeInsee,
  status: s.status,
  partenaires: s.partners.length > 0 ? [...s.partners, 'autre'] : PARTENAIRES,
});

/**
 * Remote reception: the public "Être rappelé(e)" form, the structure's inbox, the handling of a request
 * (which records an accompaniment) and the erasure of contact details 30 days after closing.
 */
export class RappelService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly accompagnement: AccompagnementService,
    private readonly logger?: Logger,
  ) {}

  // ------------------------------------------------------------------- the public side

  /** The structure of a public page, if it takes call-back requests now; null otherwise. */
  async publicStructure(idOrIdFs: string): Promise<RappelStructure | null> {
    const s = await findStructureById(this.db, idOrIdFs);
    return s && TAKES_REQUESTS.has(s.status) ? refOf(s) : null;
  }

  async delaiOf(structureId: string): Promise<number> {
    return (await repo.delaiOf(this.db, structureId)) ?? RAPPEL_LIMITS.defaultDays;
  }

  /**
   * Files a request from the public form. Throws `invalid(field, …)` on bad input, `notFound` when the
   * structure does not take requests. Returns the request's id and when it is due.
   */
  async submit(
    idOrIdFs: string,
    form: Partial<Record<'nom' | 'telephone' | 'email' | 'partenaire' | 'description' | 'creneau', unknown>>,
  ): Promise<{ id: string; dueAt: Date; structure: RappelStructure; demande: DemandeRappel }> {
    const s = await findStructureById(this.db, idOrIdFs);
    if (!s || !TAKES_REQUESTS.has(s.status))
      throw notFound('Cette France Services ne prend pas de demande de rappel en ce moment.');
    const demande = demandeRappel(form);
    if (!refOf(s).partenaires.includes(demande.partenaire))
      throw invalid(
        'partenaire',
        'Cette France Services n’accompagne pas les démarches de cet organisme : choisissez « Autre, ou je ne sais pas ».',
      );
    const now = this.clock.now();
    const dueAt = rappelDueAt(now, await this.delaiOf(s.id), s.codeInsee);
    const row = await repo.insertDemande(this.db, {
      structureId: s.id,
      recuLe: now,
      dueAt,
      ...demande,
    });
    this.logger?.info({ structure: s.idFs, demande: row.id }, 'demande de rappel reçue');
    return { id: row.id, dueAt, structure: refOf(s), demande };
  }

  /**
   * What the confirmation page may show: the due time and how the person will be answered, never the
   * contact itself (the URL could be shared). Only for a request of that structure, less than a day old.
   */
  async confirmation(
    idOrIdFs: string,
    requestId: string,
  ): Promise<{ structure: RappelStructure; dueAt: Date; by: 'telephone' | 'email' } | null> {
    if (!UUID.test(requestId)) return null;
    const s = await findStructureById(this.db, idOrIdFs);
    const r = s ? await repo.findDemande(this.db, requestId) : undefined;
    if (!s || !r || r.structure_id !== s.id) return null;
    if (this.clock.now().getTime() - new Date(r.recu_le).getTime() > 86_400_000) return null;
    return { structure: refOf(s), dueAt: new Date(r.due_at), by: r.telephone ? 'telephone' : 'email' };
  }

  // ------------------------------------------------------------------- the inbox

  async #structureFor(
    principal: Principal,
    action: 'rappel.handle' | 'rappel.settings',
    structureId?: string,
  ): Promise<RappelStructure> {
    const id = structureId ?? principal.structureIds[0];
    const s = id && UUID.test(id) ? await findStructureById(this.db, id) : null;
    if (!s || !can(principal, action, { structureId: s.id, departement: s.departement }))
      throw notFound('Cette structure ne fait pas partie de votre périmètre.');
    return refOf(s);
  }

  async inbox(principal: Principal, structureId: string | undefined, tab: InboxTab): Promise<Inbox> {
    const structure = await this.#structureFor(principal, 'rappel.handle', structureId);
    const now = this.clock.now();
    const [rows, counts, delaiJours] = await Promise.all([
      repo.listInbox(this.db, { structureId: structure.id, tab, agentId: principal.id, limit: INBOX_LIMIT }),
      repo.countOpen(this.db, structure.id, principal.id, now),
      this.delaiOf(structure.id),
    ]);
    return {
      structure,
      tab,
      rows,
      counts,
      delaiJours,
      mayConfigure: can(principal, 'rappel.settings', { structureId: structure.id }),
      now,
      viewerId: principal.id,
    };
  }

  /** One request the user may handle (their structure's), or 404. */
  async demande(principal: Principal, id: string): Promise<{ row: RappelRow; structure: RappelStructure }> {
    const row = UUID.test(id) ? await repo.findDemande(this.db, id.toLowerCase()) : undefined;
    if (!row) throw notFound('Demande de rappel introuvable.');
    const structure = await this.#structureFor(principal, 'rappel.handle', row.structure_id);
    return { row, structure };
  }

  async #move(
    principal: Principal,
    id: string,
    version: unknown,
    from: readonly RappelStatut[],
    set: Parameters<typeof repo.transition>[4],
  ): Promise<RappelRow> {
    const { row } = await this.demande(principal, id);
    const v = parseVersion(version);
    const moved = await repo.transition(this.db, row.id, v, from, set);
    if (!moved)
      throw conflict(
        'Cette demande vient d’être modifiée par quelqu’un d’autre (prise, libérée ou close) : la liste a été mise à jour.',
      );
    return moved;
  }

  /** "Je m'en occupe": of two agents taking it at once, one wins; the other is told. */
  take(principal: Principal, id: string, version: unknown): Promise<RappelRow> {
    return this.#move(principal, id, version, ['nouvelle'], {
      statut: 'prise',
      agent_id: principal.id,
      pris_le: this.clock.now(),
    });
  }

  /** Puts a request back in the common list. */
  release(principal: Principal, id: string, version: unknown): Promise<RappelRow> {
    return this.#move(principal, id, version, ['prise'], {
      statut: 'nouvelle',
      agent_id: null,
      pris_le: null,
    });
  }

  /** Closes without an accompaniment (the person could not be reached, or withdrew). */
  closeWithoutFollowUp(principal: Principal, id: string, version: unknown): Promise<RappelRow> {
    return this.#move(principal, id, version, ['nouvelle', 'prise'], {
      statut: 'sans_suite',
      agent_id: principal.id,
      clos_le: this.clock.now(),
      clos_par: principal.id,
    });
  }

  /**
   * Handles a request: records the accompaniment (by telephone or e-mail) and closes the request.
   * The accompaniment's id IS the request's id, so the record cannot be written twice: a double
   * submit is "unchanged", and a second agent handling the same request differently gets a conflict.
   */
  async handle(principal: Principal, id: string, version: unknown, form: CounterForm): Promise<RappelRow> {
    const { row, structure } = await this.demande(principal, id);
    if (row.statut === 'traitee' && row.accompagnement_id === row.id) return row; // a double submit
    if (row.statut !== 'nouvelle' && row.statut !== 'prise') throw conflict('Cette demande est déjà close.');
    if (form.canal !== 'telephone' && form.canal !== 'courriel')
      throw invalid('canal', 'Une demande de rappel se traite par téléphone ou par courriel.');
    const v = parseVersion(version);
    await this.accompagnement.recordFromForm(principal, structure.id, { ...form, id: row.id }, 'rappel');
    const closed = await repo.transition(this.db, row.id, v, ['nouvelle', 'prise'], {
      statut: 'traitee',
      agent_id: row.agent_id ?? principal.id,
      clos_le: this.clock.now(),
      clos_par: principal.id,
      accompagnement_id: row.id,
    });
    if (closed) return closed;
    const now = await repo.findDemande(this.db, row.id);
    if (now?.statut === 'traitee' && now.accompagnement_id === row.id) return now;
    throw conflict('Cette demande vient d’être modifiée par quelqu’un d’autre : la liste a été mise à jour.');
  }

  async setDelai(principal: Principal, structureId: string | undefined, value: unknown): Promise<number> {
    const structure = await this.#structureFor(principal, 'rappel.settings', structureId);
    const days = delaiRappel(value);
    await repo.setDelai(this.db, structure.id, days, principal.id, this.clock.now());
    return days;
  }

  // ------------------------------------------------------------------- retention

  /** Erases the contact details of requests closed more than 30 days ago (run by `activity purge`). */
  async purgeContacts(): Promise<number> {
    const now = this.clock.now();
    const n = await repo.eraseContactsClosedBefore(this.db, contactErasureCutoff(now), now);
    this.logger?.info(
      { erased: n },
      'coordonnées des demandes de rappel effacées (closes depuis plus de 30 jours)',
    );
    return n;
  }
}

function parseVersion(value: unknown): number {
  const n = typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 1e9)
    throw invalid('version', 'Version de la demande manquante : rechargez la page.');
  return n;
}
