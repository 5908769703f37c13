import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CATALOGUE_RELEASE } from './catalogue-data.js';
import { EXCHANGE_COLUMNS } from './exchange-csv.js';
import { type GeneratorStructure, generateRecords } from './generate.js';
import { accompagnement } from './record.js';

const weekday = [
  { start: 540, end: 720 },
  { start: 810, end: 1020 },
];
const structures: GeneratorStructure[] = [
  {
    idFs: 'FS-A',
    communeInsee: '02361',
    mobile: false,
    hours: {
      lundi: weekday,
      mardi: weekday,
      mercredi: [],
      jeudi: weekday,
      vendredi: weekday,
      samedi: [],
      dimanche: [],
    },
  },
  {
    idFs: 'FS-BUS',
    communeInsee: '57463',
    mobile: true,
    hours: {
      lundi: [],
      mardi: [{ start: 600, end: 960 }],
      mercredi: [],
      jeudi: [],
      vendredi: [],
      samedi: [],
      dimanche: [],
    },
  },
];
const rows = [
  ...generateRecords(structures, CATALOGUE_RELEASE.demarches, {
    records: 20_000,
    year: 2025,
    seed: 7,
    notAfter: new Date('2026-01-01T00:00:00Z'),
  }),
].map((values) => Object.fromEntries(EXCHANGE_COLUMNS.map((c, i) => [c, values[i] as string])));

describe('synthetic accompaniments', () => {
  it('writes the requested number of valid records, the same for the same seed', () => {
    expect(rows).toHaveLength(20_000);
    const again = generateRecords(structures, CATALOGUE_RELEASE.demarches, {
      records: 3,
      year: 2025,
      seed: 7,
      notAfter: new Date('2026-01-01T00:00:00Z'),
    });
    expect([...again][0]?.[0]).toBe(rows[0]?.id);
    const rules = {
      now: new Date('2026-01-01T00:00:00Z'),
      resolveCommune: (c: string) => c,
      activeDemarche: (c: string) => CATALOGUE_RELEASE.demarches.find((d) => d.code === c) ?? null,
    };
    for (const row of rows.slice(0, 2000)) expect(accompagnement(row, rules).ok).toBe(true);
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it('keeps the four big partners at 15–19 % each, and DGFiP peaks in May', () => {
    const share = (p: string, list = rows) => list.filter((r) => r.partenaire === p).length / list.length;
    for (const p of ['ants', 'caf', 'assurance_maladie', 'dgfip']) {
      expect(share(p)).toBeGreaterThanOrEqual(0.15);
      expect(share(p)).toBeLessThanOrEqual(0.19);
    }
    const may = rows.filter((r) => r.debut?.startsWith('2025-05'));
    const march = rows.filter((r) => r.debut?.startsWith('2025-03'));
    expect(share('dgfip', may)).toBeGreaterThan(2 * share('dgfip', march));
  });

  it('starts only within opening hours, on open days, never on a public holiday', () => {
    for (const r of rows) {
      const at = DateTime.fromISO(r.debut as string, { zone: 'Europe/Paris' });
      const minute = at.hour * 60 + at.minute;
      if (r.id_fs === 'FS-BUS') {
        expect(at.weekday).toBe(2);
        expect(minute >= 600 && minute < 960).toBe(true);
        expect(r.canal === 'bus' || r.canal === 'telephone' || r.canal === 'courriel').toBe(true);
      } else {
        expect([1, 2, 4, 5]).toContain(at.weekday);
        expect((minute >= 540 && minute < 720) || (minute >= 810 && minute < 1020)).toBe(true);
      }
      expect(['2025-01-01', '2025-05-01', '2025-05-08', '2025-12-25']).not.toContain(at.toISODate());
    }
    const counter = rows.filter((r) => r.canal === 'guichet').length / rows.length;
    expect(counter).toBeGreaterThan(0.3);
  });
});
