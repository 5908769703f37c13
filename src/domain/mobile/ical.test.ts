import ical from 'node-ical';
import { describe, expect, it } from 'vitest';
import { sampleDocument } from './fixtures.js';
import { escapeText, foldLine, toICalendar } from './ical.js';
import { parseMobileDocument } from './load.js';
import type { MobileData, OccurrenceStatus } from './model.js';
import { expandOccurrences, type OccurrenceFilter } from './occurrences.js';

const now = new Date('2026-04-01T10:00:00Z');

function data(patch?: (d: ReturnType<typeof sampleDocument>) => void): MobileData {
  const doc = sampleDocument();
  patch?.(doc);
  return parseMobileDocument(doc).data;
}

/** Every instance an independent parser (node-ical, on rrule.js) reads from the feed. */
function parsedInstances(feed: string, from: Date, to: Date) {
  const parsed = ical.sync.parseICS(feed);
  const out: Array<{ start: number; end: number; status: OccurrenceStatus | 'scheduled-or-moved' }> = [];
  for (const c of Object.values(parsed)) {
    if (c?.type !== 'VEVENT') continue;
    const instances = c.rrule
      ? ical.expandRecurringEvent(c, { from, to })
      : [{ start: c.start, end: c.end, event: c }].filter((i) => i.start >= from && i.start <= to);
    for (const i of instances) {
      out.push({
        start: new Date(i.start).getTime(),
        end: new Date(i.end ?? i.start).getTime(),
        status: i.event.status === 'CANCELLED' ? 'cancelled' : 'scheduled-or-moved',
      });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

function compare(d: MobileData, filter: OccurrenceFilter) {
  const feed = toICalendar(d, filter, { name: 'Test', now, units: d.units });
  const ours = expandOccurrences(d, '2026-01-01', '2026-12-31', filter).map((o) => ({
    start: o.start.getTime(),
    end: o.end.getTime(),
    status: o.status === 'cancelled' ? 'cancelled' : 'scheduled-or-moved',
  }));
  const theirs = parsedInstances(feed, new Date('2025-12-31T00:00:00Z'), new Date('2026-12-31T22:59:00Z'));
  expect(theirs).toEqual(ours);
  return { feed, count: ours.length };
}

describe('iCalendar feeds read back by node-ical give the domain’s occurrences', () => {
  it('per unit, with a cancellation, a move, an addition and skipped holidays', () => {
    const { count } = compare(data(), { unit: 'bus-tso' });
    expect(count).toBe(52 + 11);
  });

  it('per stop and per commune', () => {
    compare(data(), { stop: 'guise-marche' });
    compare(data(), { commune: '02830' });
  });

  it('across both DST changes, with every-other-week, 5th-weekday, BYSETPOS and kept holidays', () => {
    const d = data((doc) => {
      doc.entries.push(
        {
          id: 'e3',
          unit: 'bus-tso',
          stop: 'wassigny-mairie',
          rrule: 'FREQ=WEEKLY;INTERVAL=2;BYDAY=SU',
          start: '08:00',
          end: '11:00',
          from: '2026-01-04',
          until: '2026-12-31',
          holidays: 'keep',
        },
        {
          id: 'e4',
          unit: 'bus-tso',
          stop: 'guise-marche',
          rrule: 'FREQ=MONTHLY;BYDAY=5TH',
          start: '13:30',
          end: '16:00',
          from: '2026-01-01',
          until: '2026-12-31',
          holidays: 'skip',
        },
        {
          id: 'e5',
          unit: 'bus-tso',
          stop: 'guise-marche',
          rrule: 'FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1',
          start: '17:00',
          end: '18:00',
          from: '2026-02-10',
          until: '2026-11-30',
          holidays: 'skip',
        },
      );
      doc.exceptions.push({
        entry: 'e3',
        date: '2026-03-29',
        action: 'cancel',
        reason: 'Brocante, place occupée',
      });
    });
    const { feed, count } = compare(d, { unit: 'bus-tso' });
    expect(count).toBeGreaterThan(63 + 26 + 4 + 9);
    expect(feed).toContain('STATUS:CANCELLED');
  });
});

describe('iCalendar format', () => {
  const feed = toICalendar(
    data((doc) => {
      Object.assign(doc.stops[0] as object, {
        name: 'Place du marché; côté église, <script>alert(1)</script>',
        accessNotes:
          'Ligne 1\nLigne 2 \\ antislash, virgule; point-virgule. Un texte assez long pour devoir être plié à soixante-quinze octets, accents compris : éèàùç.',
      });
    }),
    { unit: 'bus-tso' },
    { name: 'Bus France services TSO', now, units: [] },
  );
  const lines = feed.split('\r\n');

  it('has the VTIMEZONE, a stable UID per entry and its SEQUENCE', () => {
    expect(feed.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(feed).toContain('BEGIN:VTIMEZONE\r\nTZID:Europe/Paris');
    expect(feed).toContain('UID:mobile-e1@maillage');
    expect(feed).toContain('UID:mobile-e1-20260715@maillage');
    expect(feed).toContain('DTSTART;TZID=Europe/Paris:20260106T090000');
    expect(feed).toContain('RRULE:FREQ=WEEKLY;BYDAY=TU;UNTIL=20261231T225959Z');
    expect(feed).toContain('EXDATE;TZID=Europe/Paris:20260714T090000');
    expect(feed).toContain('RECURRENCE-ID;TZID=Europe/Paris:20260512T090000');
    expect(lines.filter((l) => l === 'SEQUENCE:0').length).toBeGreaterThan(0);
  });

  it('increments SEQUENCE with the entry', () => {
    const d = data((doc) => Object.assign(doc.entries[0] as object, { sequence: 3 }));
    const f = toICalendar(d, { stop: 'guise-marche' }, { name: 'x', now });
    expect(f).toContain('SEQUENCE:3');
    expect(f).not.toContain('SEQUENCE:0');
  });

  it('escapes text and folds every line at 75 octets', () => {
    expect(escapeText('a\\b,c;d\ne')).toBe('a\\\\b\\,c\\;d\\ne');
    for (const l of lines) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    const unfolded = feed.replace(/\r\n /g, '');
    expect(unfolded).toContain('Place du marché\\; côté église\\, <script>alert(1)</script>');
    expect(unfolded).toContain('Ligne 1\\nLigne 2 \\\\ antislash\\, virgule\\; point-virgule.');
    const parsed = Object.values(ical.sync.parseICS(feed)).find(
      (c) => c?.type === 'VEVENT' && c.uid === 'mobile-e1@maillage',
    );
    expect(parsed && 'description' in parsed ? String(parsed.description) : '').toContain(
      'Ligne 1\nLigne 2 \\ antislash, virgule; point-virgule.',
    );
  });

  it('never splits a UTF-8 character when folding', () => {
    const line = `SUMMARY:${'é'.repeat(100)}`;
    const folded = foldLine(line).split('\r\n');
    for (const l of folded) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(folded.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(line);
  });
});
