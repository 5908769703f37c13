import { DateTime } from 'luxon';
import { isCodeInsee } from '../shared/insee.js';
import {
  AUTONOMIES,
  type Autonomie,
  CANAUX,
  type Canal,
  isOneOf,
  PARTENAIRES,
  type Partenaire,
  RESULTATS,
  type Resultat,
  TRANCHES_AGE,
  type TrancheAge,
} from './codes.js';

/** Bounds of a record, from the issue: a duration is 1–480 minutes; nothing before the network's 2019 start. */
export const DUREE_MIN = 1;
export const DUREE_MAX = 480;
export const EARLIEST_START = new Date('2019-01-01T00:00:00+01:00');
export const NOTE_MAX = 2000;
export const BUS_STOP_MAX = 100;
/** A start a few minutes ahead of the server clock is a device clock slightly off, not the future. */
export const CLOCK_SKEW_MS = 5 * 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** ISO 8601 with a date, a time and an explicit offset (Z or ±hh:mm). */
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})$/;

/** An accompaniment, valid by construction. Anonymous: nothing here names the person. */
export interface Accompagnement {
  readonly id: string;
  readonly structureIdFs: string;
  readonly debut: Date;
  readonly dureeMin: number;
  readonly canal: Canal;
  /** The bus stop (id of the unit's stop) when the channel is `bus`; null otherwise. */
  readonly arretBus: string | null;
  readonly partenaire: Partenaire;
  readonly demarche: string | null;
  readonly resultat: Resultat;
  readonly trancheAge: TrancheAge | null;
  readonly communeUsager: string | null;
  readonly premiereVisite: boolean | null;
  readonly autonomie: Autonomie | null;
  readonly note: string | null;
}

/** What a caller sends (a CSV row, an API item, a form): anything, checked here. */
export interface AccompagnementInput {
  readonly id?: unknown;
  readonly id_fs?: unknown;
  readonly debut?: unknown;
  readonly duree_min?: unknown;
  readonly canal?: unknown;
  readonly arret_bus?: unknown;
  readonly partenaire?: unknown;
  readonly demarche?: unknown;
  readonly resultat?: unknown;
  readonly tranche_age?: unknown;
  readonly commune_usager?: unknown;
  readonly premiere_visite?: unknown;
  readonly autonomie?: unknown;
  readonly note?: unknown;
}

export interface FieldIssue {
  readonly field: string;
  readonly message: string;
}

/** What the constructor needs to know of the world, injected: the clock, the communes, the catalogue. */
export interface RecordRules {
  readonly now: Date;
  /** The current INSEE code for a code (old codes resolve), or null when unknown. */
  readonly resolveCommune: (code: string) => string | null;
  /** The démarche's partner if the code is in the catalogue and not retired; null otherwise. */
  readonly activeDemarche: (code: string) => { readonly partenaire: Partenaire } | null;
}

export type RecordResult =
  | { readonly ok: true; readonly value: Accompagnement }
  | { readonly ok: false; readonly issues: readonly FieldIssue[] };

const text = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
};
const isBlank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
const show = (v: unknown) => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
};
const listOf = (list: readonly string[]) => list.join(', ');

export function parseDebut(v: unknown): Date | string {
  if (typeof v !== 'string' || !ISO_WITH_OFFSET.test(v.trim()))
    return 'Date de début invalide : ISO 8601 avec son décalage attendu (ex. 2026-05-04T09:30:00+02:00).';
  const fast = plainIsoInstant(v.trim());
  if (fast) return fast;
  const parsed = DateTime.fromISO(v.trim(), { setZone: true });
  if (!parsed.isValid) return `Date de début impossible : « ${show(v)} ».`;
  return parsed.toJSDate();
}

const ISO_PARTS =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(?:Z|([+-])(\d{2}):?(\d{2}))$/;

/**
 * The common shape of `debut` read without Luxon (an import reads a million of them): the same
 * instant as `DateTime.fromISO`, or null for anything unusual (out-of-range parts, a year before
 * 100), which then goes through Luxon and its message.
 */
export function plainIsoInstant(text: string): Date | null {
  const m = ISO_PARTS.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const second = m[6] ? Number(m[6]) : 0;
  if (year < 100 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59)
    return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const millis = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  let offsetMinutes = 0;
  if (m[8]) {
    const hours = Number(m[9]);
    const minutes = Number(m[10]);
    if (hours > 23 || minutes > 59) return null;
    offsetMinutes = (m[8] === '-' ? -1 : 1) * (hours * 60 + minutes);
  }
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000);
}

function parseDuree(v: unknown): number | string {
  const n =
    typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isInteger(n)) return 'Durée invalide : un nombre entier de minutes est attendu.';
  if (n < DUREE_MIN || n > DUREE_MAX)
    return `Durée hors bornes : de ${DUREE_MIN} à ${DUREE_MAX} minutes (8 heures).`;
  return n;
}

function parseBool(v: unknown): boolean | null | string {
  if (isBlank(v)) return null;
  if (v === true || v === 'true' || v === 'oui' || v === '1') return true;
  if (v === false || v === 'false' || v === 'non' || v === '0') return false;
  return 'Valeur attendue : oui ou non.';
}

/**
 * The smart constructor: every field checked, every problem named with its field, in French.
 * The structure (`id_fs`) is only checked for shape here; the service checks it exists and that the
 * caller may record for it.
 */
export function accompagnement(input: AccompagnementInput, rules: RecordRules): RecordResult {
  const issues: FieldIssue[] = [];
  const fail = (field: string, message: string) => {
    issues.push({ field, message });
    return null;
  };

  const id = text(input.id);
  if (!id || !UUID.test(id)) fail('id', 'Identifiant invalide : un UUID est attendu (ex. 3f0c…-…).');

  const idFs = text(input.id_fs);
  if (!idFs || idFs.length > 64) fail('id_fs', 'Structure manquante ou identifiant trop long.');

  const debut = parseDebut(input.debut);
  if (typeof debut === 'string') fail('debut', debut);
  else if (debut.getTime() < EARLIEST_START.getTime())
    fail(
      'debut',
      'Date de début trop ancienne : le réseau France Services existe depuis le 1er janvier 2019.',
    );
  else if (debut.getTime() > rules.now.getTime() + CLOCK_SKEW_MS)
    fail('debut', 'Date de début dans le futur : un accompagnement s’enregistre une fois commencé.');

  const duree = parseDuree(input.duree_min);
  if (typeof duree === 'string') fail('duree_min', duree);

  const canal = text(input.canal);
  if (!isOneOf(CANAUX, canal))
    fail('canal', `Canal inconnu : « ${show(input.canal)} ». Valeurs : ${listOf(CANAUX)}.`);

  let arretBus: string | null = null;
  if (!isBlank(input.arret_bus)) {
    const stop = text(input.arret_bus);
    if (canal !== 'bus') fail('arret_bus', 'Un arrêt de bus ne s’indique que pour le canal « bus ».');
    else if (!stop || stop.length > BUS_STOP_MAX) fail('arret_bus', 'Arrêt de bus invalide.');
    else arretBus = stop;
  }

  const partenaire = text(input.partenaire);
  if (!isOneOf(PARTENAIRES, partenaire))
    fail(
      'partenaire',
      `Partenaire inconnu : « ${show(input.partenaire)} ». Valeurs : ${listOf(PARTENAIRES)}.`,
    );

  let demarche: string | null = null;
  if (!isBlank(input.demarche)) {
    const code = text(input.demarche) ?? '';
    const found = code.length <= 64 ? rules.activeDemarche(code) : null;
    if (!found) fail('demarche', `Démarche inconnue ou retirée du catalogue : « ${show(input.demarche)} ».`);
    else if (isOneOf(PARTENAIRES, partenaire) && found.partenaire !== partenaire && partenaire !== 'autre')
      fail('demarche', `La démarche « ${code} » relève d’un autre partenaire (${found.partenaire}).`);
    else demarche = code;
  }

  const resultat = text(input.resultat);
  if (!isOneOf(RESULTATS, resultat))
    fail('resultat', `Résultat inconnu : « ${show(input.resultat)} ». Valeurs : ${listOf(RESULTATS)}.`);

  let trancheAge: TrancheAge | null = null;
  if (!isBlank(input.tranche_age)) {
    const t = text(input.tranche_age);
    if (!isOneOf(TRANCHES_AGE, t))
      fail(
        'tranche_age',
        `Tranche d’âge inconnue : « ${show(input.tranche_age)} ». Valeurs : ${listOf(TRANCHES_AGE)}.`,
      );
    else trancheAge = t;
  }

  let communeUsager: string | null = null;
  if (!isBlank(input.commune_usager)) {
    const code = (text(input.commune_usager) ?? '').toUpperCase();
    const current = isCodeInsee(code) ? rules.resolveCommune(code) : null;
    if (!current)
      fail(
        'commune_usager',
        `Commune inconnue : « ${show(input.commune_usager)} » (code INSEE attendu, ex. 02361).`,
      );
    else communeUsager = current;
  }

  const premiere = parseBool(input.premiere_visite);
  if (typeof premiere === 'string') fail('premiere_visite', premiere);

  let autonomie: Autonomie | null = null;
  if (!isBlank(input.autonomie)) {
    const a = text(input.autonomie);
    if (!isOneOf(AUTONOMIES, a))
      fail(
        'autonomie',
        `Autonomie inconnue : « ${show(input.autonomie)} ». Valeurs : ${listOf(AUTONOMIES)}.`,
      );
    else autonomie = a;
  }

  let note: string | null = null;
  if (!isBlank(input.note)) {
    if (typeof input.note !== 'string') fail('note', 'La note doit être un texte.');
    else if (input.note.length > NOTE_MAX)
      fail(
        'note',
        `Note trop longue : ${NOTE_MAX} caractères au plus (elle en compte ${input.note.length}).`,
      );
    else note = input.note.trim();
  }

  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    value: {
      id: (id as string).toLowerCase(),
      structureIdFs: idFs as string,
      debut: debut as Date,
      dureeMin: duree as number,
      canal: canal as Canal,
      arretBus,
      partenaire: partenaire as Partenaire,
      demarche,
      resultat: resultat as Resultat,
      trancheAge,
      communeUsager,
      premiereVisite: premiere as boolean | null,
      autonomie,
      note,
    },
  };
}

/**
 * What "the same record" means for idempotency: every field a caller sends, the instant compared as
 * an instant (two offsets for one moment are the same start).
 */
export function contentKey(a: Accompagnement): string {
  return JSON.stringify([
    a.structureIdFs,
    a.debut.getTime(),
    a.dureeMin,
    a.canal,
    a.arretBus,
    a.partenaire,
    a.demarche,
    a.resultat,
    a.trancheAge,
    a.communeUsager,
    a.premiereVisite,
    a.autonomie,
    a.note,
  ]);
}
