import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertStructures } from '../../src/db/repositories/directory.repository.js';
import { CLOSED_WEEK } from '../../src/domain/directory/opening-hours.js';
import { sampleDocument } from '../../src/domain/mobile/fixtures.js';
import { MobileService } from '../../src/services/mobile/mobile.service.js';
import { Client, createUser } from '../support/accounts.js';
import { buildTestApp, type TestApp } from '../support/app.js';
import { aStructure } from '../support/structures.js';

// Tuesday 24 November 2026 in Paris; the sample bus stops at Guise's market every Tuesday 09:00–12:00.
const NOW = '2026-11-24T09:30:00Z';

describe('bus tour in the back office', () => {
  let t: TestApp;
  let bus: { id: string };
  let fixe: { id: string };
  let agent: { email: string; id: string };
  let stranger: { email: string };

  const structureId = async (idFs: string) =>
    (await t.ctx.db.selectFrom('structures').select('id').where('id_fs', '=', idFs).executeTakeFirstOrThrow())
      .id;
  const exceptions = () => t.ctx.db.selectFrom('mobile_exceptions').selectAll().orderBy('date').execute();

  beforeAll(async () => {
    t = await buildTestApp({ now: NOW });
    await insertStructures(t.ctx.db, [
      aStructure({ idFs: 'fs-0001', name: 'Bus France services TSO', format: 'bus', hours: CLOSED_WEEK }),
      aStructure({ idFs: 'fs-fixe', name: 'France services de Guise' }),
    ]);
    await new MobileService(t.ctx.db, t.ctx.clock).load(sampleDocument(), { actor: { label: 'test' } });
    bus = { id: await structureId('fs-0001') };
    fixe = { id: await structureId('fs-fixe') };
    agent = await createUser(t.ctx, { role: 'agent', structureIds: [bus.id], name: 'Alice Agent' });
    stranger = await createUser(t.ctx, { role: 'agent', structureIds: [fixe.id], name: 'Bob Ailleurs' });
  });
  afterAll(async () => t?.close());

  it('an agent cancels a passage: the public page shows it at once, the audit log keeps who; then restores it', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const home = await c.get(`/espace/structures/${bus.id}`);
    expect(home.body).toContain(`href="/espace/structures/${bus.id}/bus"`);
    const page = await c.get(`/espace/structures/${bus.id}/bus`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Bus France services TSO');
    expect(page.body).toContain('value="2026-12-01"');
    expect(page.body).toContain('Annuler ce passage');

    const done = await c.post(`/espace/structures/${bus.id}/bus/annuler`, {
      entry: 'e1',
      date: '2026-12-01',
      reason: 'Contrôle technique du véhicule',
    });
    expect(done.status, done.body.slice(0, 300)).toBe(303);
    expect(done.location).toBe(`/espace/structures/${bus.id}/bus?message=annule`);
    const after = await c.get(done.location as string);
    expect(after.body).toContain('Le passage est annulé');
    expect(after.body).toContain('Rétablir');

    const pub = await t.app.inject('/mobile/bus-tso');
    expect(pub.body).toContain('Passage annulé : Contrôle technique du véhicule.');
    const ics = await t.app.inject('/mobile/bus-tso.ics');
    expect(ics.body).toContain('Contrôle technique du véhicule');
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'mobile.exception.cancel')
      .executeTakeFirstOrThrow();
    expect(audit.actor_id).toBe(agent.id);
    expect(audit.actor_label).toContain('Alice Agent');

    const restored = await c.post(`/espace/structures/${bus.id}/bus/retablir`, {
      entry: 'e1',
      date: '2026-12-01',
    });
    expect(restored.status).toBe(303);
    expect((await exceptions()).some((x) => x.date === '2026-12-01')).toBe(false);
    expect((await t.app.inject('/mobile/bus-tso')).body).not.toContain('Contrôle technique');
  });

  it('answers 404 to an agent of another structure, and to a structure that is not a bus', async () => {
    const c = new Client(t.app);
    await c.login(stranger.email);
    expect((await c.get(`/espace/structures/${bus.id}/bus`)).status).toBe(404);
    expect((await c.get(`/espace/structures/${bus.id}/bus/tournee`)).status).toBe(404);
    await c.get('/espace'); // a page of theirs with a valid CSRF token: the refusal is the policy's
    const post = await c.post(`/espace/structures/${bus.id}/bus/annuler`, {
      entry: 'e1',
      date: '2026-12-08',
      reason: 'Pas mon bus',
    });
    expect(post.status).toBe(404);
    expect((await exceptions()).some((x) => x.date === '2026-12-08')).toBe(false);
    // Their own structure is fixed: no tour.
    expect((await c.get(`/espace/structures/${fixe.id}/bus`)).status).toBe(404);
  });

  it('refuses a form without the CSRF token', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    await c.get(`/espace/structures/${bus.id}/bus`);
    const r = await c.post(`/espace/structures/${bus.id}/bus/annuler`, {
      _csrf: null,
      entry: 'e1',
      date: '2026-12-08',
      reason: 'Sans jeton',
    });
    expect(r.status).toBe(403);
    expect((await exceptions()).some((x) => x.date === '2026-12-08')).toBe(false);
  });

  it('re-renders bad input in French, never a 500, and escapes a hostile reason', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    await c.get(`/espace/structures/${bus.id}/bus`);
    const url = `/espace/structures/${bus.id}/bus/annuler`;
    const empty = await c.post(url, { entry: 'e1', date: '2026-12-08', reason: '  ' });
    expect(empty.status).toBe(400);
    expect(empty.body).toContain('Indiquez le motif');
    const huge = await c.post(url, { entry: 'e1', date: '2026-12-08', reason: 'x'.repeat(5000) });
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('dépasse 300 caractères');
    const badDate = await c.post(url, { entry: 'e1', date: '2026-13-45', reason: 'Panne' });
    expect(badDate.status).toBe(400);
    expect(badDate.body).toContain('Date invalide');
    const notAPassage = await c.post(url, { entry: 'e1', date: '2026-12-09', reason: 'Panne' });
    expect(notAPassage.status).toBe(400);
    expect(notAPassage.body).toContain('fr-alert--error');
    const unknown = await c.post(url, { entry: 'nope', date: '2026-12-08', reason: 'Panne' });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toContain('Passage introuvable');
    const restoreNothing = await c.post(`/espace/structures/${bus.id}/bus/retablir`, {
      entry: 'e1',
      date: '2026-12-15',
    });
    expect(restoreNothing.status).toBe(400);
    expect((await exceptions()).some((x) => x.date >= '2026-12-01')).toBe(false);

    const hostile = await c.post(url, {
      entry: 'e1',
      date: '2026-12-08',
      reason: '<script>alert(1)</script>',
    });
    expect(hostile.status).toBe(303);
    const back = await c.get(`/espace/structures/${bus.id}/bus`);
    expect(back.body).not.toContain('<script>alert(1)</script>');
    expect(back.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const pub = await t.app.inject('/mobile/bus-tso');
    expect(pub.body).not.toContain('<script>alert(1)</script>');
    expect(pub.body).toContain('&lt;script&gt;');
  });

  it('edits the tour document: invalid JSON and foreign units are refused, a valid edit is loaded', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const form = await c.get(`/espace/structures/${bus.id}/bus/tournee`);
    expect(form.status).toBe(200);
    expect(form.body).toContain('&quot;id&quot;: &quot;bus-tso&quot;');
    // Security review: the CSP blocks style="" attributes, so the page uses a class instead.
    expect(form.body).not.toMatch(/<[^>]+\sstyle="/);
    expect(form.body).toContain('maillage-code');
    const before = await t.ctx.db.selectFrom('mobile_entries').selectAll().orderBy('id').execute();

    const broken = await c.post(`/espace/structures/${bus.id}/bus/tournee`, {
      document: '{ "units": [ }',
    });
    expect(broken.status).toBe(400);
    expect(broken.body).toContain('n’est pas du JSON valide');
    expect(broken.body).toContain('{ &quot;units&quot;: [ }'); // what was typed is kept
    expect(await t.ctx.db.selectFrom('mobile_entries').selectAll().orderBy('id').execute()).toEqual(before);

    const current = sampleDocument();
    const foreign = { ...current, units: [{ ...current.units[0], structure: 'fs-fixe' }] };
    const refused = await c.post(`/espace/structures/${bus.id}/bus/tournee`, {
      document: JSON.stringify(foreign),
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('n’est pas cette structure');

    const wrong = sampleDocument();
    (wrong.entries[0] as Record<string, unknown>).start = '25:00';
    const invalid = await c.post(`/espace/structures/${bus.id}/bus/tournee`, {
      document: JSON.stringify(wrong),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toContain('entries[0]');
    expect(await t.ctx.db.selectFrom('mobile_entries').selectAll().orderBy('id').execute()).toEqual(before);

    const edited = sampleDocument();
    (edited.entries[0] as Record<string, unknown>).start = '08:30';
    const ok = await c.post(`/espace/structures/${bus.id}/bus/tournee`, {
      document: JSON.stringify(edited),
      confirm: 'oui',
    });
    expect(ok.status, ok.body.slice(0, 2000)).toBe(303);
    const e1 = await t.ctx.db
      .selectFrom('mobile_entries')
      .selectAll()
      .where('id', '=', 'e1')
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(e1)).toContain('08:30');
  });
});
