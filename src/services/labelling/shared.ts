import type { Config } from '../../config.js';
import type { Db } from '../../db/database.js';
import type * as repo from '../../db/repositories/labelling.repository.js';
import { type Action, can, type Principal, type Target } from '../../domain/accounts/index.js';
import type { StructureFormat } from '../../domain/directory/structure.js';
import {
  type ApplicationContent,
  type ApplicationState,
  type Criterion,
  emptyContent,
  type GridEntry,
  type MobileFacts,
  type ReferentielData,
} from '../../domain/labelling/index.js';
import { DomainError } from '../../domain/shared/errors.js';
import type { Clock } from '../../domain/shared/time.js';
import { localDate, timeZoneOf } from '../../domain/shared/time-zone.js';

/** What every labelling service needs; each is built once in src/composition.ts. */
export interface LabellingDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly config: Pick<Config, 'dataDir' | 'auditCycleMonths' | 'uploadMaxBytes'>;
}

export interface ApplicationView {
  readonly id: string;
  readonly campaignId: string;
  readonly porteurUserId: string;
  readonly departement: string;
  readonly state: ApplicationState;
  readonly content: ApplicationContent;
  readonly auditorUserId: string | null;
  readonly structureId: string | null;
  /** The existing structure this application renews (chosen at creation); null: a new structure. */
  readonly renewsStructureId: string | null;
  readonly labelledOn: string | null;
  readonly version: number;
  readonly updatedAt: Date;
}

export const view = (r: repo.ApplicationRow): ApplicationView => ({
  id: r.id,
  campaignId: r.campaign_id,
  porteurUserId: r.porteur_user_id,
  departement: r.departement,
  state: r.state,
  content: { ...emptyContent(), ...(r.content as Partial<ApplicationContent>) },
  auditorUserId: r.auditor_user_id,
  structureId: r.structure_id,
  renewsStructureId: r.renews_structure_id,
  labelledOn: r.labelled_on,
  version: r.version,
  updatedAt: r.updated_at,
});

export const deny = () => new DomainError('forbidden', 'Vous n’avez pas les droits pour cette action.');

export function authorize(user: Principal, action: Action, target: Target = {}): void {
  if (!can(user, action, target)) throw deny();
}

/** The policy target of an application: its department, its porteur, its assigned auditor. */
export function applicationTarget(a: {
  departement: string;
  porteurUserId: string;
  auditorUserId: string | null;
}): Target {
  return {
    departement: a.departement,
    ownerId: a.porteurUserId,
    assignedTo: a.auditorUserId ? [a.auditorUserId] : [],
  };
}

export const nowOf = (deps: LabellingDeps) => deps.clock.now();
/** Today on the clock of a department (metropolitan for national views). */
export const todayOf = (deps: LabellingDeps, departement?: string | null) =>
  localDate(deps.clock.now(), timeZoneOf(departement));

export const isMobile = (f: StructureFormat) => f === 'bus' || f === 'itinerante';
/** A mobile structure with no unit in the mobile module, while other tours are loaded. */
export const NO_TOUR: MobileFacts = { stops: 0, calendarDates: 0, calendarPublished: false };

export function criteriaOfGrid(ref: ReferentielData, grid: readonly GridEntry[]): Criterion[] {
  const codes = new Set(grid.map((e) => e.code));
  return ref.criteria.filter((c) => codes.has(c.code));
}
