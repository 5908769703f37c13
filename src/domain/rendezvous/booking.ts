import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { invalid } from '../shared/errors.js';

/** The life of an appointment (issue 15). */
export const STATUSES = ['confirme', 'annule', 'honore', 'excuse', 'absent'] as const;
export type Status = (typeof STATUSES)[number];
export const STATUS_LABELS: Record<Status, string> = {
  confirme: 'Confirmé',
  annule: 'Annulé',
  honore: 'Honoré',
  excuse: 'Excusé',
  absent: 'Absent (non excusé)',
};
/** What an agent records once the time has come: seen, excused, missed. */
export const ATTENDANCE = ['honore', 'excuse', 'absent'] as const;
export type Attendance = (typeof ATTENDANCE)[number];

/** Contact details are erased this many days after the appointment. */
export const CONTACT_RETENTION_DAYS = 30;
export const NAME_MAX = 100;
const EMAIL_MAX = 254;
/** A practical address check (the mail server has the last word): one @, a dotted domain, no spaces. */
const EMAIL =
  /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export interface Contact {
  readonly name: string;
  readonly email: string | null;
  /** E.164 (`+33612345678`): what an SMS provider expects. */
  readonly phone: string | null;
}

/** The phone country of a department, so that a local number (0692…) reads right overseas. */
export function phoneCountryOf(departement: string | null | undefined): CountryCode {
  const byDep: Record<string, CountryCode> = {
    '971': 'GP',
    '972': 'MQ',
    '973': 'GF',
    '974': 'RE',
    '975': 'PM',
    '976': 'YT',
    '977': 'BL',
    '978': 'MF',
  };
  return (departement && byDep[departement]) || 'FR';
}

/**
 * Smart constructor of the person's contact: a name (≤ 100 characters, no control characters) and an
 * email or a phone number (at least one), each checked; the phone is stored in E.164.
 */
export function contact(
  raw: { name?: unknown; email?: unknown; phone?: unknown },
  country: CountryCode = 'FR',
): Contact {
  const name = typeof raw.name === 'string' ? raw.name.replace(/\s+/g, ' ').trim() : '';
  if (!name) throw invalid('name', 'Indiquez votre nom.');
  if (name.length > NAME_MAX) throw invalid('name', `Le nom ne doit pas dépasser ${NAME_MAX} caractères.`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing them is the point
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalid('name', 'Le nom contient des caractères invalides.');
  const emailText = typeof raw.email === 'string' ? raw.email.trim() : '';
  const phoneText = typeof raw.phone === 'string' ? raw.phone.trim() : '';
  if (!emailText && !phoneText) {
    throw invalid('email', 'Indiquez une adresse électronique ou un numéro de téléphone pour vous joindre.');
  }
  let email: string | null = null;
  if (emailText) {
    if (emailText.length > EMAIL_MAX || !EMAIL.test(emailText)) {
      throw invalid('email', 'Adresse électronique invalide (exemple : prenom.nom@exemple.fr).');
    }
    email = emailText;
  }
  let phone: string | null = null;
  if (phoneText) {
    const parsed = phoneText.length <= 30 ? parsePhoneNumberFromString(phoneText, country) : undefined;
    if (!parsed?.isValid()) {
      throw invalid('phone', 'Numéro de téléphone invalide (exemple : 06 12 34 56 78).');
    }
    phone = parsed.number;
  }
  return { name, email, phone };
}

/** Whether an agent may record this attendance now: seen or missed once it has started; excused any time. */
export function attendanceAllowed(
  status: Status,
  attendance: Attendance,
  start: Date,
  now: Date,
): string | null {
  if (status === 'annule') return 'Ce rendez-vous a été annulé.';
  if (attendance !== 'excuse' && now < start) return 'Ce rendez-vous n’a pas encore commencé.';
  return null;
}

/** A phone number for people: `+33 6 12 34 56 78`. */
export function formatPhone(e164: string): string {
  return parsePhoneNumberFromString(e164)?.formatInternational() ?? e164;
}

/** Below this many recorded appointments, a missed-appointment rate is shown as indicative only. */
export const MISSED_RATE_MIN_COUNT = 30;

/** Attendance recorded for past appointments, and those still without it. */
export interface AttendanceCounts {
  readonly honore: number;
  readonly excuse: number;
  readonly absent: number;
  /** Past appointments still "confirmé": attendance not recorded, left out of the rate. */
  readonly nonRenseigne: number;
}

export interface MissedRate extends AttendanceCounts {
  /** The appointments the rate is computed on: honoré + excusé + absent. */
  readonly total: number;
  /** absent ÷ total; null when nothing is recorded. */
  readonly missedRate: number | null;
  /** 95 % Wilson score interval of the rate; null when nothing is recorded. */
  readonly interval: { readonly low: number; readonly high: number } | null;
  /** Fewer than `MISSED_RATE_MIN_COUNT` recorded: to be read with caution. */
  readonly small: boolean;
}

/**
 * The missed-appointment rate: appointments missed without notice over those whose attendance was
 * recorded (honoré, excusé, absent), with its 95 % Wilson interval, so that a rate on a handful of
 * appointments does not read like one on hundreds. Past appointments without recorded attendance are
 * counted apart, never guessed.
 */
export function missedRate(c: AttendanceCounts): MissedRate {
  const total = c.honore + c.excuse + c.absent;
  if (total === 0) return { ...c, total, missedRate: null, interval: null, small: true };
  const p = c.absent / total;
  const z = 1.959964;
  const z2 = z * z;
  const centre = (p + z2 / (2 * total)) / (1 + z2 / total);
  const half = (z / (1 + z2 / total)) * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return {
    ...c,
    total,
    missedRate: p,
    interval: { low: Math.max(0, centre - half), high: Math.min(1, centre + half) },
    small: total < MISSED_RATE_MIN_COUNT,
  };
}
