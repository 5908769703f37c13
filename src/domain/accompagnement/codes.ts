import { PARTNER_LABELS, PARTNERS } from '../directory/structure.js';

/** The closed lists of an accompaniment (issue 12, section 1). Codes are the exchange format's own. */
export const CANAUX = ['guichet', 'bus', 'telephone', 'courriel', 'visio'] as const;
export type Canal = (typeof CANAUX)[number];
export const CANAL_LABELS: Record<Canal, string> = {
  guichet: 'Au guichet',
  bus: 'Dans le bus',
  telephone: 'Par téléphone',
  courriel: 'Par courriel',
  visio: 'En visio',
};

/** The nine national partners, plus `autre` for a request outside them. */
export const PARTENAIRES = [...PARTNERS, 'autre'] as const;
export type Partenaire = (typeof PARTENAIRES)[number];
export const PARTENAIRE_LABELS: Record<Partenaire, string> = { ...PARTNER_LABELS, autre: 'Hors partenaires' };

export const RESULTATS = ['resolu', 'rendez_vous', 'oriente', 'escalade', 'sans_suite'] as const;
export type Resultat = (typeof RESULTATS)[number];
export const RESULTAT_LABELS: Record<Resultat, string> = {
  resolu: 'Résolu sur place',
  rendez_vous: 'Rendez-vous pris',
  oriente: 'Orienté vers le partenaire ou un autre service',
  escalade: 'Transmis au référent du partenaire',
  sans_suite: 'Sans suite',
};

export const TRANCHES_AGE = ['moins_25', '25_39', '40_59', '60_74', '75_plus', 'inconnu'] as const;
export type TrancheAge = (typeof TRANCHES_AGE)[number];
export const TRANCHE_AGE_LABELS: Record<TrancheAge, string> = {
  moins_25: 'Moins de 25 ans',
  '25_39': '25 à 39 ans',
  '40_59': '40 à 59 ans',
  '60_74': '60 à 74 ans',
  '75_plus': '75 ans et plus',
  inconnu: 'Inconnu',
};

export const AUTONOMIES = ['seul', 'avec_agent', 'par_agent'] as const;
export type Autonomie = (typeof AUTONOMIES)[number];
export const AUTONOMIE_LABELS: Record<Autonomie, string> = {
  seul: 'La personne a fait seule',
  avec_agent: 'Fait avec l’agent',
  par_agent: 'Fait par l’agent pour elle',
};

export const isOneOf = <T extends string>(list: readonly T[], value: unknown): value is T =>
  typeof value === 'string' && (list as readonly string[]).includes(value);
