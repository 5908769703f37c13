/**
 * Floating calendar days, as integers (days since 1970-01-01), with no time zone.
 * Recurrences are expanded on these; the wall-clock time of the stop's zone is attached afterwards,
 * so that a 09:00 passage stays at 09:00 on both sides of a daylight-saving change.
 */
export type Day = number;

const MS_PER_DAY = 86_400_000;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `YYYY-MM-DD` to a day number, or `undefined` if it is not a real calendar date. */
export function parseDay(iso: string): Day | undefined {
  const m = ISO_DATE.exec(iso);
  if (!m) return undefined;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return Date.UTC(y, mo - 1, d) / MS_PER_DAY;
}

export const dayOf = (y: number, month: number, d: number): Day => Date.UTC(y, month - 1, d) / MS_PER_DAY;

export function formatDay(day: Day): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** ISO weekday: 0 = Monday … 6 = Sunday (1970-01-01 was a Thursday). */
export const weekday = (day: Day): number => (((day + 3) % 7) + 7) % 7;

export function ymd(day: Day): { y: number; m: number; d: number } {
  const dt = new Date(day * MS_PER_DAY);
  return { y: dt.getUTCFullYear(), m: dt.getUTCMonth() + 1, d: dt.getUTCDate() };
}

export function daysInMonth(y: number, month: number): number {
  return new Date(Date.UTC(y, month, 0)).getUTCDate();
}

/** `HH:MM` to minutes after midnight, or `undefined`. */
export function parseHhmm(s: string): number | undefined {
  const m = HH_MM.exec(s);
  return m ? Number(m[1]) * 60 + Number(m[2]) : undefined;
}

export const formatHhmm = (minutes: number): string =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
