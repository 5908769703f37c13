import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import { areaServed, type CommunePoint } from './area.js';

// Literal data: a few communes of the Thiérache around Guise (centroids and populations, 2026).
const communes: CommunePoint[] = [
  { code: '02361', name: 'Guise', lat: 49.8973, lon: 3.6229, population: 4490 },
  { code: '02830', name: 'Wassigny', lat: 50.0177, lon: 3.6018, population: 927 },
  { code: '02691', name: 'Saint-Quentin', lat: 49.8465, lon: 3.2876, population: 52_000 },
  { code: '02408', name: 'Hirson', lat: 49.9217, lon: 4.0839, population: 8_600 },
  { code: '02000', name: 'Sans population', lat: 49.9, lon: 3.63, population: Number.NaN },
];
const stops = [{ id: 'guise-marche', lat: 49.901, lon: 3.627 }];

describe('areaServed', () => {
  it('keeps the communes within the distance, with their population and nearest stop', () => {
    const a = areaServed(stops, communes, { maxKm: 15 });
    expect(a.communes.map((c) => c.code)).toEqual(['02000', '02361', '02830']);
    expect(a.population).toBe(4490 + 927);
    expect(a.communes[1]).toMatchObject({ code: '02361', nearestStop: 'guise-marche', population: 4490 });
    expect(a.communes[0]?.population).toBe(0);
    expect(a.communes[0]?.distanceKm).toBeLessThan(1);
  });

  it('takes a driving time instead (distance × 1.3 at 60 km/h)', () => {
    const a = areaServed(stops, communes, { maxMinutes: 30 });
    // 30 min ≈ 23 km of straight line: Saint-Quentin (≈ 24.6 km) is out.
    expect(a.communes.map((c) => c.code)).not.toContain('02691');
    const b = areaServed(stops, communes, { maxMinutes: 40 });
    expect(b.communes.map((c) => c.code)).toContain('02691');
  });

  it('assigns a commune to its nearest stop', () => {
    const a = areaServed([...stops, { id: 'hirson', lat: 49.92, lon: 4.08 }], communes, { maxKm: 40 });
    expect(a.communes.find((c) => c.code === '02408')?.nearestStop).toBe('hirson');
  });

  it('refuses an unreasonable reach', () => {
    expect(() => areaServed(stops, communes, { maxKm: 0 })).toThrow(DomainError);
    expect(() => areaServed(stops, communes, { maxKm: Number.POSITIVE_INFINITY })).toThrow(DomainError);
  });
});
