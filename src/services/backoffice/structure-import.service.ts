import { createHash } from 'node:crypto';
import type { AppContext } from '../../composition.js';
import { appendAudit } from '../../db/repositories/audit.repository.js';
import { replaceDraft, takeDraft } from '../../db/repositories/import-drafts.repository.js';
import { can } from '../../domain/accounts/policy.js';
import { DomainError } from '../../domain/shared/errors.js';
import { type ImportReport, importStructures } from '../directory/import.service.js';
import type { Actor } from './structure-admin.service.js';

/**
 * The official list, imported from the back office (issue 16) by the national administrator: an upload gives
 * the dry-run report and keeps the file as a draft; a confirmation imports that very file (checked by its
 * SHA-256), at most once, within an hour. The same import service as the CLI, so the reports are the same.
 */
export const IMPORT_DRAFT_TTL_MS = 60 * 60 * 1000;
/** The 2024 official file is 1.2 MB: 20 MB leaves room for growth and refuses what is not that file. */
export const IMPORT_MAX_BYTES = 20 * 1024 * 1024;

function authorise(actor: Actor): void {
  if (!can(actor.principal, 'directory.import'))
    throw new DomainError('not_found', 'Cette page n’existe pas, ou ne fait pas partie de votre périmètre.');
}

export async function previewImport(
  ctx: AppContext,
  actor: Actor,
  bytes: Uint8Array,
  fileName: string,
): Promise<{ draftId: string; report: ImportReport; source: string }> {
  authorise(actor);
  if (bytes.length === 0) throw new DomainError('invalid', 'Le fichier est vide.', 'file');
  if (bytes.length > IMPORT_MAX_BYTES)
    throw new DomainError('too_large', 'Fichier trop volumineux : 20 Mo au plus.', 'file');
  const source = fileName.replace(/[^\p{L}\p{N} ._()-]/gu, '_').slice(0, 200) || 'fichier.csv';
  const report = await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, {
    source,
    dryRun: true,
  });
  const draftId = await replaceDraft(ctx.db, {
    userId: actor.principal.id,
    source,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    content: Buffer.from(bytes).toString('base64'),
    olderThan: new Date(ctx.clock.now().getTime() - IMPORT_DRAFT_TTL_MS),
  });
  return { draftId, report, source };
}

export async function confirmImport(
  ctx: AppContext,
  actor: Actor,
  draftId: string,
): Promise<{ report: ImportReport; source: string }> {
  authorise(actor);
  const draft = await takeDraft(
    ctx.db,
    draftId,
    actor.principal.id,
    new Date(ctx.clock.now().getTime() - IMPORT_DRAFT_TTL_MS),
  );
  if (!draft)
    throw new DomainError(
      'conflict',
      'Ce fichier n’attend plus de confirmation (déjà importé, remplacé par un autre envoi, ou envoyé il y a plus d’une heure). Envoyez-le de nouveau.',
      'draft',
    );
  const bytes = Buffer.from(draft.content, 'base64');
  if (createHash('sha256').update(bytes).digest('hex') !== draft.sha256)
    throw new DomainError('conflict', 'Le fichier en attente est altéré : envoyez-le de nouveau.', 'draft');
  const report = await importStructures({ db: ctx.db, communes: ctx.geography.communes }, bytes, {
    source: draft.source,
  });
  ctx.locator.invalidate();
  await appendAudit(ctx.db, {
    at: ctx.clock.now(),
    actorId: actor.principal.id,
    actorLabel: actor.label,
    entity: 'directory',
    entityId: draft.sha256.slice(0, 16),
    action: 'directory.import',
    after: {
      source: draft.source,
      created: report.created,
      updated: report.updated,
      unchanged: report.unchanged,
      rejected: report.rejected.length,
    },
    ip: actor.ip,
  });
  return { report, source: draft.source };
}
