import { describe, expect, it } from 'vitest';
import { readRealText } from '../../../../test/support/real-data.js';
import { toGeoJson } from './geojson.js';
import { toLieuxMediationNumerique } from './lmn.js';
import { readOfficialCsv } from './official-csv.js';
import { writeOfficialCsv } from './official-csv-write.js';

// ../shared/data when present, else the bundled snapshot: never skipped for lack of data.
describe('the real data.gouv file (August 2024)', () => {
  const bytes = Buffer.from(readRealText('france-services-2024-08.csv'), 'utf8');

  it('reads its 2,845 rows, keeping nearly all of them', () => {
    const read = readOfficialCsv(bytes, { source: 'france-services-2024-08.csv' });
    if (!read.ok) throw read.error;
    const rejectedLines = new Set(read.rejected.map((i) => i.line));
    expect(read.rows.length + rejectedLines.size).toBe(2845);
    expect(read.rows.length).toBeGreaterThanOrEqual(2800);
    // The file's known dirt: overlapping ranges, merged with a warning on the day's column.
    expect(read.warnings.some((w) => w.field.startsWith('h_') && w.message.includes('chevauchent'))).toBe(
      true,
    );
    expect(read.warnings.every((w) => w.line >= 2 && w.line <= 2885)).toBe(true);
    // The last row (single-line) sits on the file's last physical line: multi-line fields were counted.
    expect(read.rows.at(-1)?.line).toBe(bytes.toString('utf8').trimEnd().split('\n').length);
    expect(new Set(read.rows.map((r) => r.structure.idFs)).size).toBe(read.rows.length);
  });

  it('survives a round trip: read, write, read gives the same structures, and writing is stable', () => {
    const first = readOfficialCsv(bytes);
    if (!first.ok) throw first.error;
    const structures = first.rows.map((r) => r.structure);
    const written = writeOfficialCsv(structures);
    const second = readOfficialCsv(new TextEncoder().encode(written));
    if (!second.ok) throw second.error;
    expect(second.rejected).toEqual([]);
    expect(second.warnings).toEqual([]);
    expect(second.rows.map((r) => r.structure)).toEqual(structures);
    expect(writeOfficialCsv(second.rows.map((r) => r.structure))).toBe(written);
  });

  it('exports to GeoJSON and to the lieux de médiation numérique schema', () => {
    const read = readOfficialCsv(bytes);
    if (!read.ok) throw read.error;
    const structures = read.rows.map((r) => r.structure);
    const geo = toGeoJson(structures);
    expect(geo.features.length + geo.skipped.length).toBe(structures.length);
    const lmn = toLieuxMediationNumerique(structures, { dateMaj: new Date('2024-08-01T00:00:00Z') });
    expect(lmn.lieux.length + lmn.errors.length).toBe(structures.length);
    expect(lmn.lieux.length).toBeGreaterThanOrEqual(2800);
    expect(lmn.lieux.every((l) => l.dispositif_programmes_nationaux === 'France Services')).toBe(true);
  });
});
