import { invalid } from './errors.js';

/** INSEE commune code: 5 characters, Corsica is 2A/2B, overseas starts with 97. */
const CODE_INSEE = /^(?:\d{2}|2[AB])\d{3}$/;
const CODE_DEPARTEMENT = /^(?:0[1-9]|[1-8]\d|9[0-5]|2[AB]|97[1-8]|98[4-9])$/;

export type CodeInsee = string & { readonly __brand: 'CodeInsee' };
export type CodeDepartement = string & { readonly __brand: 'CodeDepartement' };

export function codeInsee(value: string, field = 'code_insee'): CodeInsee {
  const v = value.trim().toUpperCase();
  if (!CODE_INSEE.test(v))
    throw invalid(field, `Code INSEE invalide : « ${value} » (5 caractères attendus, ex. 02361).`);
  return v as CodeInsee;
}

export function isCodeInsee(value: string): value is CodeInsee {
  return CODE_INSEE.test(value);
}

export function codeDepartement(value: string, field = 'departement'): CodeDepartement {
  const v = value.trim().toUpperCase();
  if (!CODE_DEPARTEMENT.test(v)) throw invalid(field, `Code de département inconnu : « ${value} ».`);
  return v as CodeDepartement;
}

export function isCodeDepartement(value: string): value is CodeDepartement {
  return CODE_DEPARTEMENT.test(value);
}

/** The department a commune belongs to, read from its code (97x/98x overseas use 3 characters). */
export function departementOfCommune(code: CodeInsee): CodeDepartement {
  return (
    code.startsWith('97') || code.startsWith('98') ? code.slice(0, 3) : code.slice(0, 2)
  ) as CodeDepartement;
}
