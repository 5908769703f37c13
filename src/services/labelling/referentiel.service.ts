import * as repo from '../../db/repositories/labelling.repository.js';
import type { Principal } from '../../domain/accounts/index.js';
import {
  publishReferentiel,
  REFERENTIEL_2025_06,
  type Referentiel,
  type ReferentielData,
} from '../../domain/labelling/index.js';
import { notFound } from '../../domain/shared/errors.js';
import { authorize, type LabellingDeps } from './shared.js';

/** The published référentiels (criteria of the label), immutable once published. */
export class ReferentielService {
  constructor(private readonly deps: LabellingDeps) {}

  /** Published référentiels, newest first; the first version ships with the code and is published on first use. */
  async referentiels(): Promise<Referentiel[]> {
    let list = await repo.listReferentiels(this.deps.db);
    if (list.length === 0) {
      await repo.insertReferentiel(
        this.deps.db,
        publishReferentiel(REFERENTIEL_2025_06, [], this.deps.clock.now()),
        null,
      );
      list = await repo.listReferentiels(this.deps.db);
    }
    return list;
  }

  async referentiel(version: string): Promise<Referentiel> {
    const ref = (await this.referentiels()).find((r) => r.version === version);
    if (!ref) throw notFound(`Référentiel ${version} introuvable.`);
    return ref;
  }

  async publishReferentiel(user: Principal, draft: ReferentielData): Promise<Referentiel> {
    authorize(user, 'referentiel.publish');
    const existing = (await this.referentiels()).map((r) => r.version);
    const ref = publishReferentiel(draft, existing, this.deps.clock.now());
    await repo.insertReferentiel(this.deps.db, ref, user.id);
    return ref;
  }
}
