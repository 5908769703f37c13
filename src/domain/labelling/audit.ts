import { DateTime } from 'luxon';
import { conflict, invalid } from '../shared/errors.js';
import { localDate, METROPOLITAN_ZONE, type TimeZone, timeZoneOf } from '../shared/time-zone.js';
import { applicableCriteria, type Criterion, type ReferentielData } from './referentiel.js';

/**
 * The audit grid, corrective actions, contre-visites and periodic audits.
 * An audit is `initial` (on an application), `contre_visite` (checks the open corrective actions
 * only) or `periodique` (on a labelled structure, every `cycleMonths`).
 */
export const VERDICTS = ['conforme', 'non_conforme', 'sans_objet'] as const;
export type Verdict = (typeof VERDICTS)[number];
export const VERDICT_LABELS: Record<Verdict, string> = {
  conforme: 'Conforme',
  non_conforme: 'Non conforme',
  sans_objet: 'Sans objet',
};

export const AUDIT_KINDS = ['initial', 'contre_visite', 'periodique'] as const;
export type AuditKind = (typeof AUDIT_KINDS)[number];

export interface GridEntry {
  readonly code: string;
  readonly verdict: Verdict | null;
  readonly comment: string;
}

export interface AuditGrid {
  readonly entries: readonly GridEntry[];
  /** Optimistic concurrency: each save must carry the version it was read at. */
  readonly version: number;
}

export const MAX_COMMENT = 2000;

/** An empty grid over the criteria that apply (or over given codes, for a contre-visite). */
export function emptyGrid(criteria: readonly Criterion[]): AuditGrid {
  return { entries: criteria.map((c) => ({ code: c.code, verdict: null, comment: '' })), version: 0 };
}

export const gridCriteria = (ref: Pick<ReferentielData, 'criteria'>, mobile: boolean) =>
  applicableCriteria(ref, mobile);

/**
 * Applies a (possibly partial) save of the grid: a draft may leave verdicts empty.
 * Refuses a stale save (`expectedVersion` differs: someone saved in between) with a `conflict`,
 * unknown codes, unknown verdicts and over-long comments. Returns a new grid, version + 1.
 */
export function saveGrid(
  grid: AuditGrid,
  changes: readonly { code: string; verdict: string | null; comment?: string | null }[],
  expectedVersion: number,
): AuditGrid {
  if (expectedVersion !== grid.version) {
    throw conflict(
      `La grille a été modifiée par ailleurs (version ${grid.version}, la vôtre ${expectedVersion}). Rechargez-la : vos saisies restent dans le brouillon de ce navigateur.`,
      'version',
    );
  }
  const byCode = new Map(grid.entries.map((e) => [e.code, e]));
  for (const change of changes) {
    const entry = byCode.get(change.code);
    if (!entry) throw invalid(`grille.${change.code}`, `Critère ${change.code} inconnu dans cette grille.`);
    const verdict = change.verdict === '' || change.verdict === null ? null : change.verdict;
    if (verdict !== null && !(VERDICTS as readonly string[]).includes(verdict)) {
      throw invalid(
        `grille.${change.code}`,
        `Avis « ${verdict} » inconnu pour ${change.code} (conforme, non conforme ou sans objet).`,
      );
    }
    const comment = (change.comment ?? entry.comment).trim();
    if (comment.length > MAX_COMMENT) {
      throw invalid(
        `grille.${change.code}.commentaire`,
        `Commentaire trop long pour ${change.code} (${MAX_COMMENT} caractères au plus).`,
      );
    }
    byCode.set(change.code, { code: entry.code, verdict: verdict as Verdict | null, comment });
  }
  return { entries: grid.entries.map((e) => byCode.get(e.code) ?? e), version: grid.version + 1 };
}

/**
 * Checks a grid before it is submitted: every mandatory criterion needs a verdict; a non-conformity
 * and a "sans objet" on a mandatory criterion need a comment. Lists every problem, in French.
 */
export function submissionProblems(grid: AuditGrid, criteria: readonly Criterion[]): string[] {
  const problems: string[] = [];
  const byCode = new Map(grid.entries.map((e) => [e.code, e]));
  for (const c of criteria) {
    const e = byCode.get(c.code);
    if (!e) continue;
    if (e.verdict === null) {
      if (c.mandatory) problems.push(`${c.code} (obligatoire) : avis manquant`);
      continue;
    }
    if (e.verdict === 'non_conforme' && !e.comment) problems.push(`${c.code} : décrivez la non-conformité`);
    if (e.verdict === 'sans_objet' && c.mandatory && !e.comment) {
      problems.push(`${c.code} (obligatoire) : justifiez « sans objet »`);
    }
  }
  return problems;
}

export function assertSubmittable(grid: AuditGrid, criteria: readonly Criterion[]): void {
  const problems = submissionProblems(grid, criteria);
  if (problems.length > 0) throw invalid('grille', `Grille incomplète : ${problems.join(' ; ')}.`);
}

export const nonConformities = (grid: AuditGrid) => grid.entries.filter((e) => e.verdict === 'non_conforme');

export function mandatoryNonConformities(grid: AuditGrid, criteria: readonly Criterion[]): GridEntry[] {
  const mandatory = new Set(criteria.filter((c) => c.mandatory).map((c) => c.code));
  return nonConformities(grid).filter((e) => mandatory.has(e.code));
}

// ---------------------------------------------------------------------------------------------
// Corrective actions
// ---------------------------------------------------------------------------------------------

export interface CorrectiveAction {
  readonly code: string;
  readonly description: string;
  readonly dueOn: string; // YYYY-MM-DD, local date of the structure
  readonly closedOn: string | null;
}

export const DEFAULT_CORRECTIVE_DAYS = 60;

/** Each non-conformity opens a corrective action due `days` days after the audit. */
export function openCorrectiveActions(
  grid: AuditGrid,
  auditedOn: string,
  days = DEFAULT_CORRECTIVE_DAYS,
): CorrectiveAction[] {
  if (!Number.isInteger(days) || days < 1 || days > 365) {
    throw invalid('delai', 'Le délai des actions correctives doit être compris entre 1 et 365 jours.');
  }
  // Arithmetic on calendar dates, not instants: any fixed zone gives the same dates.
  const due = DateTime.fromISO(auditedOn, { zone: 'utc' });
  if (!due.isValid) throw invalid('date', `Date d’audit invalide « ${auditedOn} ».`);
  return nonConformities(grid).map((e) => ({
    code: e.code,
    description: e.comment,
    dueOn: due.plus({ days }).toISODate() ?? auditedOn,
    closedOn: null,
  }));
}

/**
 * A contre-visite grid covers the open actions' criteria: a criterion found conforme (or sans objet)
 * closes its action; one still non conforme leaves it open. A contre-visite that does not give a
 * verdict on every open action is refused.
 */
export function applyContreVisite(
  actions: readonly CorrectiveAction[],
  grid: AuditGrid,
  on: string,
): CorrectiveAction[] {
  const byCode = new Map(grid.entries.map((e) => [e.code, e]));
  const missing = actions
    .filter((a) => a.closedOn === null && !byCode.get(a.code)?.verdict)
    .map((a) => a.code);
  if (missing.length > 0) {
    throw invalid(
      'grille',
      `La contre-visite doit statuer sur chaque action corrective ouverte : ${missing.join(', ')}.`,
    );
  }
  return actions.map((a) => {
    if (a.closedOn !== null) return a;
    const verdict = byCode.get(a.code)?.verdict;
    return verdict === 'non_conforme' ? a : { ...a, closedOn: on };
  });
}

export const openActions = (actions: readonly CorrectiveAction[]) =>
  actions.filter((a) => a.closedOn === null);

/** Open actions whose deadline has passed (the due day itself is not late). */
export function overdueActions(
  actions: readonly CorrectiveAction[],
  now: Date,
  zone: TimeZone = METROPOLITAN_ZONE,
): CorrectiveAction[] {
  const today = localDate(now, zone);
  return openActions(actions).filter((a) => a.dueOn < today);
}

// ---------------------------------------------------------------------------------------------
// Periodic audits
// ---------------------------------------------------------------------------------------------

export const DEFAULT_CYCLE_MONTHS = 36;

export interface AuditDue {
  readonly dueOn: string;
  /** Days past the due date; 0 or negative when not yet due. */
  readonly daysOverdue: number;
  readonly overdue: boolean;
}

/**
 * The next periodic audit of a labelled structure is due `cycleMonths` after the later of its
 * labellisation and its last completed audit.
 */
export function nextAuditDue(
  labelledOn: string,
  lastAuditOn: string | null,
  cycleMonths: number,
  now: Date,
  zone: TimeZone = METROPOLITAN_ZONE,
): AuditDue {
  if (!Number.isInteger(cycleMonths) || cycleMonths < 1 || cycleMonths > 120) {
    throw invalid('cycle', 'Le cycle des audits périodiques doit être compris entre 1 et 120 mois.');
  }
  const from = lastAuditOn && lastAuditOn > labelledOn ? lastAuditOn : labelledOn;
  const start = DateTime.fromISO(from, { zone });
  if (!start.isValid) throw invalid('date', `Date invalide « ${from} ».`);
  const due = start.plus({ months: cycleMonths });
  const today = DateTime.fromISO(localDate(now, zone), { zone });
  const daysOverdue = Math.round(today.diff(due, 'days').days);
  return { dueOn: due.toISODate() ?? from, daysOverdue, overdue: daysOverdue > 0 };
}

/**
 * Structures whose periodic audit is due within `horizonDays` (or already overdue), most late first;
 * "today" is each structure's own (its department's zone, when given).
 */
export function auditsDue<
  T extends { labelledOn: string | null; lastAuditOn: string | null; departement?: string | null },
>(structures: readonly T[], cycleMonths: number, now: Date, horizonDays = 0): (T & AuditDue)[] {
  return structures
    .filter((s): s is T & { labelledOn: string } => s.labelledOn !== null)
    .map((s) => ({
      ...s,
      ...nextAuditDue(s.labelledOn, s.lastAuditOn, cycleMonths, now, timeZoneOf(s.departement)),
    }))
    .filter((s) => s.daysOverdue >= -horizonDays)
    .sort((a, b) => b.daysOverdue - a.daysOverdue);
}
