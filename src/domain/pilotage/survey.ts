import { invalid } from '../shared/errors.js';

/**
 * The satisfaction survey (issue 14, section 3), pure: three closed questions, anonymous, one answer
 * per link, links valid 14 days, and no score published below 11 answers.
 */
export const SURVEY_TTL_DAYS = 14;
export const SURVEY_MIN_ANSWERS = 11;

export const SURVEY_QUESTIONS = {
  demarche: {
    legend: 'Votre démarche a-t-elle avancé grâce à cet accompagnement ?',
    options: [
      ['oui', 'Oui'],
      ['en_partie', 'En partie'],
      ['non', 'Non'],
    ],
  },
  accueil: {
    legend: 'Êtes-vous satisfait(e) de l’accueil qui vous a été fait ?',
    options: [
      ['5', 'Très satisfait(e)'],
      ['4', 'Satisfait(e)'],
      ['3', 'Ni satisfait(e) ni insatisfait(e)'],
      ['2', 'Insatisfait(e)'],
      ['1', 'Très insatisfait(e)'],
    ],
  },
  recommande: {
    legend: 'Recommanderiez-vous France Services à un proche ?',
    options: [
      ['oui', 'Oui'],
      ['non', 'Non'],
    ],
  },
} as const;
export type SurveyQuestion = keyof typeof SURVEY_QUESTIONS;

export interface SurveyAnswer {
  readonly demarche: 'oui' | 'en_partie' | 'non';
  readonly accueil: 1 | 2 | 3 | 4 | 5;
  readonly recommande: 'oui' | 'non';
}

const pick = (q: SurveyQuestion, value: unknown): string => {
  const allowed = SURVEY_QUESTIONS[q].options.map(([v]) => v) as readonly string[];
  if (typeof value !== 'string' || !allowed.includes(value))
    throw invalid(q, `Répondez à la question « ${SURVEY_QUESTIONS[q].legend} »`);
  return value;
};

/** The three answers, each required and one of its options; the field at fault otherwise. */
export function parseSurveyAnswer(input: {
  demarche?: unknown;
  accueil?: unknown;
  recommande?: unknown;
}): SurveyAnswer {
  return {
    demarche: pick('demarche', input.demarche) as SurveyAnswer['demarche'],
    accueil: Number(pick('accueil', input.accueil)) as SurveyAnswer['accueil'],
    recommande: pick('recommande', input.recommande) as SurveyAnswer['recommande'],
  };
}

export const surveyExpiry = (createdAt: Date) => new Date(createdAt.getTime() + SURVEY_TTL_DAYS * 86_400_000);

export interface SurveyTotals {
  readonly count: number;
  readonly satisfied: number;
  readonly advanced: number;
  readonly recommend: number;
}

/** Shares of a group of answers, or null below the minimum count: never a score from few answers. */
export function surveyScores(t: SurveyTotals): {
  count: number;
  scores: { satisfaits: number; demarcheAvancee: number; recommandent: number } | null;
} {
  if (t.count < SURVEY_MIN_ANSWERS) return { count: t.count, scores: null };
  const r = (n: number) => Math.round((n / t.count) * 1000) / 1000;
  return {
    count: t.count,
    scores: { satisfaits: r(t.satisfied), demarcheAvancee: r(t.advanced), recommandent: r(t.recommend) },
  };
}
