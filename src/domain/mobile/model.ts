import type { LatLng } from '../shared/geo.js';

/** A bus or roving team: it belongs to a structure of format bus/itinérante and leaves from a depot. */
export interface MobileUnit {
  readonly id: string;
  readonly structureIdFs: string;
  readonly name: string;
  readonly vehicle?: string;
  readonly depot: LatLng;
}

export const STOP_KINDS = ['mairie', 'marché', 'place', 'centre commercial', 'autre'] as const;
export type StopKind = (typeof STOP_KINDS)[number];

/** A place where the bus sets up: near the mairie, the market, a square, a shopping centre. */
export interface Stop {
  readonly id: string;
  readonly unit: string;
  readonly name: string;
  readonly kind: StopKind;
  readonly commune: string; // INSEE code
  readonly address: string;
  readonly lat: number;
  readonly lon: number;
  readonly accessNotes?: string;
}

export type HolidayPolicy = 'skip' | 'keep';

/** "Which stop, when (an RFC 5545 RRULE), between which dates", in the local time of the stop's commune. */
export interface TourEntry {
  readonly id: string;
  readonly unit: string;
  readonly stop: string;
  readonly rrule: string;
  readonly start: string; // HH:MM
  readonly end: string; // HH:MM
  readonly from: string; // YYYY-MM-DD, inclusive
  readonly until: string; // YYYY-MM-DD, inclusive
  readonly holidays: HolidayPolicy;
  /** iCalendar SEQUENCE: incremented each time the entry or one of its exceptions changes. */
  readonly sequence: number;
}

export const EXCEPTION_ACTIONS = ['cancel', 'move', 'add'] as const;
export type ExceptionAction = (typeof EXCEPTION_ACTIONS)[number];

export interface ExceptionTarget {
  readonly date: string;
  readonly start: string;
  readonly end: string;
}

/** One date of an entry cancelled (with a public reason), moved, or added. */
export interface TourException {
  readonly entry: string;
  readonly date: string;
  readonly action: ExceptionAction;
  readonly reason?: string;
  readonly to?: ExceptionTarget;
}

/** What the expansion needs: the stops (for the commune), the entries and their exceptions. */
export interface Schedule {
  readonly stops: readonly Stop[];
  readonly entries: readonly TourEntry[];
  readonly exceptions: readonly TourException[];
}

export interface MobileData extends Schedule {
  readonly units: readonly MobileUnit[];
}

export type OccurrenceStatus = 'scheduled' | 'cancelled' | 'moved';

export interface Occurrence {
  readonly entry: string;
  readonly unit: string;
  readonly stop: string;
  readonly commune: string;
  /** The local date (the stop's zone) the bus is (or was to be) there. */
  readonly date: string;
  readonly start: Date;
  readonly end: Date;
  readonly status: OccurrenceStatus;
  readonly reason?: string;
  /** For a moved passage: the date it replaces. */
  readonly movedFrom?: string;
  /** True for a date added by an exception. */
  readonly added?: boolean;
}
