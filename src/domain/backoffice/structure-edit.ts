import { DateTime } from 'luxon';
import {
  formatDayHours,
  parseDayHours,
  type TimeRange,
  WEEKDAYS,
  type Weekday,
} from '../directory/opening-hours.js';
import { type ExceptionalClosure, PARTNERS, type Partner } from '../directory/structure.js';
import { invalid } from '../shared/errors.js';

/**
 * What the people who run a structure may change in the back office, validated here.
 * Input comes from a form (strings); the result is the normalised value to store.
 */
export interface StructureEditInput {
  readonly email?: unknown;
  readonly telephone?: unknown;
  readonly hours?: Partial<Record<Weekday, unknown>>;
  readonly closures?: readonly { from?: unknown; to?: unknown; message?: unknown }[];
  readonly partners?: unknown;
  readonly appointment?: unknown;
  readonly comment?: unknown;
  readonly description?: unknown;
}

export interface StructureEdit {
  /** Every address / number typed, in order (a structure may publish several). */
  readonly emails: string[];
  readonly telephones: string[];
  readonly hours: Record<Weekday, TimeRange[]>;
  readonly closures: ExceptionalClosure[];
  readonly partners: Partner[];
  readonly appointment: boolean;
  readonly comment: string | null;
  readonly description: string | null;
  /** What the hours parser rewrote (merged ranges…), to tell the person. */
  readonly notices: string[];
}

export const LIMITS = Object.freeze({ comment: 1000, description: 2000, closureMessage: 500, closures: 30 });

const EMAIL = /^[^\s@<>"]{1,64}@[^\s@<>"]+\.[^\s@<>"]{2,}$/;

function optionalText(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(field, 'Un texte est attendu.');
  const text = value.replace(/\r\n/g, '\n').trim();
  if (text.length > max)
    throw invalid(field, `Le texte ne doit pas dépasser ${max} caractères (${text.length} saisis).`);
  return text === '' ? null : text;
}

export function parseEmail(value: unknown, field = 'email'): string | null {
  const text = optionalText(value, field, 254);
  if (text === null) return null;
  if (!EMAIL.test(text))
    throw invalid(field, `Adresse électronique invalide : « ${text} » (exemple : contact@mairie.fr).`);
  return text.toLowerCase();
}

/** French numbers (`01 23 45 67 89`, `01.23.45.67.89`, `+33 1 23 45 67 89`) and overseas `+262…`. */
export function parseTelephone(value: unknown, field = 'telephone'): string | null {
  const text = optionalText(value, field, 30);
  if (text === null) return null;
  const compact = text.replace(/[\s.\-()]/g, '');
  if (/^0\d{9}$/.test(compact)) return compact.replace(/(\d{2})(?=\d)/g, '$1 ');
  if (/^\+33\d{9}$/.test(compact)) return `0${compact.slice(3)}`.replace(/(\d{2})(?=\d)/g, '$1 ');
  if (/^\+\d{9,14}$/.test(compact)) return compact;
  throw invalid(field, `Numéro de téléphone invalide : « ${text} » (exemple : 03 23 45 67 89).`);
}

/** Several values typed in one field, separated by « , », « ; », a new line, or « - » / « / » between spaces. */
export const LIST_HINT = 'Plusieurs : séparez-les par une virgule.';
const MAX_LIST = 5;

function parseList(
  value: unknown,
  field: string,
  parseOne: (v: unknown, field: string) => string | null,
): string[] {
  const text = optionalText(value, field, 400);
  if (text === null) return [];
  const parts = text
    .split(/\s*[,;\n]\s*|\s+[-/]\s+/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length > MAX_LIST) throw invalid(field, `Au plus ${MAX_LIST} valeurs (${parts.length} saisies).`);
  const out: string[] = [];
  for (const p of parts) {
    const v = parseOne(p, field);
    if (v !== null && !out.includes(v)) out.push(v);
  }
  return out;
}

export function parseIsoDate(value: unknown, field: string): string {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value.trim()))
    throw invalid(field, 'Date attendue au format AAAA-MM-JJ.');
  const d = DateTime.fromISO(value.trim());
  if (!d.isValid || d.year < 2000 || d.year > 2100) throw invalid(field, `Date impossible : « ${value} ».`);
  return d.toISODate() as string;
}

function parseClosures(list: StructureEditInput['closures']): ExceptionalClosure[] {
  const rows = (list ?? []).filter((c) =>
    [c.from, c.to, c.message].some((v) => typeof v === 'string' && v.trim() !== ''),
  );
  if (rows.length > LIMITS.closures)
    throw invalid('closures', `Au plus ${LIMITS.closures} fermetures exceptionnelles.`);
  return rows
    .map((c, i) => {
      const from = parseIsoDate(c.from, `closures.${i}.from`);
      const to = c.to === undefined || c.to === '' ? from : parseIsoDate(c.to, `closures.${i}.to`);
      if (to < from) throw invalid(`closures.${i}.to`, 'La fin de la fermeture précède son début.');
      const message = optionalText(c.message, `closures.${i}.message`, LIMITS.closureMessage);
      if (message === null)
        throw invalid(
          `closures.${i}.message`,
          'Un message pour le public est obligatoire (par exemple « Fermé pour inventaire »).',
        );
      return { from, to, message };
    })
    .sort((a, b) => a.from.localeCompare(b.from));
}

function parsePartners(value: unknown): Partner[] {
  const list = value === undefined || value === null ? [] : Array.isArray(value) ? value : [value];
  const out = new Set<Partner>();
  for (const p of list) {
    if (typeof p !== 'string' || !(PARTNERS as readonly string[]).includes(p))
      throw invalid('partners', `Partenaire inconnu : « ${String(p).slice(0, 40)} ».`);
    out.add(p as Partner);
  }
  return PARTNERS.filter((p) => out.has(p));
}

function parseBoolean(value: unknown, field: string): boolean {
  if (value === undefined || value === null || value === '' || value === false) return false;
  if (value === true || value === 'on' || value === 'oui' || value === 'true') return true;
  if (value === 'non' || value === 'false') return false;
  throw invalid(field, 'Valeur « oui » ou « non » attendue.');
}

export function validateStructureEdit(input: StructureEditInput): StructureEdit {
  const notices: string[] = [];
  const hours = {} as Record<Weekday, TimeRange[]>;
  for (const day of WEEKDAYS) {
    const text = input.hours?.[day];
    if (text !== undefined && text !== null && typeof text !== 'string')
      throw invalid(`hours.${day}`, 'Les horaires doivent être un texte.');
    if (typeof text === 'string' && text.length > 200) throw invalid(`hours.${day}`, 'Horaires trop longs.');
    const parsed = parseDayHours(text as string | undefined, `hours.${day}`);
    hours[day] = parsed.ranges;
    for (const c of parsed.changes) notices.push(`${day} : ${c}`);
  }
  return {
    emails: parseList(input.email, 'email', parseEmail),
    telephones: parseList(input.telephone, 'telephone', parseTelephone),
    hours,
    closures: parseClosures(input.closures),
    partners: parsePartners(input.partners),
    appointment: parseBoolean(input.appointment, 'appointment'),
    comment: optionalText(input.comment, 'comment', LIMITS.comment),
    description: optionalText(input.description, 'description', LIMITS.description),
    notices,
  };
}

/** The official text of each day, for the form. */
export const hoursAsText = (days: Readonly<Record<Weekday, readonly TimeRange[]>>): Record<Weekday, string> =>
  Object.fromEntries(WEEKDAYS.map((d) => [d, formatDayHours(days[d] ?? [])])) as Record<Weekday, string>;

/** Fields that differ between two snapshots, as `{field: [before, after]}` for the audit log. */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): { before: Record<string, unknown>; after: Record<string, unknown> } {
  const b: Record<string, unknown> = {};
  const a: Record<string, unknown> = {};
  for (const key of Object.keys(after)) {
    if (JSON.stringify(before[key] ?? null) !== JSON.stringify(after[key] ?? null)) {
      b[key] = before[key] ?? null;
      a[key] = after[key] ?? null;
    }
  }
  return { before: b, after: a };
}
