import { DomainError } from '../shared/errors.js';
import { type EscaladePartner, FILE_NUMBER_LABELS, isEscaladePartner } from './codes.js';
import { CONSENT_VERSION } from './consent.js';

/**
 * A case (`dossier`) handed to a partner's référent (issue 13). This is where a person's identity enters the
 * system, so it is minimal: name, first name, birth date and, when useful, the partner's own file number
 * (never the social security number), with a recorded consent.
 */
export const MAX_NAME = 100;
export const MAX_OBJET = 200;
export const MAX_TEXT = 5000;
export const MAX_FILE_NUMBER = 40;

export interface DossierInput {
  readonly partenaire: unknown;
  readonly nom: unknown;
  readonly prenom: unknown;
  readonly dateNaissance: unknown;
  readonly numeroPartenaire?: unknown;
  readonly objet: unknown;
  readonly message: unknown;
  /** The agent attests that the person agreed, after reading the consent text of `consentVersion`. */
  readonly consentement: unknown;
  readonly consentVersion: unknown;
}

export interface NewDossier {
  readonly partenaire: EscaladePartner;
  readonly nom: string;
  readonly prenom: string;
  readonly dateNaissance: string;
  readonly numeroPartenaire: string | null;
  readonly objet: string;
  readonly message: string;
  readonly consentVersion: string;
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const NAME = /^[\p{L}\p{M}][\p{L}\p{M}' .’-]*$/u;
const FILE_NUMBER = /^[A-Za-z0-9][A-Za-z0-9 ./-]*$/;
/** A French social security number (NIR), with or without its key: refused in the file number field. */
const NIR = /^[12]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[AB])\d{6}(\d{2})?$/i;

/** Plain text of a message or a note: trimmed, bounded, no control characters (line breaks kept). */
export function plainText(value: unknown, field: string, max = MAX_TEXT): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new DomainError('invalid', 'Écrivez un texte.', field);
  const text = value.replace(/\r\n?/g, '\n').trim();
  if (text.length > max)
    throw new DomainError(
      'invalid',
      `Le texte ne doit pas dépasser ${max} caractères (${text.length}).`,
      field,
    );
  if (CONTROL.test(text))
    throw new DomainError('invalid', 'Le texte contient des caractères invalides.', field);
  return text;
}

/** Every problem of the input at once (the form shows them all), or the case. */
export function newDossier(
  input: DossierInput,
  today: string,
): { ok: true; value: NewDossier } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const text = (v: unknown) => (typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : '');

  const partenaire = isEscaladePartner(input.partenaire) ? input.partenaire : null;
  if (!partenaire) issues.push({ field: 'partenaire', message: 'Choisissez le partenaire concerné.' });

  const name = (v: unknown, field: string, label: string) => {
    const t = text(v);
    if (t === '') issues.push({ field, message: `Indiquez le ${label} de la personne.` });
    else if (t.length > MAX_NAME)
      issues.push({ field, message: `Le ${label} dépasse ${MAX_NAME} caractères.` });
    else if (!NAME.test(t))
      issues.push({
        field,
        message: `Le ${label} ne peut contenir que des lettres, espaces, tirets et apostrophes.`,
      });
    return t;
  };
  const nom = name(input.nom, 'nom', 'nom');
  const prenom = name(input.prenom, 'prenom', 'prénom');

  const birth = text(input.dateNaissance);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth);
  const valid =
    m !== null &&
    (() => {
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1;
    })();
  if (!valid)
    issues.push({
      field: 'date_naissance',
      message: 'Indiquez la date de naissance (format attendu AAAA-MM-JJ).',
    });
  else if (birth < '1900-01-01' || birth > today)
    issues.push({ field: 'date_naissance', message: 'La date de naissance doit être passée et après 1900.' });

  let numeroPartenaire: string | null = text(input.numeroPartenaire) || null;
  if (numeroPartenaire !== null) {
    const compact = numeroPartenaire.replace(/[\s.]/g, '');
    if (NIR.test(compact)) {
      issues.push({
        field: 'numero_partenaire',
        message:
          'Ne saisissez pas le numéro de sécurité sociale : seulement la référence propre au partenaire.',
      });
    } else if (numeroPartenaire.length > MAX_FILE_NUMBER || !FILE_NUMBER.test(numeroPartenaire)) {
      const label = partenaire ? FILE_NUMBER_LABELS[partenaire] : 'Le numéro de dossier';
      issues.push({
        field: 'numero_partenaire',
        message: `${label} : lettres, chiffres, espaces, points, tirets ou barres obliques, ${MAX_FILE_NUMBER} caractères au plus.`,
      });
      numeroPartenaire = null;
    }
  }

  let objet = '';
  try {
    objet = plainText(input.objet, 'objet', MAX_OBJET).replace(/\s+/g, ' ');
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    issues.push({
      field: 'objet',
      message: e.message.replace('Écrivez un texte.', 'Résumez la demande en une ligne.'),
    });
  }
  let message = '';
  try {
    message = plainText(input.message, 'message');
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    issues.push({
      field: 'message',
      message: e.message.replace('Écrivez un texte.', 'Décrivez le blocage pour le référent.'),
    });
  }

  if (input.consentVersion !== CONSENT_VERSION)
    issues.push({
      field: 'consentement',
      message: 'Le texte d’information a changé : relisez-le à la personne, puis cochez de nouveau.',
    });
  else if (input.consentement !== true && input.consentement !== 'oui')
    issues.push({
      field: 'consentement',
      message: 'Cochez la case : la personne doit avoir accepté la transmission de ses informations.',
    });

  if (issues.length > 0 || !partenaire) return { ok: false, issues };
  return {
    ok: true,
    value: {
      partenaire,
      nom,
      prenom,
      dateNaissance: birth,
      numeroPartenaire,
      objet,
      message,
      consentVersion: CONSENT_VERSION,
    },
  };
}
