import { findStructureById } from '../../db/repositories/directory.repository.js';
import * as repo from '../../db/repositories/labelling.repository.js';
import type { Target } from '../../domain/accounts/index.js';
import { applicationTarget, type LabellingDeps } from './shared.js';

/**
 * The policy targets the labelling routes declare (`requirePolicy(ctx, action, target)`): what an
 * application, an audit or a document belongs to. Null when it does not exist (then a 404).
 */
export class LabellingPolicyTargets {
  constructor(private readonly deps: Pick<LabellingDeps, 'db'>) {}

  async application(id: string): Promise<Target | null> {
    const a = await repo.findApplication(this.deps.db, id);
    return a
      ? applicationTarget({
          departement: a.departement,
          porteurUserId: a.porteur_user_id,
          auditorUserId: a.auditor_user_id,
        })
      : null;
  }

  async audit(id: string): Promise<Target | null> {
    const audit = await repo.findAudit(this.deps.db, id);
    if (!audit) return null;
    if (audit.application_id) {
      const a = await repo.findApplication(this.deps.db, audit.application_id);
      return {
        departement: a?.departement ?? null,
        ownerId: a?.porteur_user_id ?? null,
        assignedTo: [audit.auditor_user_id],
      };
    }
    const s = audit.structure_id ? await findStructureById(this.deps.db, audit.structure_id) : null;
    return { departement: s?.departement ?? null, assignedTo: [audit.auditor_user_id] };
  }

  async document(id: string): Promise<Target | null> {
    const d = await repo.findDocument(this.deps.db, id);
    if (!d) return null;
    return this.application(d.application_id);
  }
}
