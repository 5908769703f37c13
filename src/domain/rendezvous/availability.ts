import { WEEKDAYS, type Weekday } from '../directory/opening-hours.js';
import { invalid } from '../shared/errors.js';
import { SLOT_UNIT_MIN } from './motif.js';

/**
 * An agent's weekly availability (a plage): every `weekday`, from `start` to `end` (minutes since local
 * midnight, on the structure's wall clock), between two optional local dates, for every motif or a few.
 * Exceptions are absences: a span of instants when the agent takes no appointment.
 */
export interface PlageInput {
  readonly weekday: Weekday;
  readonly start: number;
  readonly end: number;
  /** First and last local day (`YYYY-MM-DD`, inclusive) it applies; null: open-ended. */
  readonly validFrom: string | null;
  readonly validUntil: string | null;
  /** The motifs it is for; null: every motif of the structure. */
  readonly motifIds: readonly string[] | null;
}

export interface Plage extends PlageInput {
  readonly id: string;
  readonly agentId: string;
  readonly structureId: string;
}

export interface Absence {
  readonly id: string;
  readonly agentId: string;
  readonly start: Date;
  readonly end: Date;
  readonly label: string | null;
}

/** Bounds: a structure has at most this many plages and motifs listed by a plage (work per request). */
export const AVAILABILITY_LIMITS = Object.freeze({
  plagesPerStructure: 500,
  motifsPerPlage: 50,
  absenceDaysMax: 366,
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

const isRealDate = (s: string): boolean => {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
};

/** `09:30` → 570; throws `invalid(field)` on anything else. */
export function minutesOf(text: unknown, field: string): number {
  if (typeof text !== 'string' || !HHMM.test(text.trim())) {
    throw invalid(field, 'Heure attendue au format HH:MM (par exemple 09:30).');
  }
  const [h, m] = text.trim().split(':').map(Number) as [number, number];
  return h * 60 + m;
}

export const formatMinutes = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** Smart constructor of a plage from form or API values (times as `HH:MM`). */
export function plageInput(raw: Readonly<Record<string, unknown>>): PlageInput {
  if (typeof raw.weekday !== 'string' || !(WEEKDAYS as readonly string[]).includes(raw.weekday)) {
    throw invalid('weekday', 'Jour inconnu : lundi, mardi, mercredi, jeudi, vendredi, samedi ou dimanche.');
  }
  const start = minutesOf(raw.start, 'start');
  const end = minutesOf(raw.end, 'end');
  if (end <= start) throw invalid('end', 'L’heure de fin doit suivre l’heure de début.');
  if (start % SLOT_UNIT_MIN !== 0 || end % SLOT_UNIT_MIN !== 0) {
    throw invalid('start', `Les heures doivent tomber sur un multiple de ${SLOT_UNIT_MIN} minutes.`);
  }
  const date = (field: string, v: unknown): string | null => {
    if (v === undefined || v === null || v === '') return null;
    if (typeof v !== 'string' || !isRealDate(v)) throw invalid(field, 'Date attendue au format AAAA-MM-JJ.');
    return v;
  };
  const validFrom = date('validFrom', raw.validFrom);
  const validUntil = date('validUntil', raw.validUntil);
  if (validFrom && validUntil && validUntil < validFrom) {
    throw invalid('validUntil', 'La date de fin doit suivre la date de début.');
  }
  let motifIds: string[] | null = null;
  if (Array.isArray(raw.motifIds) && raw.motifIds.length > 0) {
    if (raw.motifIds.length > AVAILABILITY_LIMITS.motifsPerPlage) {
      throw invalid('motifIds', `Au plus ${AVAILABILITY_LIMITS.motifsPerPlage} motifs par plage.`);
    }
    motifIds = [...new Set(raw.motifIds.map(String))];
  }
  return { weekday: raw.weekday as Weekday, start, end, validFrom, validUntil, motifIds };
}

/** An absence from two instants; at most a year long. */
export function absenceSpan(start: Date, end: Date): { start: Date; end: Date } {
  if (Number.isNaN(start.getTime())) throw invalid('start', 'Début d’absence invalide.');
  if (Number.isNaN(end.getTime())) throw invalid('end', 'Fin d’absence invalide.');
  if (end <= start) throw invalid('end', 'La fin de l’absence doit suivre son début.');
  if (end.getTime() - start.getTime() > AVAILABILITY_LIMITS.absenceDaysMax * 86_400_000) {
    throw invalid('end', `Une absence dure au plus ${AVAILABILITY_LIMITS.absenceDaysMax} jours.`);
  }
  return { start, end };
}
