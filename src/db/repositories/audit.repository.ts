import type { Kysely } from 'kysely';
import type { DB } from '../schema/index.js';

/**
 * The generic, append-only audit log (a database trigger refuses UPDATE and DELETE).
 * Every capability writes its changes here, in the same transaction as the change:
 * `appendAudit(trx, {actor, entity: 'structure', entityId, action: 'structure.edit', before, after})`.
 */
export interface AuditEntry {
  readonly at: Date;
  readonly actorId: string | null;
  /** Who, as shown in history pages (name and e-mail, or `système`, `ligne de commande`). */
  readonly actorLabel: string;
  readonly entity: string;
  readonly entityId: string;
  readonly action: string;
  readonly before?: Record<string, unknown> | null;
  readonly after?: Record<string, unknown> | null;
  readonly ip?: string | null;
}

export async function appendAudit(trx: Kysely<DB>, e: AuditEntry): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at: e.at,
      actor_id: e.actorId,
      actor_label: e.actorLabel,
      entity: e.entity,
      entity_id: e.entityId,
      action: e.action,
      before: e.before == null ? null : JSON.stringify(e.before),
      after: e.after == null ? null : JSON.stringify(e.after),
      ip: e.ip ?? null,
    })
    .execute();
}

/** An entity's history, newest first. */
export const listAudit = (db: Kysely<DB>, entity: string, entityId: string, limit = 200) =>
  db
    .selectFrom('audit_log')
    .selectAll()
    .where('entity', '=', entity)
    .where('entity_id', '=', entityId)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
