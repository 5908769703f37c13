import { describe, expect, it } from 'vitest';
import { sampleDocument } from './fixtures.js';
import { ConfirmationRequired, jsonPath, MobileDocumentError, parseMobileDocument } from './load.js';

type Doc = ReturnType<typeof sampleDocument>;
const set = (o: unknown, patch: Record<string, unknown>) => Object.assign(o as object, patch);

function issuesOf(patch: (d: Doc) => void, options = {}): Array<{ field: string; message: string }> {
  const doc = sampleDocument();
  patch(doc);
  try {
    parseMobileDocument(doc, options);
  } catch (e) {
    expect(e).toBeInstanceOf(MobileDocumentError);
    return [...(e as MobileDocumentError).issues];
  }
  throw new Error('document accepted');
}

describe('parseMobileDocument: the sample loads', () => {
  it('returns normalised data with defaults', () => {
    const doc = sampleDocument();
    delete doc.entries[0]?.holidays;
    const { data, confirmations } = parseMobileDocument(doc);
    expect(confirmations).toEqual([]);
    expect(data.units[0]).toMatchObject({
      id: 'bus-tso',
      structureIdFs: 'fs-0001',
      depot: { lat: 49.9, lon: 3.62 },
    });
    expect(data.entries[0]).toMatchObject({ holidays: 'skip', sequence: 0 });
    expect(data.exceptions).toHaveLength(3);
  });

  it('turns JSON pointers into paths', () => {
    expect(jsonPath('/entries/2/rrule')).toBe('entries[2].rrule');
    expect(jsonPath('')).toBe('');
  });
});

describe('parseMobileDocument: shape errors carry the JSON path, in French', () => {
  it.each<[string, (d: Doc) => void, string, string]>([
    ['not an object', (d) => set(d, { units: 'x' }), 'units', 'une liste'],
    ['missing field', (d) => delete d.entries[0]?.rrule, 'entries[0]', 'rrule'],
    ['unknown field', (d) => set(d.stops[1], { colour: 'red' }), 'stops[1]', 'colour'],
    ['wrong type', (d) => set(d.entries[1], { rrule: 42 }), 'entries[1].rrule', 'chaîne'],
    ['bad kind', (d) => set(d.stops[0], { kind: 'gare' }), 'stops[0].kind', 'mairie'],
    ['bad time', (d) => set(d.entries[0], { start: '9h' }), 'entries[0].start', 'HH:MM'],
    ['bad date format', (d) => set(d.entries[0], { from: '01/01/2026' }), 'entries[0].from', 'AAAA-MM-JJ'],
    ['bad commune', (d) => set(d.stops[0], { commune: '2361' }), 'stops[0].commune', 'INSEE'],
    ['huge latitude', (d) => set(d.stops[0], { lat: 1e308 }), 'stops[0].lat', '90'],
    ['NaN-like string', (d) => set(d.stops[0], { lon: 'NaN' }), 'stops[0].lon', 'nombre'],
    ['bad id', (d) => set(d.units[0], { id: '<script>' }), 'units[0].id', 'identifiant'],
    ['huge name', (d) => set(d.units[0], { name: 'x'.repeat(5000) }), 'units[0].name', 'trop long'],
    ['bad action', (d) => set(d.exceptions[0], { action: 'delete' }), 'exceptions[0].action', 'cancel'],
    ['negative sequence', (d) => set(d.entries[0], { sequence: -1 }), 'entries[0].sequence', 'supérieur'],
  ])('%s', (_, patch, field, words) => {
    const issues = issuesOf(patch);
    const issue = issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.message).toContain(words);
  });

  it('refuses a document that is not an object', () => {
    for (const input of [null, [], 'units', 3]) {
      expect(() => parseMobileDocument(input)).toThrow(MobileDocumentError);
    }
  });
});

describe('parseMobileDocument: domain rules', () => {
  it.each<[string, (d: Doc) => void, string, string]>([
    ['duplicate unit', (d) => d.units.push({ ...(d.units[0] as object) }), 'units[1].id', 'double'],
    ['duplicate stop', (d) => d.stops.push({ ...(d.stops[0] as object) }), 'stops[2].id', 'double'],
    ['duplicate entry', (d) => set(d.entries[1], { id: 'e1' }), 'entries[1].id', 'double'],
    ['unknown unit of a stop', (d) => set(d.stops[1], { unit: 'bus-x' }), 'stops[1].unit', 'bus-x'],
    ['unknown stop', (d) => set(d.entries[1], { stop: 'nowhere' }), 'entries[1].stop', 'nowhere'],
    ['unknown unit of an entry', (d) => set(d.entries[1], { unit: 'bus-x' }), 'entries[1].unit', 'bus-x'],
    ['impossible date', (d) => set(d.entries[0], { until: '2026-02-30' }), 'entries[0].until', 'calendrier'],
    ['until before from', (d) => set(d.entries[0], { until: '2025-12-01' }), 'entries[0].until', 'précède'],
    ['period too long', (d) => set(d.entries[0], { until: '2035-12-31' }), 'entries[0].until', 'cinq ans'],
    [
      'end before start',
      (d) => set(d.entries[0], { start: '12:00', end: '09:00' }),
      'entries[0].end',
      'après',
    ],
    [
      'end equal to start',
      (d) => set(d.entries[0], { start: '09:00', end: '09:00' }),
      'entries[0].end',
      'après',
    ],
    [
      'unparsable rrule',
      (d) => set(d.entries[1], { rrule: 'FREQ=YEARLY' }),
      'entries[1].rrule',
      'FREQ=YEARLY',
    ],
    [
      'rule that never produces a date',
      (d) => set(d.entries[1], { rrule: 'FREQ=MONTHLY;BYDAY=5MO', from: '2026-07-01', until: '2026-08-30' }),
      'entries[1].rrule',
      'aucune date',
    ],
    [
      'rule whose only dates are skipped holidays',
      (d) =>
        set(d.entries[1], { rrule: 'FREQ=MONTHLY;BYMONTHDAY=14', from: '2026-07-01', until: '2026-07-31' }),
      'entries[1].rrule',
      'fériés',
    ],
    [
      'exception on an unknown entry',
      (d) => set(d.exceptions[0], { entry: 'e9' }),
      'exceptions[0].entry',
      'e9',
    ],
    [
      'cancel a date that is not a passage',
      (d) => set(d.exceptions[0], { date: '2026-05-13' }),
      'exceptions[0].date',
      'pas un passage',
    ],
    [
      'cancel a skipped holiday',
      (d) => set(d.exceptions[0], { date: '2026-07-14' }),
      'exceptions[0].date',
      'férié',
    ],
    [
      'add an existing passage',
      (d) => set(d.exceptions[2], { date: '2026-07-21' }),
      'exceptions[2].date',
      'déjà',
    ],
    ['move without target', (d) => delete d.exceptions[1]?.to, 'exceptions[1].to', 'to'],
    [
      'target on a cancel',
      (d) => set(d.exceptions[0], { to: { date: '2026-05-13', start: '09:00', end: '10:00' } }),
      'exceptions[0].to',
      'move',
    ],
    [
      'moved end before start',
      (d) => set(d.exceptions[1], { to: { date: '2026-06-03', start: '13:00', end: '10:00' } }),
      'exceptions[1].to.end',
      'après',
    ],
    [
      'two exceptions the same day',
      (d) => d.exceptions.push({ entry: 'e1', date: '2026-05-12', action: 'cancel' }),
      'exceptions[3].date',
      'autre exception',
    ],
    [
      'stop coordinates outside France',
      (d) => set(d.stops[0], { lat: 3.627, lon: 49.901 }),
      'stops[0].lat',
      'hors de France',
    ],
    [
      'stop of another unit',
      (d) => {
        d.units.push({ ...(d.units[0] as object), id: 'bus-2' });
        set(d.stops[1], { unit: 'bus-2' });
      },
      'entries[1].stop',
      'appartient',
    ],
  ])('%s', (_, patch, field, words) => {
    const issues = issuesOf(patch);
    const issue = issues.find((i) => i.field === field);
    expect(issue, JSON.stringify(issues)).toBeDefined();
    expect(issue?.message).toContain(words);
  });

  it('refuses overlapping entries of one unit, naming both', () => {
    const issues = issuesOf((d) =>
      d.entries.push({
        ...(d.entries[0] as object),
        id: 'e3',
        stop: 'wassigny-mairie',
        rrule: 'FREQ=MONTHLY;BYDAY=1TU',
        start: '11:00',
        end: '13:00',
      }),
    );
    expect(issues).toHaveLength(1);
    expect(issues[0]?.field).toBe('entries[2]');
    expect(issues[0]?.message).toContain('« e1 » et « e3 »');
    expect(issues[0]?.message).toContain('06/01/2026');
  });

  it('accepts back-to-back entries and catches an overlap created by a move', () => {
    const ok = sampleDocument();
    ok.entries.push({
      ...(ok.entries[0] as object),
      id: 'e3',
      stop: 'wassigny-mairie',
      start: '12:00',
      end: '13:00',
    });
    expect(() => parseMobileDocument(ok)).not.toThrow();
    const issues = issuesOf((d) => {
      d.entries.push({
        ...(d.entries[0] as object),
        id: 'e3',
        stop: 'wassigny-mairie',
        rrule: 'FREQ=WEEKLY;BYDAY=WE',
        start: '14:00',
        end: '15:00',
      });
      set(d.exceptions[1], { to: { date: '2026-06-03', start: '13:00', end: '15:00' } });
    });
    expect(issues[0]?.message).toContain('« e1 » et « e3 »');
    expect(issues[0]?.message).toContain('03/06/2026');
  });

  it('reports every problem at once', () => {
    const issues = issuesOf((d) => {
      set(d.entries[0], { start: '12:00', end: '09:00' });
      set(d.entries[1], { rrule: 'FREQ=DAILY' });
    });
    expect(issues.map((i) => i.field)).toEqual(['entries[0].end', 'entries[1].rrule']);
  });
});

describe('parseMobileDocument: structures and distances', () => {
  const structure = (id: string) =>
    id === 'fs-0001'
      ? { location: { lat: 49.9, lon: 3.62 }, format: 'bus' }
      : id === 'fs-fixe'
        ? { location: { lat: 49.9, lon: 3.62 }, format: 'fixe' }
        : undefined;

  it('refuses an unknown structure, or one that is not mobile', () => {
    expect(issuesOf((d) => set(d.units[0], { structure: 'fs-9999' }), { structure })[0]?.field).toBe(
      'units[0].structure',
    );
    expect(issuesOf((d) => set(d.units[0], { structure: 'fs-fixe' }), { structure })[0]?.message).toContain(
      'ni un bus',
    );
  });

  it('asks for confirmation beyond 200 km, and accepts it when confirmed', () => {
    const doc = sampleDocument();
    set(doc.stops[1], { lat: 43.6, lon: 1.44, commune: '31555' }); // Toulouse, ~700 km from Guise
    try {
      parseMobileDocument(doc, { structure });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfirmationRequired);
      const c = (e as ConfirmationRequired).confirmations;
      expect(c).toHaveLength(1);
      expect(c[0]?.field).toBe('stops[1]');
      expect(c[0]?.distanceKm).toBeGreaterThan(600);
      expect((e as ConfirmationRequired).message).toContain('--confirm');
    }
    const { confirmations } = parseMobileDocument(doc, { structure, confirm: true });
    expect(confirmations).toHaveLength(1);
  });
});

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

describe('parseMobileDocument: bounded work (finding 5, issue 9)', () => {
  it('refuses a tour of 700 daily one-minute entries without expanding them', () => {
    const issues = issuesOf((d) => {
      const first = d.entries[0] as Record<string, unknown>;
      d.entries = Array.from({ length: 700 }, (_, k) => ({
        ...first,
        id: `e${k}`,
        rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
        start: hhmm(6 * 60 + k),
        end: hhmm(6 * 60 + k + 1),
      })) as typeof d.entries;
    });
    expect(issues).toContainEqual({
      field: 'entries',
      message: expect.stringContaining('700 entrées de tournée : 200 au plus'),
    });
    // Refused as a whole: no entry was checked or expanded (their messages would name entries[i]).
    expect(issues.filter((x) => x.field.startsWith('entries['))).toEqual([]);
  });

  it('refuses more than 10,000 passages for one unit over the document', () => {
    const issues = issuesOf((d) => {
      const first = d.entries[0] as Record<string, unknown>;
      // 150 entries, each every weekday for five years: about 195,000 passages.
      d.entries = Array.from({ length: 150 }, (_, k) => ({
        ...first,
        id: `e${k}`,
        rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
        from: '2026-01-01',
        until: '2030-12-31',
      })) as typeof d.entries;
    });
    expect(issues.some((x) => x.message.includes('dépasse 10'))).toBe(true);
  });
});

describe('parseMobileDocument: stops, passages a year and exceptions are bounded (finding 5, issue 9)', () => {
  it('refuses more than 200 stops for one unit, before checking them one by one', () => {
    const issues = issuesOf((d) => {
      const first = d.stops[0] as Record<string, unknown>;
      d.stops.push(...(Array.from({ length: 200 }, (_, k) => ({ ...first, id: `s${k}` })) as typeof d.stops));
    });
    expect(issues).toContainEqual({
      field: 'stops',
      message: 'l’unité « bus-tso » a 202 arrêts : 200 au plus.',
    });
  });

  it('refuses more than 3,000 passages of one unit in one calendar year', () => {
    const issues = issuesOf((d) => {
      const first = d.entries[0] as Record<string, unknown>;
      // 10 daily entries over 2026, one after the other: 3,650 passages that year (under the 10,000 in all).
      d.entries = Array.from({ length: 10 }, (_, k) => ({
        ...first,
        id: `e${k}`,
        rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU',
        holidays: 'keep',
        start: hhmm(8 * 60 + 30 * k),
        end: hhmm(8 * 60 + 30 * k + 20),
      })) as typeof d.entries;
      d.exceptions = [];
    });
    expect(issues).toContainEqual({
      field: 'entries[8].rrule',
      message: expect.stringMatching(/^l’unité « bus-tso » dépasse 3\s000 passages en 2026\.$/),
    });
  });

  it('refuses more than 1,000 exceptions for one unit without checking each', () => {
    const issues = issuesOf((d) => {
      d.exceptions = Array.from({ length: 1001 }, (_, k) => ({
        entry: 'e1',
        date: `2027-01-${String((k % 28) + 1).padStart(2, '0')}`,
        action: 'add',
      })) as typeof d.exceptions;
    });
    expect(issues).toEqual([
      {
        field: 'exceptions',
        message: expect.stringMatching(/^l’unité « bus-tso » a 1\s001 exceptions : 1\s000 au plus\.$/),
      },
    ]);
  });
});
