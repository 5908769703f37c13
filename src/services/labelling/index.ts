import { ApplicationService } from './application.service.js';
import { AuditService } from './audit.service.js';
import { CampaignService } from './campaign.service.js';
import { DocumentStore } from './document-store.js';
import { MonitoringService } from './monitoring.service.js';
import { LabellingPolicyTargets } from './policy-targets.js';
import { ReferentielService } from './referentiel.service.js';
import type { LabellingDeps } from './shared.js';
import { TransitionService } from './transition.service.js';

export type { ApplicationView, LabellingDeps } from './shared.js';
export type { TransitionInput } from './transition.service.js';

/**
 * Labellisation (docs/adr/0003-labelling.md), one service per idea. Each use case checks the caller
 * against the accounts policy (role × action × scope), runs the domain rules, then writes in one
 * transaction. Built once, in src/composition.ts.
 */
export interface Labelling {
  readonly referentiels: ReferentielService;
  readonly campaigns: CampaignService;
  readonly applications: ApplicationService;
  readonly transitions: TransitionService;
  readonly audits: AuditService;
  readonly monitoring: MonitoringService;
  readonly targets: LabellingPolicyTargets;
  readonly documents: DocumentStore;
}

export function createLabelling(deps: LabellingDeps): Labelling {
  const documents = new DocumentStore(deps.config.dataDir);
  const referentiels = new ReferentielService(deps);
  const campaigns = new CampaignService(deps, referentiels);
  const audits = new AuditService(deps, referentiels);
  const applications = new ApplicationService(deps, campaigns, referentiels, audits, documents);
  return {
    referentiels,
    campaigns,
    applications,
    transitions: new TransitionService(deps, applications, campaigns, referentiels, audits),
    audits,
    monitoring: new MonitoringService(deps, campaigns),
    targets: new LabellingPolicyTargets(deps),
    documents,
  };
}
