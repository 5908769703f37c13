import type { Selectable } from 'kysely';
import type { AppContext } from '../../composition.js';
import { listOutbox, membersOf } from '../../db/repositories/accounts.repository.js';
import { appendAudit, listAudit } from '../../db/repositories/audit.repository.js';
import {
  departmentOverview,
  findScopedStructure,
  listScopedStructures,
  recordStatusChange,
  statusCountsAt,
  updateStructureIfVersion,
} from '../../db/repositories/directory.repository.js';
import type { StructuresTable } from '../../db/schema/directory.js';
import { type Action, can } from '../../domain/accounts/policy.js';
import type { Principal } from '../../domain/accounts/roles.js';
import { type StatusChangeInput, validateStatusChange } from '../../domain/backoffice/status-change.js';
import {
  changedFields,
  hoursAsText,
  type StructureEditInput,
  validateStructureEdit,
} from '../../domain/backoffice/structure-edit.js';
import type { Weekday } from '../../domain/directory/opening-hours.js';
import { DomainError, notFound } from '../../domain/shared/errors.js';
import { localDate, timeZoneOfPlace } from '../../domain/shared/time-zone.js';

export type StructureRow = Selectable<StructuresTable>;

export interface Actor {
  readonly principal: Principal;
  readonly label: string;
  readonly ip: string | null;
}

const NOT_FOUND = 'Cette structure n’existe pas, ou ne fait pas partie de votre périmètre.';

/** Out of scope and absent answer alike (404); an out-of-scope attempt is logged and audited. */
export async function loadScopedStructure(
  ctx: AppContext,
  actor: Actor,
  action: Action,
  id: string,
): Promise<StructureRow> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
  const row = isUuid ? await findScopedStructure(ctx.db, actor.principal, action, id) : undefined;
  if (row) return row;
  await recordDenied(ctx, actor, action, 'structure', id.slice(0, 100));
  throw notFound(NOT_FOUND);
}

export async function recordDenied(
  ctx: AppContext,
  actor: Actor,
  action: string,
  entity: string,
  entityId: string,
) {
  ctx.logger.warn(
    { userId: actor.principal.id, action, entity, entityId, ip: actor.ip },
    'accès hors périmètre refusé',
  );
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity,
    entityId,
    action: 'access.denied',
    after: { attempted: action },
    ip: actor.ip,
  });
}

/** What the back office shows and edits, in audit-log form (JSON-friendly, stable keys). */
export function editableSnapshot(s: StructureRow): Record<string, unknown> {
  return {
    emails: s.emails,
    telephones: s.telephones,
    hours: hoursAsText(s.hours as Record<Weekday, { start: number; end: number }[]>),
    closures: s.closures,
    partners: s.partners,
    appointment: s.appointment,
    comment: s.comment,
    description: s.description,
  };
}

export class VersionConflict extends DomainError {
  constructor(readonly current: StructureRow) {
    super(
      'conflict',
      'Quelqu’un a modifié cette structure depuis que vous avez ouvert le formulaire. Vos modifications n’ont pas été enregistrées : relisez la version actuelle ci-dessous, puis saisissez-les de nouveau.',
      'version',
    );
  }
}

async function conflictOrMissing(ctx: AppContext, actor: Actor, action: Action, id: string): Promise<never> {
  throw new VersionConflict(await loadScopedStructure(ctx, actor, action, id));
}

function checkVersion(version: unknown): number {
  const v = typeof version === 'string' ? Number(version) : version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2_147_483_647)
    throw new DomainError('invalid', 'Version du formulaire manquante : rechargez la page.', 'version');
  return v;
}

export async function editStructure(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: unknown,
  input: StructureEditInput,
): Promise<{ structure: StructureRow; notices: string[] }> {
  const expected = checkVersion(version);
  const edit = validateStructureEdit(input);
  const before = await loadScopedStructure(ctx, actor, 'structure.edit', id);
  // Remote reception needs a contact: it cannot be removed while the status depends on it.
  if (before.status === 'accueil_a_distance' && edit.emails.length === 0 && edit.telephones.length === 0)
    throw new DomainError(
      'invalid',
      'Cette structure est en accueil à distance : gardez au moins un téléphone ou une adresse électronique.',
      'telephone',
    );
  const now = ctx.clock.now();
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const row = await updateStructureIfVersion(
      trx,
      before.id,
      expected,
      {
        emails: edit.emails,
        telephones: edit.telephones,
        hours: JSON.stringify(edit.hours),
        closures: JSON.stringify(edit.closures),
        partners: edit.partners,
        appointment: edit.appointment,
        comment: edit.comment,
        description: edit.description,
      },
      now,
    );
    if (!row) return undefined;
    const diff = changedFields(editableSnapshot(before), editableSnapshot(row));
    await appendAudit(trx, {
      at: now,
      actorId: actor.principal.id,
      actorLabel: actor.label,
      entity: 'structure',
      entityId: before.id,
      action: Object.keys(diff.after).length ? 'structure.edit' : 'structure.confirm',
      before: diff.before,
      after: diff.after,
      ip: actor.ip,
    });
    return row;
  });
  if (!updated) return conflictOrMissing(ctx, actor, 'structure.edit', id);
  ctx.locator?.invalidate();
  return { structure: updated, notices: edit.notices };
}

export async function changeStatus(
  ctx: AppContext,
  actor: Actor,
  id: string,
  version: unknown,
  input: StatusChangeInput,
): Promise<StructureRow> {
  const expected = checkVersion(version);
  const before = await loadScopedStructure(ctx, actor, 'structure.set_status', id);
  const now = ctx.clock.now();
  const change = validateStatusChange(input, {
    current: before.status,
    email: before.emails[0] ?? null,
    telephone: before.telephones[0] ?? null,
    today: localDate(now, timeZoneOfPlace({ codeInsee: before.code_insee, departement: before.departement })),
    mayClosePermanently: can(actor.principal, 'structure.close_permanently', {
      structureId: before.id,
      departement: before.departement,
    }),
  });
  const updated = await ctx.db.transaction().execute(async (trx) => {
    const row = await updateStructureIfVersion(
      trx,
      before.id,
      expected,
      { status: change.status, status_until: change.until },
      now,
    );
    if (!row) return undefined;
    if (before.status !== change.status)
      await recordStatusChange(trx, {
        structureId: before.id,
        at: now,
        from: before.status,
        to: change.status,
        until: change.until,
      });
    await appendAudit(trx, {
      at: now,
      actorId: actor.principal.id,
      actorLabel: actor.label,
      entity: 'structure',
      entityId: before.id,
      action: 'structure.set_status',
      before: { status: before.status, statusUntil: before.status_until },
      after: { status: change.status, statusUntil: change.until },
      ip: actor.ip,
    });
    return row;
  });
  if (!updated) return conflictOrMissing(ctx, actor, 'structure.set_status', id);
  ctx.locator?.invalidate();
  return updated;
}

export async function structureHistory(ctx: AppContext, actor: Actor, id: string) {
  const structure = await loadScopedStructure(ctx, actor, 'structure.history', id);
  return { structure, entries: await listAudit(ctx.db, 'structure', structure.id) };
}

// The back office's other reads, so that its routes hold no query (issue 11). Each route checks the policy
// first; the structure lists are scoped in SQL by the same policy.

/** The structures a user may see for an action, at most `limit`. */
export const scopedStructures = (ctx: AppContext, principal: Principal, action: Action, limit: number) =>
  listScopedStructures(ctx.db, principal, action, limit);

/** A department's structures with their last status change, in the user's scope. */
export const departmentStructures = (ctx: AppContext, principal: Principal, code: string) =>
  departmentOverview(ctx.db, principal, code);

/** Structures by status at an instant (national view). */
export const statusCounts = (ctx: AppContext, at: Date) => statusCountsAt(ctx.db, at);

/** The agents and managers of a structure. */
export const structureMembers = (ctx: AppContext, structureId: string) => membersOf(ctx.db, structureId);

/** Mails waiting in the outbox (no SMTP configured). */
export const outboxMails = (ctx: AppContext) => listOutbox(ctx.db);
