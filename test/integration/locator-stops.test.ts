import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructures } from '../../src/db/repositories/directory.repository.js';
import { CLOSED_WEEK } from '../../src/domain/directory/opening-hours.js';
import { sampleDocument } from '../../src/domain/mobile/fixtures.js';
import { MobileService } from '../../src/services/mobile/mobile.service.js';
import { buildTestApp, TEST_ADMIN_TOKEN, type TestApp } from '../support/app.js';
import { aStructure } from '../support/structures.js';

// Tuesday 24 November 2026, 10:30 in Paris: the bus is at Guise's market (Tuesdays 09:00–12:00).
const NOW = '2026-11-24T09:30:00Z';

describe('bus stops in the locator', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
    await insertStructures(t.ctx.db, [
      aStructure({
        idFs: 'fs-0001',
        name: 'Bus France services TSO',
        format: 'bus',
        hours: CLOSED_WEEK,
        lat: 49.9,
        lon: 3.62,
      }),
      aStructure({ idFs: 'FIXE', name: 'France services de Guise', lat: 49.899, lon: 3.63 }),
    ]);
    await new MobileService(t.ctx.db, t.ctx.clock).load(sampleDocument(), { actor: { label: 'test' } });
  });
  afterAll(async () => t?.close());

  type Item = {
    kind: string;
    id: string;
    idFs: string;
    name: string;
    opening: { open: boolean; label: string };
    stop: { nextPassage: { start: string } | null; url: string } | null;
  };
  const nearest = async (qs: string) =>
    (await t.app.inject(`/api/v1/structures/nearest?${qs}`)).json().items as Item[];

  it('finds a stop like a structure, open only while the bus is there', async () => {
    const items = await nearest('lat=49.901&lon=3.627&limit=5');
    const stop = items.find((i) => i.kind === 'stop' && i.id === 'guise-marche');
    expect(stop).toMatchObject({
      idFs: 'fs-0001',
      name: 'Bus France services TSO — Place du marché',
      opening: { open: true, label: 'Le bus est là maintenant · repart à 12:00' },
      stop: { url: '/mobile/stops/guise-marche', nextPassage: { start: '2026-11-24T09:00:00+01:00' } },
    });
    // Wassigny's stop (last Friday of the month) is not open now, and says when the bus comes.
    const wassigny = items.find((i) => i.id === 'wassigny-mairie');
    expect(wassigny?.opening).toMatchObject({
      open: false,
      label: 'Prochain passage du bus vendredi à 14:00',
    });
    expect(items.find((i) => i.idFs === 'FIXE')?.kind).toBe('structure');
  });

  it('filters stops with the structure filters and open now', async () => {
    const open = await nearest('lat=49.901&lon=3.627&limit=10&openNow=true');
    expect(open.map((i) => i.id)).toContain('guise-marche');
    expect(open.map((i) => i.id)).not.toContain('wassigny-mairie');
    const fixed = await nearest('lat=49.901&lon=3.627&limit=10&format=fixe');
    expect(fixed.every((i) => i.kind === 'structure')).toBe(true);
  });

  it('shows a cancellation made now at once: the stop is no longer open', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/mobile/entries/e1/exceptions',
      headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
      payload: { date: '2026-11-24', action: 'cancel', reason: 'Panne du véhicule' },
    });
    expect(res.statusCode).toBe(201);
    const stop = (await nearest('lat=49.901&lon=3.627&limit=5')).find((i) => i.id === 'guise-marche');
    expect(stop?.opening.open).toBe(false);
    expect(stop?.stop?.nextPassage?.start).toBe('2026-12-01T09:00:00+01:00');
  });

  it('lists the stop on the public results page, linked to its calendar', async () => {
    const page = await t.app.inject('/?lat=49.901&lon=3.627');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Bus France services TSO — arrêt Place du marché');
    expect(page.body).toContain('href="/mobile/stops/guise-marche"');
  });
});
