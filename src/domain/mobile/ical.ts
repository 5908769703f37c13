import { DateTime } from 'luxon';
import { PARIS } from '../shared/time.js';
import { formatDay, parseDay } from './days.js';
import type { MobileUnit, Schedule, Stop, TourEntry, TourException } from './model.js';
import { type OccurrenceFilter, recurrenceOf, ruleDays } from './occurrences.js';
import { formatRecurrence } from './recurrence.js';

/**
 * iCalendar (RFC 5545) feeds of the published tours.
 *
 * Design, so that a subscribed calendar follows every change:
 * - one recurring VEVENT per tour entry, UID `mobile-<entry>@maillage`, stable for the entry's life,
 *   DTSTART/DTEND in TZID=Europe/Paris (VTIMEZONE included), RRULE with UNTIL in UTC;
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

export const PARIS_VTIMEZONE = [
  'BEGIN:VTIMEZONE',
  'TZID:Europe/Paris',
  'X-LIC-LOCATION:Europe/Paris',
  'BEGIN:DAYLIGHT',
  'TZOFFSETFROM:+0100',
  'TZOFFSETTO:+0200',
  'TZNAME:CEST',
  'DTSTART:19700329T020000',
  'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU',
  'END:DAYLIGHT',
  'BEGIN:STANDARD',
  'TZOFFSETFROM:+0200',
  'TZOFFSETTO:+0100',
  'TZNAME:CET',
  'DTSTART:19701025T030000',
  'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU',
  'END:STANDARD',
  'END:VTIMEZONE',
];

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
const untilUtc = (date: string) => utc(DateTime.fromISO(`${date}T23:59:59`, { zone: PARIS }).toJSDate());

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
      `DTSTART;TZID=${PARIS}:${local(d0, entry.start)}`,
      `DTEND;TZID=${PARIS}:${local(d0, entry.end)}`,
      `RRULE:${formatRecurrence(recurrenceOf(entry))};UNTIL=${untilUtc(entry.until)}`,
    );
    if (entry.holidays === 'skip') {
      const skipped = days
        .filter((d) => d.holiday !== undefined)
        .map((d) => local(formatDay(d.day), entry.start));
      if (skipped.length > 0) out.push(`EXDATE;TZID=${PARIS}:${skipped.join(',')}`);
    }
    out.push(...what, 'STATUS:CONFIRMED', 'TRANSP:OPAQUE', 'END:VEVENT');
  }
  for (const x of exceptions) {
    if (x.action === 'cancel' || x.action === 'move') {
      const to = x.action === 'move' && x.to ? x.to : { date: x.date, start: entry.start, end: entry.end };
      out.push(
        ...head(entryUid(entry.id)),
        `RECURRENCE-ID;TZID=${PARIS}:${local(x.date, entry.start)}`,
        `DTSTART;TZID=${PARIS}:${local(to.date, to.start)}`,
        `DTEND;TZID=${PARIS}:${local(to.date, to.end)}`,
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
        `DTSTART;TZID=${PARIS}:${local(x.date, entry.start)}`,
        `DTEND;TZID=${PARIS}:${local(x.date, entry.end)}`,
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
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Maillage//France Services mobiles//FR',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.name)}`,
    `X-WR-TIMEZONE:${PARIS}`,
    'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
    'X-PUBLISHED-TTL:PT1H',
    ...PARIS_VTIMEZONE,
  ];
  const entries = [...schedule.entries].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const entry of entries) {
    if (filter.unit !== undefined && entry.unit !== filter.unit) continue;
    if (filter.stop !== undefined && entry.stop !== filter.stop) continue;
    const stop = stops.get(entry.stop);
    if (filter.commune !== undefined && stop?.commune !== filter.commune) continue;
    if (parseDay(entry.from) === undefined) continue;
    lines.push(...entryEvents(entry, stop, exceptions.get(entry.id) ?? [], ctx));
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(foldLine).join('\r\n')}\r\n`;
}
