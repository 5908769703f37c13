import { isOneOf, PARTENAIRE_LABELS, PARTENAIRES, type Partenaire } from '../accompagnement/codes.js';

/**
 * The closed lists of a case (issue 13). Partners are the accompaniment's own codes (src/domain/accompagnement/
 * codes.ts) except `autre`: a case always goes to one national partner's référents.
 */
export const ESCALADE_PARTNERS = PARTENAIRES.filter((p): p is Exclude<Partenaire, 'autre'> => p !== 'autre');
export type EscaladePartner = (typeof ESCALADE_PARTNERS)[number];
export const isEscaladePartner = (v: unknown): v is EscaladePartner => isOneOf(ESCALADE_PARTNERS, v);
export const partnerLabel = (p: string): string => (PARTENAIRE_LABELS as Record<string, string>)[p] ?? p;

/**
 * The label of the partner's own file number, asked only when it helps the référent find the file. Never the
 * social security number (NIR): the partners that use it internally have their own file reference.
 */
export const FILE_NUMBER_LABELS: Record<EscaladePartner, string> = {
  caf: 'N° allocataire CAF',
  assurance_maladie: 'Référence du dossier Assurance maladie (pas le n° de sécurité sociale)',
  assurance_retraite: 'Référence du dossier retraite (pas le n° de sécurité sociale)',
  france_travail: 'Identifiant France Travail',
  la_poste: 'Référence La Poste (n° de suivi, de réclamation)',
  dgfip: 'N° fiscal (numéro fiscal de référence)',
  ants: 'N° de demande ANTS',
  justice: 'Référence du dossier Justice',
  msa: 'Référence du dossier MSA (pas le n° de sécurité sociale)',
};

export const STATUTS = ['nouveau', 'en_cours', 'repondu', 'clos'] as const;
export type Statut = (typeof STATUTS)[number];
export const STATUT_LABELS: Record<Statut, string> = {
  nouveau: 'Nouveau',
  en_cours: 'En cours de traitement',
  repondu: 'Répondu',
  clos: 'Clos',
};
export const isStatut = (v: unknown): v is Statut => isOneOf(STATUTS, v);

export type Side = 'agent' | 'referent';
