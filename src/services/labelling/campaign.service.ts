import * as repo from '../../db/repositories/labelling.repository.js';
import type { Principal } from '../../domain/accounts/index.js';
import {
  assertCanClose,
  type CampaignInput,
  FINAL_STATES,
  validateCampaign,
} from '../../domain/labelling/index.js';
import { notFound } from '../../domain/shared/errors.js';
import type { ReferentielService } from './referentiel.service.js';
import { authorize, type LabellingDeps } from './shared.js';

/** Labelling campaigns: opened and closed by the national team, on a published référentiel. */
export class CampaignService {
  constructor(
    private readonly deps: LabellingDeps,
    private readonly referentiels: ReferentielService,
  ) {}

  async openCampaign(user: Principal, input: CampaignInput): Promise<repo.CampaignRow> {
    authorize(user, 'campaign.manage');
    const versions = (await this.referentiels.referentiels()).map((r) => r.version);
    return repo.insertCampaign(this.deps.db, validateCampaign(input, versions), user.id);
  }

  campaigns() {
    return repo.listCampaigns(this.deps.db);
  }

  async campaign(id: string): Promise<repo.CampaignRow> {
    const c = await repo.findCampaign(this.deps.db, id);
    if (!c) throw notFound('Campagne introuvable.');
    return c;
  }

  async closeCampaign(user: Principal, id: string): Promise<void> {
    authorize(user, 'campaign.manage');
    await this.deps.db.transaction().execute(async (trx) => {
      const c = await repo.findCampaign(trx, id);
      if (!c) throw notFound('Campagne introuvable.');
      assertCanClose(c, await repo.countOpenApplications(trx, id, FINAL_STATES));
      await repo.closeCampaignRow(trx, id);
    });
  }
}
