/**
 * Weekly opening hours: the contract. Implementation in progress (helper A).
 * Minutes are counted from local midnight, Europe/Paris wall clock.
 */
export const WEEKDAYS = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export interface TimeRange {
  readonly start: number; // minutes since midnight, 0..1440
  readonly end: number; // > start, ≤ 1440
}

export interface WeeklyHours {
  readonly days: Readonly<Record<Weekday, readonly TimeRange[]>>;
}
