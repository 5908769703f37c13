import * as repo from '../../db/repositories/labelling.repository.js';
import type { Principal } from '../../domain/accounts/index.js';
import {
  publishReferentiel,
  REFERENTIEL_2025_06,
  type Referentiel,
  type ReferentielData,
} from '../../domain/labelling/index.js';
import { invalid, notFound } from '../../domain/shared/errors.js';
import { authorize, type LabellingDeps } from './shared.js';

/** The published référentiels (criteria of the label), immutable once published. */
export class ReferentielService {
  constructor(private readonly deps: LabellingDeps) {}

  /** Published référentiels, newest first. None until someone decides to publish one (docs/adr/0003-labelling.md). */
  async referentiels(): Promise<Referentiel[]> {
    return repo.listReferentiels(this.deps.db);
  }

  /** The newest published référentiel (periodic audits use it); refused while none is published. */
  async latest(): Promise<Referentiel> {
    const [newest] = await this.referentiels();
    if (!newest)
      throw invalid(
        'referentiel',
        'Aucun référentiel n’est publié : l’équipe nationale doit d’abord publier le référentiel (maillage labelling publish-referentiel).',
      );
    return newest;
  }

  /**
   * Publishes the référentiel shipped with the code (REFERENTIEL_2025_06, a transcription of the
   * June 2025 charte to check against the official text), by an operator's decision:
   * `maillage labelling publish-referentiel`. Null when that version is already published.
   */
  async publishShipped(): Promise<Referentiel | null> {
    const existing = (await this.referentiels()).map((r) => r.version);
    if (existing.includes(REFERENTIEL_2025_06.version)) return null;
    const ref = publishReferentiel(REFERENTIEL_2025_06, existing, this.deps.clock.now());
    await repo.insertReferentiel(this.deps.db, ref, null);
    return ref;
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
