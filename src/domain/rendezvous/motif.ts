import { isOneOf, PARTENAIRE_LABELS, PARTENAIRES, type Partenaire } from '../accompagnement/codes.js';
import { invalid } from '../shared/errors.js';

/**
 * What can be booked at a structure (issue 15): a motif. Durations are whole multiples of the
 * occupancy unit (`SLOT_UNIT_MIN`), so that every slot occupies whole units of its agent's time (the
 * database's no-double-booking constraint is one row per unit: docs/adr/0015-rendez-vous.md).
 */
export const SLOT_UNIT_MIN = 5;

export const CHANNELS = ['sur_place', 'telephone', 'visio'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CHANNEL_LABELS: Record<Channel, string> = {
  sur_place: 'Sur place',
  telephone: 'Par téléphone',
  visio: 'En visio avec un partenaire',
};

/** Bounds, in one place: the forms, the API and the constructor read them. */
export const MOTIF_LIMITS = Object.freeze({
  labelMax: 120,
  durationMin: 5,
  durationMax: 240,
  /** Minimum notice: up to 30 days, in minutes. */
  minNoticeMaxMin: 30 * 24 * 60,
  /** Maximum notice: how far ahead the public may book, in days. */
  maxNoticeMaxDays: 93,
});

export interface MotifInput {
  readonly label: string;
  readonly durationMin: number;
  readonly channel: Channel;
  /** The partner concerned (a visio is held with one), or null for the structure's own help. */
  readonly partner: Partenaire | null;
  /** A démarche code of the accompaniment catalogue (checked by the service), or null. */
  readonly demarche: string | null;
  /** No booking starts sooner than this after now (minutes). */
  readonly minNoticeMin: number;
  /** No booking starts later than this after now (days). */
  readonly maxNoticeDays: number;
  /** Whether the public may book it online; otherwise only agents book it. */
  readonly bookableOnline: boolean;
}

export interface Motif extends MotifInput {
  readonly id: string;
  readonly structureId: string;
  readonly active: boolean;
  readonly version: number;
}

const int = (field: string, value: unknown, min: number, max: number, what: string): number => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw invalid(field, `${what} : un nombre entier entre ${min} et ${max} est attendu.`);
  }
  return n;
};

const bool = (value: unknown): boolean =>
  value === true || value === 'true' || value === 'oui' || value === 'on' || value === '1';

/** Smart constructor: a valid motif input, or `invalid(field, message)` in French. */
export function motifInput(raw: Readonly<Record<string, unknown>>): MotifInput {
  const label = typeof raw.label === 'string' ? raw.label.trim().replace(/\s+/g, ' ') : '';
  if (!label) throw invalid('label', 'Donnez un intitulé au motif.');
  if (label.length > MOTIF_LIMITS.labelMax) {
    throw invalid('label', `L’intitulé ne doit pas dépasser ${MOTIF_LIMITS.labelMax} caractères.`);
  }
  const durationMin = int(
    'durationMin',
    raw.durationMin,
    MOTIF_LIMITS.durationMin,
    MOTIF_LIMITS.durationMax,
    'Durée (minutes)',
  );
  if (durationMin % SLOT_UNIT_MIN !== 0) {
    throw invalid('durationMin', `La durée doit être un multiple de ${SLOT_UNIT_MIN} minutes.`);
  }
  if (!isOneOf(CHANNELS, raw.channel)) {
    throw invalid('channel', 'Canal inconnu : sur place, téléphone ou visio.');
  }
  const partnerRaw = raw.partner === '' || raw.partner === undefined ? null : raw.partner;
  if (partnerRaw !== null && !isOneOf(PARTENAIRES, partnerRaw)) {
    throw invalid('partner', `Partenaire inconnu. Valeurs possibles : ${PARTENAIRES.join(', ')}.`);
  }
  const partner = partnerRaw as Partenaire | null;
  if (raw.channel === 'visio' && (partner === null || partner === 'autre')) {
    throw invalid('partner', 'Une visio se tient avec un partenaire : choisissez lequel.');
  }
  const minNoticeMin = int(
    'minNoticeMin',
    raw.minNoticeMin ?? 0,
    0,
    MOTIF_LIMITS.minNoticeMaxMin,
    'Délai minimal (minutes)',
  );
  const maxNoticeDays = int(
    'maxNoticeDays',
    raw.maxNoticeDays ?? 56,
    1,
    MOTIF_LIMITS.maxNoticeMaxDays,
    'Délai maximal (jours)',
  );
  if (minNoticeMin >= maxNoticeDays * 1440) {
    throw invalid('minNoticeMin', 'Le délai minimal doit être plus court que le délai maximal.');
  }
  const demarcheRaw = typeof raw.demarche === 'string' ? raw.demarche.trim() : '';
  if (demarcheRaw.length > 64 || (demarcheRaw && !/^[a-z0-9_.-]+$/i.test(demarcheRaw))) {
    throw invalid('demarche', 'Code de démarche invalide.');
  }
  return {
    label,
    durationMin,
    channel: raw.channel,
    partner,
    demarche: demarcheRaw || null,
    minNoticeMin,
    maxNoticeDays,
    bookableOnline: bool(raw.bookableOnline),
  };
}

export const partnerLabel = (p: Partenaire | null): string | null => (p ? PARTENAIRE_LABELS[p] : null);
