import { DateTime } from 'luxon';
import {
  type ClockChange,
  METROPOLITAN_ZONE,
  type TimeZone,
  timeZoneOf,
  ZONE_RULES,
} from '../shared/time-zone.js';
import { formatDay, parseDay } from './days.js';
import type { MobileUnit, Schedule, Stop, TourEntry, TourException } from './model.js';
import { type OccurrenceFilter, recurrenceOf, ruleDays } from './occurrences.js';
import { formatRecurrence } from './recurrence.js';

/**
 * iCalendar (RFC 5545) feeds of the published tours.
 *
 * Design, so that a subscribed calendar follows every change:
 * - one recurring VEVENT per tour entry, UID `mobile-<entry>@maillage`, stable for the entry's life,
 *   DTSTART/DTEND in the TZID of the stop's commune (its VTIMEZONE included: a bus at La Réunion
 *   runs on Indian/Reunion), RRULE with UNTIL in UTC;
 * - skipped public holidays are EXDATEs;
 * - a cancelled date is an override (same UID, RECURRENCE-ID) with STATUS:CANCELLED, so it stays
 *   visible as cancelled rather than vanishing; a moved date is an override at its new time;
 * - an added date is a single VEVENT, UID `mobile-<entry>-<yyyymmdd>@maillage`;
 * - SEQUENCE is the entry's sequence, which the repository increments on every change of the
 *   entry or of one of its exceptions.
 */
export interface FeedOptions {
  /** Calendar name (X-WR-CALNAME). */
  readonly name: string;
  /** DTSTAMP: when the feed is generated. */
  readonly now: Date;
  readonly units?: readonly MobileUnit[];
  /** The public page of each entry (its stop page), for URL. */
  readonly url?: (entry: TourEntry) => string | undefined;
  readonly communeName?: (code: string) => string | undefined;
}

/** `+0100`, `-0400`: an RFC 5545 UTC offset. */
const utcOffset = (minutes: number): string => {
  const a = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(a / 60)).padStart(2, '0')}${String(a % 60).padStart(2, '0')}`;
};

/** The first date in 1970 matching a yearly change (DTSTART of the rule), e.g. `19700329T020000`. */
function firstChange(change: ClockChange): string {
  const days: number[] = [];
  for (let d = 1; d <= 31; d += 1) {
    const date = new Date(Date.UTC(1970, change.month - 1, d));
    if (date.getUTCMonth() === change.month - 1 && date.getUTCDay() === 0) days.push(d);
  }
  const n = Number(change.byDay.slice(0, -2));
  const day = n < 0 ? days[days.length + n] : days[n - 1];
  const mm = String(change.month).padStart(2, '0');
  return `1970${mm}${String(day).padStart(2, '0')}T${change.localTime.replace(':', '')}00`;
}

/** The VTIMEZONE of a zone, from its current rule (a single STANDARD when it keeps one offset all year). */
export function vtimezone(zone: TimeZone): string[] {
  const rule = ZONE_RULES[zone];
  const std = utcOffset(rule.standardOffsetMinutes);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  const dst = rule.daylight;
  if (!dst) {
    lines.push(
      'BEGIN:STANDARD',
      `TZOFFSETFROM:${std}`,
      `TZOFFSETTO:${std}`,
      `TZNAME:${rule.standardName}`,
      'DTSTART:19700101T000000',
      'END:STANDARD',
    );
  } else {
    const summer = utcOffset(dst.offsetMinutes);
    lines.push(
      'BEGIN:DAYLIGHT',
      `TZOFFSETFROM:${std}`,
      `TZOFFSETTO:${summer}`,
      `TZNAME:${dst.name}`,
      `DTSTART:${firstChange(dst.starts)}`,
      `RRULE:FREQ=YEARLY;BYMONTH=${dst.starts.month};BYDAY=${dst.starts.byDay}`,
      'END:DAYLIGHT',
      'BEGIN:STANDARD',
      `TZOFFSETFROM:${summer}`,
      `TZOFFSETTO:${std}`,
      `TZNAME:${rule.standardName}`,
      `DTSTART:${firstChange(dst.ends)}`,
      `RRULE:FREQ=YEARLY;BYMONTH=${dst.ends.month};BYDAY=${dst.ends.byDay}`,
      'END:STANDARD',
    );
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

/** The metropolitan VTIMEZONE (kept for callers written before issue 10). */
export const PARIS_VTIMEZONE = vtimezone(METROPOLITAN_ZONE);

/** TEXT escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, newline; other controls dropped. */
export function escapeText(s: string): string {
  return (
    s
      .replace(/\r\n?/g, '\n')
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\n/g, '\\n')
      // biome-ignore lint/suspicious/noControlCharactersInRegex: dropping control characters is the point
      .replace(/[\u0000-\u001f\u007f]/g, '')
  );
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 sequence. */
const utf8Length = (ch: string): number => {
  const c = ch.codePointAt(0) ?? 0;
  return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
};

export function foldLine(line: string): string {
  if (line.length <= 25) return line; // at most 3 octets per UTF-16 unit: always fits
  const parts: string[] = [];
  let current = '';
  let size = 0;
  let limit = 75;
  for (const ch of line) {
    const n = utf8Length(ch);
    if (size + n > limit) {
      parts.push(current);
      current = '';
      size = 0;
      limit = 74; // continuation lines start with one space
    }
    current += ch;
    size += n;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

const local = (date: string, hhmm: string) => `${date.replace(/-/g, '')}T${hhmm.replace(':', '')}00`;
const utc = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
const untilUtc = (date: string, zone: TimeZone) =>
  utc(DateTime.fromISO(`${date}T23:59:59`, { zone }).toJSDate());

export function entryUid(entryId: string, addedDate?: string): string {
  return addedDate
    ? `mobile-${entryId}-${addedDate.replace(/-/g, '')}@maillage`
    : `mobile-${entryId}@maillage`;
}

interface Ctx {
  readonly stamp: string;
  readonly options: FeedOptions;
  readonly units: Map<string, MobileUnit>;
}

function describe(entry: TourEntry, stop: Stop | undefined, ctx: Ctx): string[] {
  const unit = ctx.units.get(entry.unit);
  const commune = stop ? ctx.options.communeName?.(stop.commune) : undefined;
  const summary = `${unit?.name ?? 'France Services mobile'} : ${stop?.name ?? entry.stop}${commune ? ` (${commune})` : ''}`;
  const lines = [`SUMMARY:${escapeText(summary)}`];
  if (stop) {
    lines.push(`LOCATION:${escapeText(`${stop.name}, ${stop.address}${commune ? `, ${commune}` : ''}`)}`);
    lines.push(`GEO:${stop.lat.toFixed(6)};${stop.lon.toFixed(6)}`);
    if (stop.accessNotes) lines.push(`DESCRIPTION:${escapeText(`Accès : ${stop.accessNotes}`)}`);
  }
  const url = ctx.options.url?.(entry);
  if (url) lines.push(`URL:${url}`);
  return lines;
}

function entryEvents(
  entry: TourEntry,
  stop: Stop | undefined,
  exceptions: readonly TourException[],
  ctx: Ctx,
): string[] {
  const days = ruleDays(entry, stop?.commune);
  const first = days[0];
  const tz = timeZoneOf(stop?.commune);
  const out: string[] = [];
  const head = (uid: string) => [
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${ctx.stamp}`,
    `SEQUENCE:${entry.sequence}`,
  ];
  const what = describe(entry, stop, ctx);
  if (first !== undefined) {
    const d0 = formatDay(first.day);
    out.push(
      ...head(entryUid(entry.id)),
      `DTSTART;TZID=${tz}:${local(d0, entry.start)}`,
      `DTEND;TZID=${tz}:${local(d0, entry.end)}`,
      `RRULE:${formatRecurrence(recurrenceOf(entry))};UNTIL=${untilUtc(entry.until, tz)}`,
    );
    if (entry.holidays === 'skip') {
      const skipped = days
        .filter((d) => d.holiday !== undefined)
        .map((d) => local(formatDay(d.day), entry.start));
      if (skipped.length > 0) out.push(`EXDATE;TZID=${tz}:${skipped.join(',')}`);
    }
    out.push(...what, 'STATUS:CONFIRMED', 'TRANSP:OPAQUE', 'END:VEVENT');
  }
  for (const x of exceptions) {
    if (x.action === 'cancel' || x.action === 'move') {
      const to = x.action === 'move' && x.to ? x.to : { date: x.date, start: entry.start, end: entry.end };
      out.push(
        ...head(entryUid(entry.id)),
        `RECURRENCE-ID;TZID=${tz}:${local(x.date, entry.start)}`,
        `DTSTART;TZID=${tz}:${local(to.date, to.start)}`,
        `DTEND;TZID=${tz}:${local(to.date, to.end)}`,
        ...what
          .map((l) =>
            l.startsWith('SUMMARY:') && x.action === 'cancel'
              ? `SUMMARY:${escapeText('Annulé – ')}${l.slice(8)}`
              : l,
          )
          .filter((l) => !l.startsWith('DESCRIPTION:')),
      );
      const note =
        x.action === 'cancel'
          ? `Passage annulé${x.reason ? ` : ${x.reason}` : '.'}`
          : `Passage déplacé (prévu le ${x.date.split('-').reverse().join('/')})${x.reason ? ` : ${x.reason}` : '.'}`;
      out.push(
        `DESCRIPTION:${escapeText(note)}`,
        `STATUS:${x.action === 'cancel' ? 'CANCELLED' : 'CONFIRMED'}`,
        'END:VEVENT',
      );
    } else {
      out.push(
        ...head(entryUid(entry.id, x.date)),
        `DTSTART;TZID=${tz}:${local(x.date, entry.start)}`,
        `DTEND;TZID=${tz}:${local(x.date, entry.end)}`,
        ...what.filter((l) => !l.startsWith('DESCRIPTION:')),
        `DESCRIPTION:${escapeText(`Passage supplémentaire${x.reason ? ` : ${x.reason}` : '.'}`)}`,
        'STATUS:CONFIRMED',
        'END:VEVENT',
      );
    }
  }
  return out;
}

/** The feed of the entries matching the filter (unit, stop or commune), as a CRLF-terminated string. */
export function toICalendar(schedule: Schedule, filter: OccurrenceFilter, options: FeedOptions): string {
  const stops = new Map(schedule.stops.map((s) => [s.id, s]));
  const ctx: Ctx = {
    stamp: utc(options.now),
    options,
    units: new Map((options.units ?? []).map((u) => [u.id, u])),
  };
  const exceptions = new Map<string, TourException[]>();
  for (const x of schedule.exceptions) exceptions.set(x.entry, [...(exceptions.get(x.entry) ?? []), x]);
  const events: string[] = [];
  const zones = new Set<TimeZone>();
  const entries = [...schedule.entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const entry of entries) {
    if (filter.unit !== undefined && entry.unit !== filter.unit) continue;
    if (filter.stop !== undefined && entry.stop !== filter.stop) continue;
    const stop = stops.get(entry.stop);
    if (filter.commune !== undefined && stop?.commune !== filter.commune) continue;
    if (parseDay(entry.from) === undefined) continue;
    zones.add(timeZoneOf(stop?.commune));
    events.push(...entryEvents(entry, stop, exceptions.get(entry.id) ?? [], ctx));
  }
  // The calendar's own zone: that of its stops (one per feed in practice: a bus serves one territory).
  const calendarZone = zones.size === 1 ? [...zones][0] : undefined;
  const defaultZone = calendarZone ?? (zones.size === 0 ? timeZoneOf(filter.commune) : METROPOLITAN_ZONE);
  if (zones.size === 0) zones.add(defaultZone);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Maillage//France Services mobiles//FR',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
    `X-WR-TIMEZONE:${defaultZone}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
    ...[...zones].sort().flatMap(vtimezone),
    ...events,
    'END:VCALENDAR',
  ];
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
