import { parseEmail, parseTelephone } from '../backoffice/structure-edit.js';
import { addBusinessHours } from '../shared/business-hours.js';
import { invalid } from '../shared/errors.js';
import { PARTENAIRES, type Partenaire } from './codes.js';

/**
 * Remote reception (issue 12, §3): a person asks a France Services to call or write back.
 * The request holds the least that is needed to answer: a phone number or an e-mail, the partner,
 * a short description; it is due within a number of business days of the structure's commune
 * (2 by default), and its contact details are erased 30 days after it is closed.
 */

export const RAPPEL_LIMITS = Object.freeze({
  nom: 80,
  description: 600,
  /** Business days a structure may give itself to call back. */
  minDays: 1,
  maxDays: 10,
  defaultDays: 2,
  /** Contact details are kept this many days after closing. */
  contactRetentionDays: 30,
});

/** `autre` also stands for « je ne sais pas »: a real answer, the agent sorts it out on the phone. */
export const RAPPEL_PARTENAIRES: readonly Partenaire[] = PARTENAIRES;

export const CRENEAUX = ['indifferent', 'matin', 'apres_midi'] as const;
export type Creneau = (typeof CRENEAUX)[number];
export const CRENEAU_LABELS: Record<Creneau, string> = {
  indifferent: 'Indifférent',
  matin: 'Le matin',
  apres_midi: 'L’après-midi',
};

export type RappelStatut = 'nouvelle' | 'prise' | 'traitee' | 'sans_suite';
export const RAPPEL_STATUT_LABELS: Record<RappelStatut, string> = {
  nouvelle: 'À prendre',
  prise: 'En cours',
  traitee: 'Traitée',
  sans_suite: 'Close sans suite',
};

export interface DemandeRappel {
  readonly nom: string | null;
  readonly telephone: string | null;
  readonly email: string | null;
  readonly partenaire: Partenaire;
  readonly description: string;
  readonly creneau: Creneau;
}

const text = (value: unknown, field: string, max: number, label: string): string => {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(field, `${label} : un texte est attendu.`);
  // Control characters other than new lines are dropped: they have no place in a message.
  const cleaned = value
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n]/gu, '')
    .trim();
  if (cleaned.length > max)
    throw invalid(field, `${label} : ${max} caractères au plus (${cleaned.length} saisis).`);
  return cleaned;
};

/**
 * The public form, checked. Throws the first problem as `invalid(field, message)` in French.
 * At least one way to reach the person; the description says what it is about (the agent prepares).
 */
export function demandeRappel(input: {
  nom?: unknown;
  telephone?: unknown;
  email?: unknown;
  partenaire?: unknown;
  description?: unknown;
  creneau?: unknown;
}): DemandeRappel {
  const nom = text(input.nom, 'nom', RAPPEL_LIMITS.nom, 'Nom') || null;
  const telephone = parseTelephone(text(input.telephone, 'telephone', 30, 'Téléphone') || null);
  const email = parseEmail(text(input.email, 'email', 254, 'Adresse électronique') || null);
  if (!telephone && !email)
    throw invalid(
      'telephone',
      'Indiquez un numéro de téléphone ou une adresse électronique pour que nous puissions vous répondre.',
    );
  const partenaire = input.partenaire;
  if (!(PARTENAIRES as readonly unknown[]).includes(partenaire))
    throw invalid('partenaire', 'Choisissez l’organisme concerné (ou « Je ne sais pas »).');
  const description = text(input.description, 'description', RAPPEL_LIMITS.description, 'Votre demande');
  if (description.length < 3)
    throw invalid(
      'description',
      'Décrivez votre demande en quelques mots (par exemple : « renouveler ma carte d’identité »).',
    );
  const creneau = input.creneau === undefined || input.creneau === '' ? 'indifferent' : input.creneau;
  if (!(CRENEAUX as readonly unknown[]).includes(creneau))
    throw invalid('creneau', 'Choisissez un moment de la journée dans la liste.');
  return {
    nom,
    telephone,
    email,
    partenaire: partenaire as Partenaire,
    description,
    creneau: creneau as Creneau,
  };
}

/** The business-day delay a structure gives itself, checked (a whole number of days, 1 to 10). */
export function delaiRappel(value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d{1,3}\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < RAPPEL_LIMITS.minDays || n > RAPPEL_LIMITS.maxDays)
    throw invalid(
      'delai_jours',
      `Le délai de rappel est un nombre entier de jours ouvrés, de ${RAPPEL_LIMITS.minDays} à ${RAPPEL_LIMITS.maxDays}.`,
    );
  return n;
}

/** When the request must have been answered: `days` business days of the structure's commune after it came in. */
export const rappelDueAt = (receivedAt: Date, days: number, commune: string | null): Date =>
  addBusinessHours(receivedAt, days * 24, commune ?? '75056');

export const isOverdue = (r: { statut: RappelStatut; due_at: Date | string }, now: Date): boolean =>
  (r.statut === 'nouvelle' || r.statut === 'prise') && new Date(r.due_at).getTime() < now.getTime();

/** The instant before which a closed request's contact details must be erased. */
export const contactErasureCutoff = (now: Date): Date =>
  new Date(now.getTime() - RAPPEL_LIMITS.contactRetentionDays * 86_400_000);
