import { FIRST_ANSWER_HOURS } from './deadlines.js';

/**
 * The figures per partner × department (docs/ESCALADE.md): the share of cases answered within 72 business
 * hours, the median time to first answer and the median time to close, in business hours. They read only
 * codes, instants and durations, which survive the erasure of a case's personal data.
 *
 * The share counts the cases whose answer is settled: answered, or unanswered with the 72 hours passed.
 * A case still within its 72 hours and unanswered is not counted yet (it may still be on time).
 *
 * `figuresOf` is the definition, case by case. The repository computes the same figures in SQL
 * (`figureCounts`), so that a year of the whole country is never loaded into memory; `figuresFromCounts`
 * finishes them. test/integration/escalade/figures.test.ts checks that both agree.
 */
export interface FigureInput {
  readonly partenaire: string;
  readonly departement: string;
  readonly firstAnswerDue: Date;
  readonly firstAnswerBh: number | null;
  readonly closeBh: number | null;
}

export interface Figures {
  readonly partenaire: string;
  readonly departement: string;
  readonly cases: number;
  /** Cases whose first answer is settled (answered, or 72 hours passed without one). */
  readonly settled: number;
  readonly answeredWithin72: number;
  /** answeredWithin72 / settled, 0..1; null when nothing is settled. */
  readonly shareWithin72: number | null;
  readonly medianFirstAnswerBh: number | null;
  readonly medianCloseBh: number | null;
}

/** Business hours are shown to a tenth of an hour. */
const toTenth = (hours: number | null) => (hours === null ? null : Math.round(hours * 10) / 10);

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return toTenth(s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2);
}

/** A group's counts and raw medians, as the database aggregates them. */
export interface FigureCounts {
  readonly partenaire: string;
  readonly departement: string;
  readonly cases: number;
  readonly settled: number;
  readonly answeredWithin72: number;
  readonly medianFirstAnswerBh: number | null;
  readonly medianCloseBh: number | null;
}

const byPartnerThenDepartment = (a: Figures, b: Figures) =>
  a.partenaire.localeCompare(b.partenaire) || a.departement.localeCompare(b.departement);

/** The share and the rounding, then the order of `figuresOf`. */
export function figuresFromCounts(counts: readonly FigureCounts[]): Figures[] {
  return counts
    .filter((c) => c.cases > 0)
    .map((c) => ({
      ...c,
      shareWithin72: c.settled === 0 ? null : c.answeredWithin72 / c.settled,
      medianFirstAnswerBh: toTenth(c.medianFirstAnswerBh),
      medianCloseBh: toTenth(c.medianCloseBh),
    }))
    .sort(byPartnerThenDepartment);
}

export function figuresOf(rows: readonly FigureInput[], now: Date): Figures[] {
  const groups = new Map<string, FigureInput[]>();
  for (const r of rows) {
    const k = `${r.partenaire}|${r.departement}`;
    const g = groups.get(k);
    if (g) g.push(r);
    else groups.set(k, [r]);
  }
  return [...groups.values()]
    .map((g) => {
      const first = g[0] as FigureInput;
      const answered = g.filter((r) => r.firstAnswerBh !== null).map((r) => r.firstAnswerBh as number);
      const settled = g.filter((r) => r.firstAnswerBh !== null || now > r.firstAnswerDue).length;
      const within = answered.filter((h) => h <= FIRST_ANSWER_HOURS).length;
      return {
        partenaire: first.partenaire,
        departement: first.departement,
        cases: g.length,
        settled,
        answeredWithin72: within,
        shareWithin72: settled === 0 ? null : within / settled,
        medianFirstAnswerBh: median(answered),
        medianCloseBh: median(g.filter((r) => r.closeBh !== null).map((r) => r.closeBh as number)),
      };
    })
    .sort(byPartnerThenDepartment);
}
