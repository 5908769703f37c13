import { DateTime } from 'luxon';

/** Identity, messages, notes and attachments are erased this many months after a case is closed. */
export const RETENTION_MONTHS = 6;

/** Cases closed before this instant are due for erasure at `now` (calendar months, end of month clamped). */
export const erasureCutoff = (now: Date): Date =>
  DateTime.fromJSDate(now, { zone: 'utc' }).minus({ months: RETENTION_MONTHS }).toJSDate();
