import { addBusinessHours, businessHoursBetween } from '../shared/business-hours.js';

/**
 * Deadlines in business hours at the structure's commune (src/domain/shared/business-hours.ts): the first
 * answer is due 72 business hours after filing, the resolution 15 business days (15 × 24 hours) after it;
 * the référent is reminded after 48 of the 72 hours.
 */
export const FIRST_ANSWER_HOURS = 72;
export const REMINDER_HOURS = 48;
export const RESOLUTION_HOURS = 15 * 24;

export interface Deadlines {
  readonly reminderDue: Date;
  readonly firstAnswerDue: Date;
  readonly resolutionDue: Date;
}

export const deadlinesOf = (filedAt: Date, commune: string): Deadlines => ({
  reminderDue: addBusinessHours(filedAt, REMINDER_HOURS, commune),
  firstAnswerDue: addBusinessHours(filedAt, FIRST_ANSWER_HOURS, commune),
  resolutionDue: addBusinessHours(filedAt, RESOLUTION_HOURS, commune),
});

/** Business hours from filing to an event (first answer, closing): what the figures keep after erasure. */
export const elapsedBusinessHours = (filedAt: Date, at: Date, commune: string): number =>
  Math.round(businessHoursBetween(filedAt, at, commune) * 100) / 100;

export interface Timing {
  readonly statut: string;
  readonly firstAnswerDue: Date;
  readonly resolutionDue: Date;
  readonly firstAnswerAt: Date | null;
  readonly closedAt: Date | null;
}

export interface Lateness {
  /** No answer by the 72-hour deadline (or answered after it). */
  readonly answerLate: boolean;
  /** Not closed by the 15-day deadline (or closed after it). */
  readonly resolutionLate: boolean;
  /** Open and past one of its deadlines: shown "En retard". */
  readonly late: boolean;
  /** The deadline that matters now (first answer, then resolution); null once closed. */
  readonly nextDue: Date | null;
}

export function latenessOf(t: Timing, now: Date): Lateness {
  const answerLate = t.firstAnswerAt ? t.firstAnswerAt > t.firstAnswerDue : now > t.firstAnswerDue;
  const resolutionLate = t.closedAt ? t.closedAt > t.resolutionDue : now > t.resolutionDue;
  const open = t.statut !== 'clos';
  return {
    answerLate,
    resolutionLate,
    late: open && ((!t.firstAnswerAt && answerLate) || resolutionLate),
    nextDue: open ? (t.firstAnswerAt ? t.resolutionDue : t.firstAnswerDue) : null,
  };
}

/** Most urgent first: open cases by their next deadline (late ones, in the past, first), closed ones last. */
export function byUrgency<T extends Timing>(rows: readonly T[], now: Date): T[] {
  const key = (r: T) => latenessOf(r, now).nextDue?.getTime() ?? Number.POSITIVE_INFINITY;
  return [...rows].sort((a, b) => key(a) - key(b));
}
