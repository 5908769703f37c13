import ical from 'node-ical';
import { describe, expect, it } from 'vitest';
import { reunionDocument } from './fixtures.js';
import { toICalendar } from './ical.js';
import { parseMobileDocument } from './load.js';
import { currentPassage, expandOccurrences, nextPassages } from './occurrences.js';

/**
 * Issue 10: a bus at La Réunion runs on Réunion time. Every expected instant below is written by hand
 * (La Réunion is UTC+4 all year: 08:30 there is 04:30 UTC), not computed by the code under test.
 */
const reunion = () => parseMobileDocument(reunionDocument()).data;
const iso = (d: Date) => d.toISOString();

describe('a bus tour at La Réunion', () => {
  it('keeps its local times across the metropolitan daylight-saving change (29 March 2026)', () => {
    const monday = expandOccurrences(reunion(), '2026-03-16', '2026-04-06', { stop: 'saint-louis-mairie' });
    expect(monday.map((o) => [o.date, iso(o.start), iso(o.end), o.status])).toEqual([
      ['2026-03-16', '2026-03-16T04:30:00.000Z', '2026-03-16T08:00:00.000Z', 'scheduled'],
      ['2026-03-23', '2026-03-23T04:30:00.000Z', '2026-03-23T08:00:00.000Z', 'scheduled'],
      ['2026-03-25', '2026-03-25T04:30:00.000Z', '2026-03-25T08:00:00.000Z', 'scheduled'], // added
      // After Paris moved to UTC+2, 08:30 at Saint-Louis is still 04:30 UTC.
      ['2026-03-30', '2026-03-30T04:30:00.000Z', '2026-03-30T08:00:00.000Z', 'scheduled'],
      // Easter Monday, a public holiday at La Réunion too: skipped.
    ]);
  });

  it('places its exceptions in local time', () => {
    const april = expandOccurrences(reunion(), '2026-04-13', '2026-04-27', { stop: 'saint-louis-mairie' });
    expect(april.map((o) => [o.date, iso(o.start), o.status])).toEqual([
      ['2026-04-13', '2026-04-13T04:30:00.000Z', 'cancelled'],
      ['2026-04-21', '2026-04-21T10:00:00.000Z', 'moved'], // 14:00 local
      ['2026-04-27', '2026-04-27T04:30:00.000Z', 'scheduled'],
    ]);
  });

  it('skips the Réunion abolition day (Sunday 20 December), not the metropolitan calendar', () => {
    const december = expandOccurrences(reunion(), '2026-12-01', '2026-12-31', { stop: 'cilaos-place' });
    expect(december.map((o) => iso(o.start))).toEqual([
      '2026-12-06T05:00:00.000Z',
      '2026-12-13T05:00:00.000Z',
      '2026-12-27T05:00:00.000Z',
    ]);
  });

  it('finds the next passage on Monday locally while it is still Sunday in Paris', () => {
    // 2026-03-29T21:00Z: Sunday 23:00 in Paris, Monday 01:00 at Saint-Louis.
    const [next] = nextPassages(reunion(), new Date('2026-03-29T21:00:00Z'), 1, {
      stop: 'saint-louis-mairie',
    });
    expect(next && iso(next.start)).toBe('2026-03-30T04:30:00.000Z');
    // 2026-03-30T04:45Z: 08:45 at Saint-Louis (06:45 in Paris): the bus is there.
    expect(currentPassage(reunion(), new Date('2026-03-30T04:45:00Z'))?.stop).toBe('saint-louis-mairie');
    // 2026-03-30T08:15Z: 12:15 at Saint-Louis, still morning in Paris: it has left.
    expect(currentPassage(reunion(), new Date('2026-03-30T08:15:00Z'))).toBeUndefined();
  });
});

describe('the iCalendar feed of an overseas bus', () => {
  const feed = toICalendar(
    reunion(),
    { unit: 'bus-sud' },
    { name: 'Bus du Sud', now: new Date('2026-03-01T00:00:00Z') },
  );

  it('declares Indian/Reunion, its VTIMEZONE, and no metropolitan time', () => {
    expect(feed).toContain('X-WR-TIMEZONE:Indian/Reunion');
    expect(feed).toContain('BEGIN:VTIMEZONE\r\nTZID:Indian/Reunion\r\n');
    expect(feed).toContain('TZOFFSETFROM:+0400\r\nTZOFFSETTO:+0400');
    expect(feed).toContain('DTSTART;TZID=Indian/Reunion:20260316T083000');
    expect(feed).not.toContain('Europe/Paris');
    expect(feed).not.toContain('DAYLIGHT');
  });

  it('is read back by node-ical at the same instants, using its VTIMEZONE', () => {
    const parsed = ical.sync.parseICS(feed);
    const zones = Object.values(parsed).filter((c) => c?.type === 'VTIMEZONE');
    expect(zones).toHaveLength(1);
    const starts: string[] = [];
    for (const c of Object.values(parsed)) {
      if (c?.type !== 'VEVENT') continue;
      const instances = c.rrule
        ? ical.expandRecurringEvent(c, {
            from: new Date('2026-03-01T00:00:00Z'),
            to: new Date('2026-04-07T00:00:00Z'),
          })
        : [{ start: c.start, event: c }];
      for (const i of instances)
        if (i.event.status !== 'CANCELLED') starts.push(new Date(i.start).toISOString());
    }
    expect(starts.sort().filter((s) => s < '2026-04-07')).toEqual([
      '2026-03-16T04:30:00.000Z',
      '2026-03-23T04:30:00.000Z',
      '2026-03-25T04:30:00.000Z',
      '2026-03-30T04:30:00.000Z',
    ]);
  });
});

describe('a zone with its own daylight saving: Saint-Pierre-et-Miquelon', () => {
  it('writes the North American rule and node-ical reads 09:00 local on both sides of 8 March 2026', () => {
    const doc = reunionDocument();
    Object.assign(doc.units[0] as object, { depot: { lat: 46.78, lon: -56.17 } });
    doc.stops = [{ ...(doc.stops[0] as object), id: 'spm', commune: '97502', lat: 46.78, lon: -56.17 }];
    doc.entries = [
      {
        ...(doc.entries[0] as object),
        stop: 'spm',
        start: '09:00',
        end: '10:00',
        from: '2026-03-02',
        until: '2026-03-09',
      },
    ];
    doc.exceptions = [];
    const data = parseMobileDocument(doc).data;
    // 09:00 at UTC−3 is 12:00 UTC; at UTC−2 (from 8 March) it is 11:00 UTC.
    expect(expandOccurrences(data, '2026-03-01', '2026-03-31').map((o) => iso(o.start))).toEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-09T11:00:00.000Z',
    ]);
    const feed = toICalendar(data, {}, { name: 'SPM', now: new Date('2026-03-01T00:00:00Z') });
    expect(feed).toContain('TZID:America/Miquelon');
    expect(feed).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU');
    expect(feed).toContain('DTSTART:19701101T020000');
    const event = Object.values(ical.sync.parseICS(feed)).find((c) => c?.type === 'VEVENT');
    if (event?.type !== 'VEVENT') throw new Error('no event');
    const instances = ical.expandRecurringEvent(event, {
      from: new Date('2026-03-01T00:00:00Z'),
      to: new Date('2026-03-31T00:00:00Z'),
    });
    expect(instances.map((i) => new Date(i.start).toISOString())).toEqual([
      '2026-03-02T12:00:00.000Z',
      '2026-03-09T11:00:00.000Z',
    ]);
  });
});
