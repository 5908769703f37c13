import { DateTime } from 'luxon';
import { conflict, DomainError, invalid } from '../shared/errors.js';
import { isCodeDepartement } from '../shared/insee.js';

/**
 * A labellisation campaign: opened by the national team with dates, the departments it covers and
 * the référentiel version it uses. The version is fixed for the campaign's whole life.
 */
export interface CampaignInput {
  readonly name: string;
  readonly opensOn: string; // YYYY-MM-DD
  readonly closesOn: string; // YYYY-MM-DD: last day to file
  /** Department codes covered; an empty list means the whole country. */
  readonly departements: readonly string[];
  readonly referentielVersion: string;
}

export type CampaignStatus = 'ouverte' | 'cloturee';

export interface Campaign extends CampaignInput {
  readonly status: CampaignStatus;
}

const isDate = (s: string) => /^\d{4}-\d{2}-\d{2}$/.test(s) && DateTime.fromISO(s).isValid;

export function validateCampaign(input: CampaignInput, publishedVersions: readonly string[]): CampaignInput {
  const name = input.name?.trim() ?? '';
  if (name.length < 3 || name.length > 200)
    throw invalid('name', 'Le nom de la campagne doit compter de 3 à 200 caractères.');
  if (!isDate(input.opensOn)) throw invalid('opensOn', 'Date d’ouverture invalide (AAAA-MM-JJ).');
  if (!isDate(input.closesOn)) throw invalid('closesOn', 'Date de clôture des dépôts invalide (AAAA-MM-JJ).');
  if (input.closesOn < input.opensOn) throw invalid('closesOn', 'La clôture des dépôts précède l’ouverture.');
  const departements = [...new Set(input.departements.map((d) => d.trim().toUpperCase()).filter(Boolean))];
  for (const d of departements) {
    if (!isCodeDepartement(d)) throw invalid('departements', `Département « ${d} » inconnu.`);
  }
  if (!publishedVersions.includes(input.referentielVersion)) {
    throw invalid(
      'referentielVersion',
      `La version de référentiel « ${input.referentielVersion} » n’est pas publiée.`,
    );
  }
  return {
    name,
    opensOn: input.opensOn,
    closesOn: input.closesOn,
    departements,
    referentielVersion: input.referentielVersion,
  };
}

export const coversDepartement = (c: Pick<Campaign, 'departements'>, departement: string) =>
  c.departements.length === 0 || c.departements.includes(departement);

/** Can an application be created or filed in this campaign, for this department, on its local day? */
export function assertCanFile(campaign: Campaign, departement: string, today: string): void {
  if (campaign.status !== 'ouverte')
    throw conflict('La campagne est clôturée : aucun dépôt n’est plus possible.', 'campagne');
  if (today < campaign.opensOn) throw conflict(`La campagne ouvre le ${campaign.opensOn}.`, 'campagne');
  if (today > campaign.closesOn)
    throw conflict(`Les dépôts de cette campagne sont clos depuis le ${campaign.closesOn}.`, 'campagne');
  if (!coversDepartement(campaign, departement)) {
    throw new DomainError(
      'invalid',
      `La campagne ne couvre pas le département ${departement}.`,
      'departement',
    );
  }
}

/** A campaign closes only when none of its applications is still in progress. */
export function assertCanClose(campaign: Campaign, openApplications: number): void {
  if (campaign.status === 'cloturee') throw conflict('La campagne est déjà clôturée.', 'campagne');
  if (openApplications > 0) {
    throw conflict(
      `Impossible de clôturer la campagne : ${openApplications} candidature(s) sont encore en cours. Menez-les à leur terme (labellisée, refusée ou irrecevable) d’abord.`,
      'campagne',
    );
  }
}
