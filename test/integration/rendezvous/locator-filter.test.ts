import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { bookingFixture } from '../../support/rendezvous.js';

/**
 * The locator's appointment filter (issue 15): "bookable online within 14 days", from real availability:
 * motifs bookable online, plages, opening hours, status, appointments taken. The official list's
 * `prise_rdv` column stays on each structure (`appointment`), so both remain distinguishable.
 */
let t: TestApp;
type Fixture = Awaited<ReturnType<typeof bookingFixture>>;
const ids: Record<string, string> = {};
let full: Fixture;

/** Replaces the fixture agent's weekday plages by one plage. */
async function onlyPlage(f: Fixture, plage: Record<string, string>) {
  for (const p of await t.ctx.rendezvous.plages(f.structure.id)) {
    await t.ctx.rendezvous.removePlage(f.manager, f.structure.id, p.id);
  }
  await t.ctx.rendezvous.addPlage(f.manager, f.structure.id, f.agentUser.id, plage);
}

beforeAll(async () => {
  // Tuesday 24 November 2026, 10:30 in Saint-Quentin.
  t = await buildTestApp({ now: '2026-11-24T09:30:00Z' });
  const svc = t.ctx.rendezvous;
  ids.bookable = (await bookingFixture(t.ctx, { login: false })).structure.id;

  const noPlage = await bookingFixture(t.ctx, { login: false });
  for (const p of await svc.plages(noPlage.structure.id)) {
    await svc.removePlage(noPlage.manager, noPlage.structure.id, p.id);
  }
  ids.noPlage = noPlage.structure.id;

  const agentsOnly = await bookingFixture(t.ctx, { login: false });
  const m = agentsOnly.motif;
  await svc.updateMotif(
    agentsOnly.manager,
    agentsOnly.structure.id,
    m.id,
    m.version,
    {
      ...m,
      bookableOnline: false,
    },
    true,
  );
  ids.agentsOnly = agentsOnly.structure.id;

  // One slot only: Thursday 26 November, 09:00–09:30.
  full = await bookingFixture(t.ctx, { login: false });
  await onlyPlage(full, {
    weekday: 'jeudi',
    start: '09:00',
    end: '09:30',
    validFrom: '2026-11-26',
    validUntil: '2026-11-26',
  });
  ids.full = full.structure.id;

  // Plages from 14 December only: 20 days away.
  const later = await bookingFixture(t.ctx, { login: false });
  await onlyPlage(later, { weekday: 'lundi', start: '09:00', end: '12:00', validFrom: '2026-12-14' });
  ids.later = later.structure.id;

  // Temporarily closed until the end of the year.
  const closed = await bookingFixture(t.ctx, { login: false });
  await t.ctx.db
    .updateTable('structures')
    .set({ status: 'fermee_temporairement', status_until: '2026-12-31' })
    .where('id', '=', closed.structure.id)
    .execute();
  ids.closed = closed.structure.id;

  // Appointments declared in the official list (phone, external link), nothing configured here.
  const declared = await insertStructure(t.ctx, { name: 'France Services <b>déclarée</b>' });
  await t.ctx.db.updateTable('structures').set({ appointment: true }).where('id', '=', declared.id).execute();
  ids.declared = declared.id;
  t.ctx.locator.invalidate();
});
afterAll(() => t?.close());

const nearest = (qs: string, headers: Record<string, string> = {}) =>
  t.app.inject({ url: `/api/v1/structures/nearest?lat=49.85&lon=3.29&limit=50&${qs}`, headers });
const idsOf = (body: { items: Array<{ id: string }> }) => body.items.map((i) => i.id).sort();

describe('the appointment filter of the locator', () => {
  it('keeps only structures with a free slot bookable online within 14 days', async () => {
    const res = await nearest('appointment=true');
    expect(res.statusCode).toBe(200);
    expect(idsOf(res.json())).toEqual([ids.bookable, ids.full].sort());
    const others = (await nearest('appointment=false')).json();
    expect(idsOf(others)).toEqual([ids.noPlage, ids.agentsOnly, ids.later, ids.closed, ids.declared].sort());
    // Every answer says both: bookable online (real slots), and appointments declared in the official list.
    const all = (await nearest('')).json().items as Array<{
      id: string;
      appointment: boolean;
      onlineBooking: boolean;
    }>;
    const byId = new Map(all.map((i) => [i.id, i]));
    expect(byId.get(ids.bookable as string)).toMatchObject({ onlineBooking: true });
    expect(byId.get(ids.declared as string)).toMatchObject({ appointment: true, onlineBooking: false });
  });

  it('follows bookings: once the only slot is taken, the structure leaves the filter (and the ETag changes)', async () => {
    const before = await nearest('appointment=true');
    const etag = before.headers.etag as string;
    expect((await nearest('appointment=true', { 'if-none-match': etag })).statusCode).toBe(304);
    const booked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/rendez-vous',
      remoteAddress: '198.51.100.77',
      payload: {
        structure: ids.full,
        motif: full.motif.id,
        start: '2026-11-26T09:00:00+01:00',
        name: 'Marie Dupont',
        email: 'marie.dupont@example.fr',
      },
    });
    expect(booked.statusCode).toBe(201);
    const after = await nearest('appointment=true', { 'if-none-match': etag });
    expect(after.statusCode).toBe(200);
    expect(idsOf(after.json())).toEqual([ids.bookable]);
  });

  it('is computed once for every search, not per structure, until something changes', async () => {
    const a = await t.ctx.rendezvous.bookableOnline();
    expect(await t.ctx.rendezvous.bookableOnline()).toBe(a);
    expect([...a.ids]).toEqual([ids.bookable]);
  });

  it('the home page says what the filter means and marks bookable results', async () => {
    const res = await t.app.inject('/?lat=49.85&lon=3.29&rdv=1');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Rendez-vous en ligne sous 14 jours');
    expect(res.body).toMatch(/id="rdv" name="rdv" value="1" checked/);
    expect(res.body).toContain(`/structures/${ids.bookable}`);
    expect(res.body).not.toContain(`/structures/${ids.declared}`);
    expect(res.body).toContain('fr-badge--success fr-badge--sm">Rendez-vous en ligne sous 14 jours');
    const plain = await t.app.inject('/?lat=49.85&lon=3.29');
    // Without the filter, the structure declaring appointments keeps its badge (escaped name too).
    expect(plain.body).toContain(`/structures/${ids.declared}`);
    expect(plain.body).toContain('France Services &lt;b&gt;déclarée&lt;/b&gt;');
    expect(plain.body).toContain('Sur rendez-vous possible');
  });
});
