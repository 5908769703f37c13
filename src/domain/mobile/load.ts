import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import { DomainError } from '../shared/errors.js';
import { greatCircleKm, isInFrance, type LatLng } from '../shared/geo.js';
import { timeZoneOf, wallClock } from '../shared/time-zone.js';
import { parseDay, parseHhmm, ymd } from './days.js';
import type { MobileData, MobileUnit, Stop, TourEntry, TourException } from './model.js';
import { entryOccurrences, ruleDays } from './occurrences.js';
import { parseRecurrence } from './recurrence.js';
import { type MobileDocument, MobileDocumentSchema } from './schema.js';

/** One problem in the document, at a JSON path such as `entries[2].rrule`. */
export interface DocumentIssue {
  readonly field: string;
  readonly message: string;
}

/** All the problems of a document; `field` and `message` are those of the first. */
export class MobileDocumentError extends DomainError {
  readonly issues: readonly DocumentIssue[];
  constructor(issues: readonly DocumentIssue[]) {
    const first = issues[0] ?? { field: '', message: 'Document invalide.' };
    const more = issues.length > 1 ? ` (et ${issues.length - 1} autre(s) erreur(s))` : '';
    super('invalid', `${first.field} : ${first.message}${more}`, first.field);
    this.name = 'MobileDocumentError';
    this.issues = issues;
  }
}

/** A stop far from its structure: loading it needs an explicit confirmation. */
export interface Confirmation {
  readonly field: string;
  readonly message: string;
  readonly distanceKm: number;
}

export class ConfirmationRequired extends DomainError {
  readonly confirmations: readonly Confirmation[];
  constructor(confirmations: readonly Confirmation[]) {
    super(
      'invalid',
      `${confirmations.length} arrêt(s) à plus de ${CONFIRM_DISTANCE_KM} km de leur structure : vérifiez puis confirmez (--confirm). ${confirmations
        .map((c) => `${c.field} : ${c.message}`)
        .join(' ; ')}`,
      confirmations[0]?.field,
    );
    this.name = 'ConfirmationRequired';
    this.confirmations = confirmations;
  }
}

export const CONFIRM_DISTANCE_KM = 200;
/** An entry may cover at most five years: beyond that, load a new document. */
export const MAX_ENTRY_DAYS = 5 * 366;
/**
 * What one bus or itinerant team may plan in one document (security review, finding 5: a tour of 700
 * daily entries blocked the server for seconds and its calendar weighed 100 MB). A real bus makes a few
 * passages a day, five days a week: about a thousand a year.
 */
export const MAX_ENTRIES_PER_UNIT = 200;
export const MAX_PASSAGES_PER_UNIT = 10_000;
/** Passages of one unit in one calendar year (eight a day, every day of the year, is 2,920). */
export const MAX_PASSAGES_PER_UNIT_PER_YEAR = 3_000;
/** Stops of one unit (a real tour has ten to thirty). */
export const MAX_STOPS_PER_UNIT = 200;
/** Exceptions (cancelled, moved or added passages) of one unit in one document. */
export const MAX_EXCEPTIONS_PER_UNIT = 1_000;

export interface StructureInfo {
  readonly location: LatLng;
  /** Our format value, when known: a unit must belong to a `bus` or `itinerante` structure. */
  readonly format?: string;
}

export interface LoadOptions {
  /** Looks up a structure by `id_fs`. Without it, distances are measured from the depot. */
  readonly structure?: (idFs: string) => StructureInfo | undefined;
  readonly confirm?: boolean;
}

export interface LoadResult {
  readonly data: MobileData;
  readonly confirmations: readonly Confirmation[];
}

/** JSON pointer `/entries/2/rrule` → `entries[2].rrule`. */
export function jsonPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc === '' ? p : `${acc}.${p}`), '');
}

const TYPE_FR: Record<string, string> = {
  object: 'un objet',
  array: 'une liste',
  string: 'une chaîne de caractères',
  number: 'un nombre',
  integer: 'un entier',
  boolean: 'un booléen',
};

/** The shape check, compiled once: several times faster than interpreting the schema on each document. */
let validator: { Check(value: unknown): boolean } | undefined;

function schemaIssues(input: unknown): DocumentIssue[] {
  const issues: DocumentIssue[] = [];
  const check = validator ?? Compile(MobileDocumentSchema);
  validator = check;
  if (check.Check(input)) return issues;
  const seen = new Set<string>();
  for (const e of Value.Errors(MobileDocumentSchema, input)) {
    const p = e.params as Record<string, unknown>;
    let field = jsonPath(e.instancePath);
    let message: string;
    switch (e.keyword) {
      case 'required': {
        const names = (p.requiredProperties as string[]) ?? [];
        message = `champ(s) obligatoire(s) manquant(s) : ${names.join(', ')}.`;
        break;
      }
      case 'additionalProperties': {
        const names = (p.additionalProperties as string[]) ?? [];
        message = `champ(s) inconnu(s) : ${names.join(', ')}.`;
        break;
      }
      case 'boolean':
        continue; // reported as additionalProperties on the parent
      case 'type':
        message = `doit être ${TYPE_FR[String(p.type)] ?? String(p.type)}.`;
        break;
      case 'enum':
        message = `valeur non autorisée ; valeurs possibles : ${((p.allowedValues as unknown[]) ?? []).map((v) => `« ${v} »`).join(', ')}.`;
        break;
      case 'pattern':
        message =
          field.endsWith('start') || field.endsWith('end')
            ? 'heure attendue au format HH:MM (ex. 09:00).'
            : /(date|from|until)$/.test(field)
              ? 'date attendue au format AAAA-MM-JJ.'
              : field.endsWith('commune')
                ? 'code INSEE de commune attendu (5 caractères, ex. 02361).'
                : 'identifiant invalide : lettres, chiffres, « . », « _ » ou « - », 64 caractères au plus.';
        break;
      case 'minimum':
      case 'maximum':
        message = `doit être ${e.keyword === 'minimum' ? 'supérieur' : 'inférieur'} ou égal à ${String(p.limit)}.`;
        break;
      case 'minLength':
        message = 'ne doit pas être vide.';
        break;
      case 'maxLength':
        message = `trop long (${String(p.limit)} caractères au plus).`;
        break;
      case 'maxItems':
        message = `trop d’éléments (${String(p.limit)} au plus).`;
        break;
      default:
        message = 'valeur invalide.';
    }
    if (field === '') field = '$';
    const key = `${field}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      issues.push({ field, message });
    }
    if (issues.length >= 50) break;
  }
  return issues;
}

const yearOf = (day: number) => ymd(day).y;
const fmtDate = (iso: string) => iso.split('-').reverse().join('/');
/** `HH:MM` of a passage, on the wall clock of its stop's commune. */
const hhmm = (d: Date, commune: string) => wallClock(d, timeZoneOf(commune)).toFormat('HH:mm');

/**
 * Strict validation of the `mobile load` document: its shape (TypeBox), then the domain rules.
 * Throws MobileDocumentError with every problem found (each at its JSON path), or
 * ConfirmationRequired when stops lie more than 200 km from their structure and `confirm` is not set.
 */
export function parseMobileDocument(input: unknown, options: LoadOptions = {}): LoadResult {
  const shape = schemaIssues(input);
  if (shape.length > 0) throw new MobileDocumentError(shape);
  const doc = input as MobileDocument;
  const issues: DocumentIssue[] = [];
  const fail = (field: string, message: string) => issues.push({ field, message });

  const units = new Map<string, MobileUnit>();
  const structureAt = new Map<string, LatLng>();
  doc.units.forEach((u, i) => {
    if (units.has(u.id)) fail(`units[${i}].id`, `identifiant « ${u.id} » en double.`);
    const depot = { lat: u.depot.lat, lon: u.depot.lon };
    if (!isInFrance(depot))
      fail(`units[${i}].depot`, 'le dépôt est hors de France (latitude et longitude inversées ?).');
    let at: LatLng = depot;
    if (options.structure) {
      const s = options.structure(u.structure);
      if (!s) fail(`units[${i}].structure`, `structure « ${u.structure} » inconnue de l’annuaire.`);
      else {
        if (s.format !== undefined && s.format !== 'bus' && s.format !== 'itinerante') {
          fail(
            `units[${i}].structure`,
            `la structure « ${u.structure} » n’est ni un bus ni une France Services itinérante.`,
          );
        }
        at = s.location;
      }
    }
    structureAt.set(u.id, at);
    units.set(u.id, {
      id: u.id,
      structureIdFs: u.structure,
      name: u.name,
      ...(u.vehicle !== undefined ? { vehicle: u.vehicle } : {}),
      depot,
    });
  });

  const stopsOfUnit = new Map<string, number>();
  for (const s of doc.stops) stopsOfUnit.set(s.unit, (stopsOfUnit.get(s.unit) ?? 0) + 1);
  for (const [unit, n] of stopsOfUnit)
    if (n > MAX_STOPS_PER_UNIT)
      fail('stops', `l’unité « ${unit} » a ${n} arrêts : ${MAX_STOPS_PER_UNIT} au plus.`);

  const stops = new Map<string, Stop>();
  const confirmations: Confirmation[] = [];
  doc.stops.forEach((s, i) => {
    if (stops.has(s.id)) fail(`stops[${i}].id`, `identifiant « ${s.id} » en double.`);
    if (!units.has(s.unit)) fail(`stops[${i}].unit`, `unité « ${s.unit} » absente de « units ».`);
    if (!isInFrance(s))
      fail(
        `stops[${i}].lat`,
        'les coordonnées de l’arrêt sont hors de France (latitude et longitude inversées ?).',
      );
    const at = structureAt.get(s.unit);
    if (at && isInFrance(s)) {
      const km = greatCircleKm(at, s);
      if (km > CONFIRM_DISTANCE_KM) {
        confirmations.push({
          field: `stops[${i}]`,
          message: `l’arrêt « ${s.name} » est à ${Math.round(km)} km de sa structure.`,
          distanceKm: Math.round(km * 10) / 10,
        });
      }
    }
    stops.set(s.id, {
      id: s.id,
      unit: s.unit,
      name: s.name,
      kind: s.kind as Stop['kind'],
      commune: s.commune.toUpperCase(),
      address: s.address,
      lat: s.lat,
      lon: s.lon,
      ...(s.accessNotes ? { accessNotes: s.accessNotes } : {}),
    });
  });

  const entries = new Map<string, TourEntry>();
  const entryIndex = new Map<string, number>();
  const usable = new Set<string>(); // entries whose rule, times and period are valid
  // Counted before any rule is expanded, so that an oversized tour costs nothing to refuse.
  const entriesOfUnit = new Map<string, number>();
  for (const e of doc.entries) entriesOfUnit.set(e.unit, (entriesOfUnit.get(e.unit) ?? 0) + 1);
  const oversized = new Set<string>();
  for (const [unit, n] of entriesOfUnit) {
    if (n > MAX_ENTRIES_PER_UNIT) {
      oversized.add(unit);
      fail('entries', `l’unité « ${unit} » a ${n} entrées de tournée : ${MAX_ENTRIES_PER_UNIT} au plus.`);
    }
  }
  const passagesOfUnit = new Map<string, number>();
  const passagesOfYear = new Map<string, number>(); // `${unit}|${year}`
  // Each usable entry's days, expanded once: the exception checks below read them (never re-expanded).
  const daysOf = new Map<string, ReturnType<typeof ruleDays>>();
  doc.entries.forEach((e, i) => {
    if (oversized.has(e.unit)) return;
    const at = (k: string) => `entries[${i}].${k}`;
    const before = issues.length;
    if (entries.has(e.id)) fail(at('id'), `identifiant « ${e.id} » en double.`);
    if (!units.has(e.unit)) fail(at('unit'), `unité « ${e.unit} » absente de « units ».`);
    const stop = stops.get(e.stop);
    if (!stop) fail(at('stop'), `arrêt « ${e.stop} » absent de « stops ».`);
    else if (stop.unit !== e.unit)
      fail(at('stop'), `l’arrêt « ${e.stop} » appartient à l’unité « ${stop.unit} », pas à « ${e.unit} ».`);
    const from = parseDay(e.from);
    const until = parseDay(e.until);
    if (from === undefined) fail(at('from'), `« ${e.from} » n’est pas une date du calendrier.`);
    if (until === undefined) fail(at('until'), `« ${e.until} » n’est pas une date du calendrier.`);
    if (from !== undefined && until !== undefined) {
      if (until < from) fail(at('until'), 'la fin de période précède son début.');
      else if (until - from > MAX_ENTRY_DAYS) fail(at('until'), 'la période dépasse cinq ans.');
    }
    if ((parseHhmm(e.end) ?? 0) <= (parseHhmm(e.start) ?? 0)) {
      fail(at('end'), `l’heure de fin (${e.end}) doit être après l’heure de début (${e.start}).`);
    }
    try {
      parseRecurrence(e.rrule, at('rrule'));
    } catch (x) {
      if (x instanceof DomainError) fail(x.field ?? at('rrule'), `${x.message}`);
      else throw x;
    }
    const entry: TourEntry = {
      id: e.id,
      unit: e.unit,
      stop: e.stop,
      rrule: e.rrule
        .trim()
        .replace(/^RRULE:/i, '')
        .toUpperCase(),
      start: e.start,
      end: e.end,
      from: e.from,
      until: e.until,
      holidays: e.holidays ?? 'skip',
      sequence: e.sequence ?? 0,
    };
    if (!entries.has(e.id)) {
      entries.set(e.id, entry);
      entryIndex.set(e.id, i);
    }
    if (issues.length === before) {
      const days = ruleDays(entry, stop?.commune);
      const passages = (passagesOfUnit.get(e.unit) ?? 0) + days.length;
      passagesOfUnit.set(e.unit, passages);
      let busyYear: number | undefined;
      for (const d of days) {
        const key = `${e.unit}|${yearOf(d.day)}`;
        const n = (passagesOfYear.get(key) ?? 0) + 1;
        passagesOfYear.set(key, n);
        if (n > MAX_PASSAGES_PER_UNIT_PER_YEAR) busyYear = yearOf(d.day);
      }
      if (passages > MAX_PASSAGES_PER_UNIT) {
        oversized.add(e.unit);
        fail(
          at('rrule'),
          `l’unité « ${e.unit} » dépasse ${MAX_PASSAGES_PER_UNIT.toLocaleString('fr-FR')} passages sur les périodes du document.`,
        );
      } else if (busyYear !== undefined) {
        oversized.add(e.unit);
        fail(
          at('rrule'),
          `l’unité « ${e.unit} » dépasse ${MAX_PASSAGES_PER_UNIT_PER_YEAR.toLocaleString('fr-FR')} passages en ${busyYear}.`,
        );
      } else if (days.length === 0)
        fail(
          at('rrule'),
          `la règle ne produit aucune date entre le ${fmtDate(e.from)} et le ${fmtDate(e.until)}.`,
        );
      else if (entry.holidays === 'skip' && days.every((d) => d.holiday !== undefined)) {
        fail(
          at('rrule'),
          'toutes les dates produites sont des jours fériés sautés (« holidays »: « skip »).',
        );
      } else {
        usable.add(e.id);
        daysOf.set(e.id, days);
      }
    }
  });

  const exceptions: TourException[] = [];
  const exceptionKeys = new Set<string>();
  const checkException = (
    x: NonNullable<MobileDocument['exceptions']>[number],
    i: number,
  ): DocumentIssue | undefined => {
    const at = (k: string) => `exceptions[${i}].${k}`;
    const problem = (field: string, message: string): DocumentIssue => ({ field, message });
    const entry = entries.get(x.entry);
    if (!entry) return problem(at('entry'), `entrée « ${x.entry} » absente de « entries ».`);
    const day = parseDay(x.date);
    if (day === undefined) return problem(at('date'), `« ${x.date} » n’est pas une date du calendrier.`);
    const key = `${x.entry}|${x.date}`;
    if (exceptionKeys.has(key))
      return problem(
        at('date'),
        `une autre exception porte déjà sur l’entrée « ${x.entry} » le ${fmtDate(x.date)}.`,
      );
    exceptionKeys.add(key);
    if (x.action !== 'move' && x.to !== undefined)
      return problem(at('to'), '« to » ne sert qu’à l’action « move ».');
    if (x.action === 'move') {
      if (!x.to) return problem(at('to'), 'un déplacement demande « to » : {date, start, end}.');
      if (parseDay(x.to.date) === undefined)
        return problem(at('to.date'), `« ${x.to.date} » n’est pas une date du calendrier.`);
      if ((parseHhmm(x.to.end) ?? 0) <= (parseHhmm(x.to.start) ?? 0)) {
        return problem(
          at('to.end'),
          `l’heure de fin (${x.to.end}) doit être après l’heure de début (${x.to.start}).`,
        );
      }
    }
    const rule = daysOf.get(entry.id);
    if (rule) {
      const found = rule.find((d) => d.day === day);
      const regular = found !== undefined && (found.holiday === undefined || entry.holidays === 'keep');
      if (x.action === 'add' && regular)
        return problem(at('date'), `le ${fmtDate(x.date)} est déjà un passage de l’entrée « ${entry.id} ».`);
      if (x.action !== 'add' && !regular) {
        const why = found?.holiday ? ` (c’est un jour férié, ${found.holiday}, déjà sauté)` : '';
        return problem(
          at('date'),
          `le ${fmtDate(x.date)} n’est pas un passage de l’entrée « ${entry.id} »${why}.`,
        );
      }
    }
    exceptions.push({
      entry: x.entry,
      date: x.date,
      action: x.action as TourException['action'],
      ...(x.reason ? { reason: x.reason } : {}),
      ...(x.to ? { to: { date: x.to.date, start: x.to.start, end: x.to.end } } : {}),
    });
    return undefined;
  };
  // Counted before any exception is checked, so that an oversized list costs nothing to refuse.
  const exceptionsOfUnit = new Map<string, number>();
  for (const x of doc.exceptions ?? []) {
    const unit = entries.get(x.entry)?.unit;
    if (unit !== undefined) exceptionsOfUnit.set(unit, (exceptionsOfUnit.get(unit) ?? 0) + 1);
  }
  const tooManyExceptions = new Set<string>();
  for (const [unit, n] of exceptionsOfUnit) {
    if (n > MAX_EXCEPTIONS_PER_UNIT) {
      tooManyExceptions.add(unit);
      fail(
        'exceptions',
        `l’unité « ${unit} » a ${n.toLocaleString('fr-FR')} exceptions : ${MAX_EXCEPTIONS_PER_UNIT.toLocaleString('fr-FR')} au plus.`,
      );
    }
  }
  (doc.exceptions ?? []).forEach((x, i) => {
    const unit = entries.get(x.entry)?.unit;
    if (unit !== undefined && tooManyExceptions.has(unit)) return;
    const p = checkException(x, i);
    if (p) issues.push(p);
  });

  if (issues.length === 0) {
    // Two places at once: sweep the final passages of each unit (cancelled ones do not count).
    const byEntry = new Map<string, TourException[]>();
    for (const x of exceptions) byEntry.set(x.entry, [...(byEntry.get(x.entry) ?? []), x]);
    const perUnit = new Map<string, ReturnType<typeof entryOccurrences>>();
    for (const entry of entries.values()) {
      const list = entryOccurrences(
        entry,
        stops.get(entry.stop),
        byEntry.get(entry.id) ?? [],
        -1e6,
        1e6,
        false,
      );
      const acc = perUnit.get(entry.unit) ?? [];
      for (const o of list) acc.push(o);
      perUnit.set(entry.unit, acc);
    }
    const reported = new Set<string>();
    for (const [unit, list] of perUnit) {
      list.sort((a, b) => a.start.getTime() - b.start.getTime());
      let open = list[0];
      for (let k = 1; k < list.length; k++) {
        const o = list[k];
        if (!o || !open) continue;
        if (o.start.getTime() < open.end.getTime()) {
          const pairIds = [open.entry, o.entry].sort(
            (p, q) => (entryIndex.get(p) ?? 0) - (entryIndex.get(q) ?? 0),
          );
          const a = pairIds[0] ?? open.entry;
          const b = pairIds[1] ?? o.entry;
          const pair = `${a}|${b}`;
          if (!reported.has(pair)) {
            reported.add(pair);
            const who =
              a === b
                ? `l’entrée « ${a} » se chevauche elle-même`
                : `les entrées « ${a} » et « ${b} » se chevauchent`;
            fail(
              `entries[${entryIndex.get(b)}]`,
              `${who} pour l’unité « ${unit} » le ${fmtDate(o.date)} (${hhmm(open.start, open.commune)}–${hhmm(open.end, open.commune)} et ${hhmm(o.start, o.commune)}–${hhmm(o.end, o.commune)}) : un bus ne peut pas être à deux endroits à la fois.`,
            );
          }
        }
        if (o.end.getTime() > open.end.getTime()) open = o;
      }
    }
  }

  if (issues.length > 0) throw new MobileDocumentError(issues);
  if (confirmations.length > 0 && !options.confirm) throw new ConfirmationRequired(confirmations);
  return {
    data: {
      units: [...units.values()],
      stops: [...stops.values()],
      entries: [...entries.values()],
      exceptions,
    },
    confirmations,
  };
}
