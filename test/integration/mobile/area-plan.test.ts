import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMobileArea, runMobileLoad, runMobilePlan } from '../../../src/cli/commands/mobile.js';
import { loadGeography } from '../../../src/services/geography/load-geography.js';
import { buildTestContext, REAL_DATA, type TestApp } from '../../support/app.js';
import { documentFile, sampleDocument } from './support.js';

describe('mobile: area served and planning on the real commune centroids', () => {
  let ctx: TestApp['ctx'];
  beforeAll(async () => {
    ctx = await buildTestContext({ now: '2026-05-05T08:30:00Z', geography: loadGeography(REAL_DATA) });
    await runMobileLoad(ctx, documentFile(sampleDocument()));
  });
  afterAll(async () => {
    const { closeContext } = await import('../../../src/composition.js');
    if (ctx) await closeContext(ctx);
  });

  it('lists the communes within 5 km of a stop, with their population', async () => {
    const area = await runMobileArea(ctx, { unit: 'bus-tso', km: '5' });
    const codes = area.communes.map((c) => c.code);
    expect(codes).toContain('02361'); // Guise
    expect(codes).toContain('02830'); // Wassigny
    expect(area.communes.find((c) => c.code === '02361')?.population).toBeGreaterThan(4000);
    expect(area.population).toBe(area.communes.reduce((n, c) => n + c.population, 0));
    const wider = await runMobileArea(ctx, { unit: 'bus-tso', minutes: '20' });
    expect(wider.population).toBeGreaterThan(area.population);
    await expect(runMobileArea(ctx, { unit: 'bus-tso', km: 'abc' })).rejects.toMatchObject({ field: '--km' });
  });

  it('proposes a tour within the limits and compares it with the current one', async () => {
    const r = await runMobilePlan(ctx, {
      unit: 'bus-tso',
      km: '5',
      weeks: '4',
      maxDriving: '120',
      hoursOnSite: '6',
      candidates: documentFile([
        { id: 'bohain', lat: 49.9846, lon: 3.4527 },
        { id: 'le-nouvion', lat: 50.0136, lon: 3.7847 },
      ]),
    });
    expect(r.monday).toBe('2026-05-11');
    expect([...r.comparison.current.stops].sort()).toEqual(['guise-marche', 'wassigny-mairie']);
    expect(r.comparison.proposed.population).toBeGreaterThan(r.comparison.current.population);
    for (const d of r.plan.days) {
      expect(d.drivingMinutes).toBeLessThanOrEqual(120);
      expect(d.onSiteHours).toBeLessThanOrEqual(6);
    }
  });
});
