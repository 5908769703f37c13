import { describe, expect, it } from 'vitest';
import { DomainError } from '../shared/errors.js';
import type { CommunePoint } from './area.js';
import { sampleDocument } from './fixtures.js';
import { parseMobileDocument } from './load.js';
import {
  compareTours,
  currentTourDays,
  type PlanningInput,
  planTour,
  summariseCurrentTour,
} from './planning.js';

// A line of villages east of a depot, 10 km apart, with populations; travel is given exactly
// (1 minute per km of straight line) so that the limits are easy to reason about.
const depot = { lat: 49.9, lon: 3.6 };
const kmToLon = (km: number) => km / (111.32 * Math.cos((49.9 * Math.PI) / 180));
const village = (i: number, population: number): CommunePoint => ({
  code: `02${String(100 + i)}`,
  name: `Village ${i}`,
  lat: 49.9,
  lon: 3.6 + kmToLon(10 * i),
  population,
});
const communes = [
  village(1, 1000),
  village(2, 5000),
  village(3, 300),
  village(4, 8000),
  village(5, 200),
  village(8, 9000),
];
const candidates = communes.map((c) => ({ id: `s${c.code}`, lat: c.lat, lon: c.lon }));
const base: PlanningInput = {
  depot,
  candidates,
  communes,
  reach: { maxKm: 4 },
  weeks: 1,
  daysPerWeek: 1,
  maxDrivingMinutes: 100,
  hoursOnSite: 6,
  visitHours: 3,
  travelMinutes: (a, b) => {
    const dx = (b.lon - a.lon) * 111.32 * Math.cos((49.9 * Math.PI) / 180);
    const dy = (b.lat - a.lat) * 110.57;
    return Math.hypot(dx, dy);
  },
};

describe('planTour', () => {
  it('takes the most populated stops that fit the day', () => {
    // One day, two visits, 100 min: village 8 (80 km away, 160 min round trip) does not fit;
    // the best pair within 100 min is villages 4 and 2 (round trip 80 min).
    const r = planTour(base);
    expect(r.days).toHaveLength(1);
    expect([...(r.days[0]?.stops ?? [])].sort()).toEqual(['s02102', 's02104']);
    expect(r.proposed.population).toBe(13_000);
    expect(r.days[0]?.drivingMinutes).toBe(80);
    expect(r.proposed.daysOverLimit).toBe(0);
    expect(r.unvisited).toContain('s02108');
  });

  it('uses the N-week cycle: more days, more stops, each at least once per cycle', () => {
    const r = planTour({ ...base, weeks: 2, maxDrivingMinutes: 170 });
    const visited = new Set(r.days.flatMap((d) => d.stops));
    expect(visited.has('s02108')).toBe(true);
    expect(r.proposed.population).toBeGreaterThan(13_000);
    for (const d of r.days) {
      expect(d.drivingMinutes).toBeLessThanOrEqual(170);
      expect(d.onSiteHours).toBeLessThanOrEqual(6);
    }
  });

  it('validates its limits', () => {
    expect(() => planTour({ ...base, weeks: 0 })).toThrow(DomainError);
    expect(() => planTour({ ...base, visitHours: 8 })).toThrow(DomainError);
    expect(() => planTour({ ...base, maxDrivingMinutes: Number.NaN })).toThrow(DomainError);
  });

  it('compares with the current tour measured the same way', () => {
    const { data } = parseMobileDocument(sampleDocument());
    const days = currentTourDays(data, 'bus-tso', '2026-03-23', 1);
    expect(days.map((d) => [d.day, d.stops.map((s) => s.id)])).toEqual([
      [1, ['guise-marche']],
      [4, ['wassigny-mairie']],
    ]);
    const input: PlanningInput = {
      depot: data.units[0]?.depot ?? depot,
      candidates: data.stops.map((s) => ({ id: s.id, lat: s.lat, lon: s.lon })),
      communes: [
        { code: '02361', name: 'Guise', lat: 49.8973, lon: 3.6229, population: 4490 },
        { code: '02830', name: 'Wassigny', lat: 50.0177, lon: 3.6018, population: 927 },
      ],
      reach: { maxKm: 5 },
      weeks: 1,
      maxDrivingMinutes: 120,
      hoursOnSite: 6,
    };
    const current = summariseCurrentTour(days, input);
    expect(current.population).toBe(4490 + 927);
    expect(current.visitsPerCycle).toBe(2);
    const proposed = planTour(input).proposed;
    const cmp = compareTours(current, proposed);
    expect(cmp.populationGain).toBe(0);
    expect(proposed.visitsPerCycle).toBeGreaterThanOrEqual(2);
  });
});
