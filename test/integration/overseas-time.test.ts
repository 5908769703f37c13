import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importStructures } from '../../src/services/directory/import.service.js';
import { loadGeography } from '../../src/services/geography/load-geography.js';
import { buildTestApp, REAL_DATA, readRealText, type TestApp } from '../support/app.js';

/**
 * Issue 10 on the real 2024-08 list: 561 is Saint-Louis (Les Makes), La Réunion, open 08:00-16:00 Monday
 * to Friday; 556 is Les Anses-d'Arlet, Martinique, open 08:00-13:00 (and 14:00-17:00 Mon, Wed). Every
 * expected instant is written by hand: La Réunion is UTC+4 all year, Martinique UTC−4.
 */
describe('overseas structures answer in their own time (real list)', () => {
  let t: TestApp;
  let instant = '2026-12-01T11:00:00Z';
  beforeAll(async () => {
    t = await buildTestApp({ geography: loadGeography(REAL_DATA) });
    // The test moves the context's clock between requests (the locator reads ctx.clock at each call).
    (t.ctx.clock as { now: () => Date }).now = () => new Date(instant);
    const bytes = Buffer.from(readRealText('france-services-2024-08.csv'), 'utf8');
    await importStructures({ db: t.ctx.db, communes: t.ctx.geography.communes }, bytes, {
      source: 'france-services-2024-08.csv',
    });
  }, 120_000);
  afterAll(async () => t?.close());

  const openingAt = async (id: string, at: string) => {
    instant = at;
    const res = await t.app.inject(`/api/v1/structures/${id}`);
    expect(res.statusCode).toBe(200);
    return res.json().opening;
  };

  it('561 at 15:00 in Réunion (11:00 UTC): open, closing at 16:00+04:00', async () => {
    expect(await openingAt('561', '2026-12-01T11:00:00Z')).toMatchObject({
      open: true,
      closesAt: '2026-12-01T16:00:00+04:00',
      opensAt: null,
      label: 'Ouvert maintenant · ferme à 16:00 (heure locale)',
      timeZone: 'Indian/Reunion',
    });
  });

  it('561 at 17:00 in Réunion, 14:00 in Paris: closed until 08:00+04:00 tomorrow', async () => {
    expect(await openingAt('561', '2026-12-01T13:00:00Z')).toMatchObject({
      open: false,
      closesAt: null,
      opensAt: '2026-12-02T08:00:00+04:00',
      label: 'Fermé · ouvre demain à 08:00 (heure locale)',
    });
  });

  it('561 on Monday 01:00 in Réunion while still Sunday 22:00 in Paris: opens today at 08:00', async () => {
    expect(await openingAt('561', '2026-11-29T21:00:00Z')).toMatchObject({
      open: false,
      opensAt: '2026-11-30T08:00:00+04:00',
      label: 'Fermé · ouvre à 08:00 (heure locale)',
    });
  });

  it('556 in Martinique is closed at 07:30 local (11:30 UTC) and open at 08:30', async () => {
    expect(await openingAt('556', '2026-12-01T11:30:00Z')).toMatchObject({
      open: false,
      opensAt: '2026-12-01T08:00:00-04:00',
      timeZone: 'America/Martinique',
    });
    expect(await openingAt('556', '2026-12-01T12:30:00Z')).toMatchObject({
      open: true,
      closesAt: '2026-12-01T13:00:00-04:00',
    });
  });

  it('556 is closed on the Martinique abolition day (Friday 22 May 2026), and says why', async () => {
    const opening = await openingAt('556', '2026-05-22T14:00:00Z'); // 10:00 local
    expect(opening.open).toBe(false);
    expect(opening.label).toBe(
      'Fermé (jour férié : Abolition de l’esclavage) · ouvre mardi à 08:00 (heure locale)', // Monday 25: Pentecôte
    );
    expect(opening.opensAt).toBe('2026-05-26T08:00:00-04:00');
  });

  it('a metropolitan structure keeps the Paris offset and no "heure locale"', async () => {
    instant = '2026-12-01T11:00:00Z'; // winter: Paris is UTC+1
    const res = await t.app.inject('/api/v1/structures/nearest?lat=49.9&lon=3.63&limit=1');
    const [first] = res.json().items;
    expect(first.opening.timeZone).toBe('Europe/Paris');
    expect(first.opening.label).not.toContain('heure locale');
    for (const at of [first.opening.closesAt, first.opening.opensAt]) if (at) expect(at).toMatch(/\+01:00$/);
  });

  it('the public page of 561 shows local times, labelled as such, and today on the Réunion calendar', async () => {
    instant = '2026-11-29T21:00:00Z'; // Monday at La Réunion, Sunday in Paris
    const res = await t.app.inject('/structures/561');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Fermé · ouvre à 08:00 (heure locale)');
    expect(res.body).toContain('Horaires d’ouverture habituels (heure locale)');
    expect(res.body).toMatch(/aria-current="date"><th scope="row">Lundi/);
  });

  it('open-now in the locator around Saint-Louis follows Réunion time', async () => {
    const ids = async (at: string) => {
      instant = at;
      const res = await t.app.inject(
        '/api/v1/structures/nearest?lat=-21.209&lon=55.40355&limit=50&openNow=true',
      );
      return res.json().items.map((i: { idFs: string }) => i.idFs);
    };
    expect(await ids('2026-12-01T11:00:00Z')).toContain('561'); // 15:00 local
    expect(await ids('2026-12-01T13:00:00Z')).not.toContain('561'); // 17:00 local, 14:00 in Paris
  });
});
