import { invalid } from '../shared/errors.js';

export const PASSWORD_MIN = 12;
export const PASSWORD_MAX = 200;

/** A new password: long enough to resist guessing (ANSSI: length over complexity rules). */
export function checkNewPassword(password: unknown, confirmation: unknown, field = 'password'): string {
  if (typeof password !== 'string') throw invalid(field, 'Le mot de passe est obligatoire.');
  if (password.length < PASSWORD_MIN)
    throw invalid(field, `Le mot de passe doit compter au moins ${PASSWORD_MIN} caractères.`);
  if (password.length > PASSWORD_MAX)
    throw invalid(field, `Le mot de passe ne doit pas dépasser ${PASSWORD_MAX} caractères.`);
  if (password.trim().length !== password.length)
    throw invalid(field, 'Le mot de passe ne doit pas commencer ni finir par une espace.');
  if (confirmation !== password)
    throw invalid('confirmation', 'Les deux mots de passe ne sont pas identiques.');
  return password;
}

const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]+\.[^\s@<>"]{2,}$/;

/** E-mails are compared lower-cased and trimmed. */
export function normaliseEmail(value: unknown, field = 'email'): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw invalid(field, 'L’adresse électronique est obligatoire.');
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email))
    throw invalid(field, `Adresse électronique invalide (exemple : prenom.nom@exemple.fr).`);
  return email;
}
