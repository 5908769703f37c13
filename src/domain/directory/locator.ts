import { localDate, timeZoneOfPlace } from '../shared/time-zone.js';
import { describeOpeningState, type OpeningState, openingState } from './opening-hours.js';
import { isMobileFormat, type Partner, type Structure } from './structure.js';

/**
 * Road travel estimated from the straight line: 1.3 × great-circle distance at an average 45 km/h,
 * plus 3 minutes to park and walk. A first-order figure for a person choosing a counter; the territorial
 * indicators use a finer model by density class (src/domain/territory).
 */
export const TRAVEL_DETOUR = 1.3;
export const TRAVEL_SPEED_KMH = 45;
export const TRAVEL_FIXED_MIN = 3;
export const estimateTravelMinutes = (km: number): number =>
  Math.round(TRAVEL_FIXED_MIN + ((km * TRAVEL_DETOUR) / TRAVEL_SPEED_KMH) * 60);

/** A bus stop found by the locator: where the bus of `structure` stops, and its next passage there. */
export interface StopHit {
  readonly id: string;
  readonly name: string;
  readonly kind: string;
  readonly address: string;
  readonly codeInsee: string;
  readonly lat: number;
  readonly lon: number;
  readonly unitName: string;
  readonly next: { readonly start: Date; readonly end: Date } | null;
}

export type FormatFilter = 'fixe' | 'mobile';

export interface LocatorFilters {
  readonly openNow?: boolean;
  readonly partner?: Partner;
  readonly format?: FormatFilter;
  /**
   * true: only structures bookable online within 14 days, from real availability (issue 15); false: only
   * the others. The official list's `prise_rdv` column stays on each structure (`appointment`).
   */
  readonly appointment?: boolean;
}

/** A structure's state for the public: open now, or when it opens, with status and closures applied. */
export interface PublicOpening extends OpeningState {
  /** Physical reception is suspended (status); phone and email come first. */
  readonly remoteOnly: boolean;
  readonly closedByStatus: boolean;
}

/**
 * Read on the wall clock of the structure's commune, with its public holidays: a structure is closed on
 * a jour férié of its commune (the page says so), like the public services it hosts.
 */
export function publicOpening(s: Structure, at: Date): PublicOpening {
  const zone = timeZoneOfPlace(s);
  const closedByStatus =
    s.status === 'fermee_definitivement' ||
    (s.status === 'fermee_temporairement' &&
      (s.statusUntil === null || s.statusUntil >= localDate(at, zone)));
  const remoteOnly = s.status === 'accueil_a_distance';
  if (closedByStatus || remoteOnly) {
    return { open: false, closesAt: null, opensAt: null, closure: null, zone, remoteOnly, closedByStatus };
  }
  const place = { zone, commune: s.codeInsee || s.departement };
  return { ...openingState(s.hours, at, s.closures, place), remoteOnly, closedByStatus };
}

/**
 * Filters applied inside the spatial search. `bookableOnline`: the structures with a free slot bookable
 * online within 14 days, computed beforehand (the rendez-vous service); none when not given.
 */
export function matchesStaticFilters(
  s: Structure,
  f: LocatorFilters,
  bookableOnline: ReadonlySet<string> = NONE,
): boolean {
  if (s.status === 'fermee_definitivement') return false;
  if (f.partner && !s.partners.includes(f.partner)) return false;
  if (f.format === 'mobile' && !isMobileFormat(s.format)) return false;
  if (f.format === 'fixe' && isMobileFormat(s.format)) return false;
  if (f.appointment !== undefined && bookableOnline.has(s.id) !== f.appointment) return false;
  return true;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The sentence for a bus stop: the bus is there now (until when), or its next passage.
 * Built on the structures' sentence so that days and dates read the same everywhere.
 */
export function describeStopOpening(opening: OpeningState, at: Date): string {
  const sentence = describeOpeningState(opening, at);
  if (opening.open)
    return sentence
      .replace(/^Ouvert maintenant/, 'Le bus est là maintenant')
      .replace(' · ferme ', ' · repart ');
  if (opening.opensAt) return sentence.replace(/^Fermé · ouvre /, 'Prochain passage du bus ');
  return 'Aucun passage du bus prévu pour le moment';
}
