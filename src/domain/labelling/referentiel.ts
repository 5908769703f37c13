import { invalid } from '../shared/errors.js';

/** The référentiel: a versioned list of labellisation criteria. A published version never changes. */
export const CATEGORIES = [
  'accueil',
  'personnel',
  'ouverture',
  'locaux et confidentialité',
  'équipement',
  'partenaires',
  'qualité',
] as const;
export type CriterionCategory = (typeof CATEGORIES)[number];

/** How a criterion is checked: from the structure's own data, from a document, or by the auditor on site. */
export const CHECK_METHODS = ['automatic', 'document', 'on_site'] as const;
export type CheckMethod = (typeof CHECK_METHODS)[number];

export const CHECK_LABELS: Record<CheckMethod, string> = {
  automatic: 'Contrôle automatique (données de la structure)',
  document: 'Sur pièce justificative',
  on_site: 'Sur place, par l’auditeur',
};

export interface Criterion {
  readonly code: string;
  readonly title: string;
  readonly category: CriterionCategory;
  readonly mandatory: boolean;
  readonly check: CheckMethod;
  /** A criterion that concerns mobile structures only (buses, itinérantes). */
  readonly onlyFor?: 'mobile';
}

export interface ReferentielData {
  readonly version: string;
  readonly title: string;
  readonly source: string;
  readonly criteria: readonly Criterion[];
}

export interface Referentiel extends ReferentielData {
  /** ISO instant of publication; a published référentiel is frozen. */
  readonly publishedAt: string;
}

const CODE = /^[A-Z]{3}-\d{2}$/;
const VERSION = /^\d{4}-\d{2}(?:[a-z0-9.-]*)$/;

/**
 * Checks a référentiel draft: version format, unique well-formed codes, known categories and
 * methods, non-empty titles, at least one mandatory criterion. Errors name the field at fault.
 */
export function validateReferentiel(data: ReferentielData): ReferentielData {
  if (!VERSION.test(data.version ?? '')) {
    throw invalid('version', `Version « ${data.version} » invalide (attendu AAAA-MM, par exemple 2025-06).`);
  }
  if (!data.title?.trim()) throw invalid('title', 'Le référentiel doit avoir un titre.');
  if (!data.source?.trim()) throw invalid('source', 'Le référentiel doit citer sa source (texte officiel).');
  if (!Array.isArray(data.criteria) || data.criteria.length === 0) {
    throw invalid('criteria', 'Le référentiel doit contenir au moins un critère.');
  }
  const seen = new Set<string>();
  data.criteria.forEach((c, i) => {
    const field = `criteria[${i}]`;
    if (!c || typeof c !== 'object') throw invalid(field, `Le critère n° ${i + 1} n’est pas un objet.`);
    if (!CODE.test(c.code ?? ''))
      throw invalid(`${field}.code`, `Code « ${c.code} » invalide (attendu par exemple ACC-01).`);
    if (seen.has(c.code)) throw invalid(`${field}.code`, `Le code ${c.code} figure deux fois.`);
    seen.add(c.code);
    if (!c.title?.trim()) throw invalid(`${field}.title`, `Le critère ${c.code} n’a pas d’intitulé.`);
    if (!(CATEGORIES as readonly string[]).includes(c.category)) {
      throw invalid(
        `${field}.category`,
        `Catégorie « ${c.category} » inconnue pour ${c.code} (${CATEGORIES.join(', ')}).`,
      );
    }
    if (!(CHECK_METHODS as readonly string[]).includes(c.check)) {
      throw invalid(`${field}.check`, `Mode de contrôle « ${c.check} » inconnu pour ${c.code}.`);
    }
    if (typeof c.mandatory !== 'boolean') {
      throw invalid(`${field}.mandatory`, `Indiquez si le critère ${c.code} est obligatoire.`);
    }
  });
  if (!data.criteria.some((c) => c.mandatory)) {
    throw invalid('criteria', 'Le référentiel doit contenir au moins un critère obligatoire.');
  }
  return data;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/**
 * Publishes a new version. Versions are immutable: publishing a version number that already exists
 * is refused, and the returned value is deeply frozen (a copy: the draft stays editable).
 */
export function publishReferentiel(
  draft: ReferentielData,
  existingVersions: readonly string[],
  at: Date,
): Referentiel {
  const data = validateReferentiel(draft);
  if (existingVersions.includes(data.version)) {
    throw invalid(
      'version',
      `La version ${data.version} est déjà publiée ; une version publiée ne peut plus être modifiée. Publiez une nouvelle version.`,
    );
  }
  const copy: Referentiel = {
    version: data.version,
    title: data.title.trim(),
    source: data.source.trim(),
    criteria: data.criteria.map((c) => ({ ...c, title: c.title.trim() })),
    publishedAt: at.toISOString(),
  };
  return deepFreeze(copy);
}

/** The criteria that apply to a structure: mobile-only criteria are left out for fixed sites. */
export function applicableCriteria(
  ref: Pick<ReferentielData, 'criteria'>,
  mobile: boolean,
): readonly Criterion[] {
  return ref.criteria.filter((c) => c.onlyFor !== 'mobile' || mobile);
}

export function findCriterion(ref: Pick<ReferentielData, 'criteria'>, code: string): Criterion | undefined {
  return ref.criteria.find((c) => c.code === code);
}
