import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

let t: TestApp;
let fsA: { id: string; idFs: string };
let fsB: { id: string; idFs: string };
let agent: Client;
let manager: Client;
let animateur: Client;

/** Records of structure A (the overseas test records elsewhere). */
const count = async () =>
  (
    await t.ctx.db
      .selectFrom('accompagnements')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('structure_id', '=', fsA.id)
      .executeTakeFirstOrThrow()
  ).n;
const formId = (body: string) => /name="id" value="([^"]+)"/.exec(body)?.[1] ?? '';

beforeAll(async () => {
  t = await buildTestApp({ now: '2026-11-24T09:30:00Z' });
  fsA = await insertStructure(t.ctx);
  fsB = await insertStructure(t.ctx);
  const a = await createUser(t.ctx, { role: 'agent', structureIds: [fsA.id] });
  const m = await createUser(t.ctx, { role: 'responsable', structureIds: [fsA.id] });
  const an = await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' });
  agent = new Client(t.app);
  manager = new Client(t.app, '192.0.2.11');
  animateur = new Client(t.app, '192.0.2.12');
  await agent.login(a.email);
  await manager.login(m.email);
  await animateur.login(an.email);
});
afterAll(() => t.close());

describe('the counter form (/espace/accompagnements)', () => {
  it('records with the defaults, once even if the same form is sent twice', async () => {
    const page = await agent.get('/espace/accompagnements');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Enregistrer un accompagnement');
    const id = formId(page.body);
    const fields = {
      id,
      partenaire: 'caf',
      demarche: 'caf.rsa',
      canal: 'guichet',
      resultat: 'resolu',
      duree_min: '15',
      heure: '',
    };
    const first = await agent.post(`/espace/accompagnements?structure=${fsA.id}`, fields);
    expect(first.status).toBe(303);
    const again = await agent.post(`/espace/accompagnements?structure=${fsA.id}`, fields);
    expect(again.status).toBe(303);
    expect(await count()).toBe(1);
    const after = await agent.get(first.location as string);
    expect(after.body).toContain('Accompagnement enregistré.');
    expect(after.body).toContain('Mes accompagnements du jour');
    // The recent case is offered first, checked and focused: Enter records it again.
    expect(after.body).toMatch(/name="choix" value="caf\|caf\.rsa" checked autofocus/);
    const repeated = await agent.post(`/espace/accompagnements?structure=${fsA.id}`, {
      id: formId(after.body),
      choix: 'caf|caf.rsa',
      partenaire: 'caf',
      canal: 'guichet',
      resultat: 'resolu',
      duree_min: '15',
    });
    expect(repeated.status).toBe(303);
    expect(await count()).toBe(2);
  });

  it('answers bad input in French, keeps what was typed, saves nothing; HTML stays text', async () => {
    const page = await agent.get('/espace/accompagnements');
    const before = await count();
    const bad = await agent.post(`/espace/accompagnements?structure=${fsA.id}`, {
      id: formId(page.body),
      partenaire: 'caf',
      canal: 'guichet',
      resultat: 'resolu',
      duree_min: '9999',
      note: '<script>alert(1)</script>',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Durée hors bornes');
    expect(bad.body).not.toContain('<script>alert(1)</script>');
    expect(bad.body).toContain('&lt;script&gt;');
    const huge = await agent.post(`/espace/accompagnements?structure=${fsA.id}`, {
      id: formId(page.body),
      partenaire: 'caf',
      canal: 'guichet',
      resultat: 'resolu',
      duree_min: '10',
      note: 'x'.repeat(5000),
    });
    expect(huge.status).toBe(400);
    expect(await count()).toBe(before);
  });

  it('lets an agent correct their own record of the day', async () => {
    const page = await agent.get('/espace/accompagnements');
    const link = /href="(\/espace\/accompagnements\/[0-9a-f-]+\/corriger)"/.exec(page.body)?.[1] as string;
    const form = await agent.get(link);
    expect(form.status).toBe(200);
    const done = await agent.post(link, {
      partenaire: 'ants',
      demarche: 'ants.passeport',
      canal: 'guichet',
      resultat: 'rendez_vous',
      duree_min: '30',
      heure: '10:15',
    });
    expect(done.status).toBe(303);
    const id = link.split('/')[3] as string;
    const row = await t.ctx.db
      .selectFrom('accompagnements')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect([row.partenaire, row.duree_min, row.resultat]).toEqual(['ants', 30, 'rendez_vous']);
    expect(new Date(row.debut).toISOString()).toBe('2026-11-24T09:15:00.000Z');
    expect((await manager.get(link)).status).toBe(404);
  });

  it('reads the time typed on the structure’s own clock, overseas too (La Réunion, UTC+4)', async () => {
    const reunion = await insertStructure(t.ctx, { departement: '974', codeInsee: '97411' });
    const u = await createUser(t.ctx, { role: 'agent', structureIds: [reunion.id] });
    const c = new Client(t.app, '192.0.2.40');
    await c.login(u.email);
    const page = await c.get(`/espace/accompagnements?structure=${reunion.id}`);
    const id = formId(page.body);
    const done = await c.post(`/espace/accompagnements?structure=${reunion.id}`, {
      id,
      partenaire: 'caf',
      canal: 'guichet',
      resultat: 'resolu',
      duree_min: '10',
      heure: '12:30',
    });
    expect(done.status).toBe(303);
    const row = await t.ctx.db
      .selectFrom('accompagnements')
      .select(['debut', 'jour_local'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(new Date(row.debut).toISOString()).toBe('2026-11-24T08:30:00.000Z');
    const list = await c.get(`/espace/accompagnements?structure=${reunion.id}`);
    expect(list.body).toContain('12:30');
    expect(list.body).toContain('(heure locale)');
    const correction = await c.get(`/espace/accompagnements/${id}/corriger`);
    expect(correction.body).toContain('value="12:30"');
  });

  it('keeps everyone to their own structure', async () => {
    expect((await agent.get(`/espace/accompagnements?structure=${fsB.id}`)).status).toBe(404);
    const page = await agent.get('/espace/accompagnements');
    const before = await count();
    const other = await agent.post(`/espace/accompagnements?structure=${fsB.id}`, {
      id: formId(page.body),
      partenaire: 'caf',
      canal: 'guichet',
      resultat: 'resolu',
      duree_min: '10',
    });
    expect(other.status).toBe(404);
    expect(await count()).toBe(before);
    expect((await animateur.get('/espace/accompagnements')).status).toBe(404);
    expect((await agent.get(`/espace/accompagnements/structure?structure=${fsA.id}`)).status).toBe(404);
    expect((await agent.get(`/espace/accompagnements/jetons?structure=${fsA.id}`)).status).toBe(404);
  });
});

describe('the manager', () => {
  it('sees all of the structure’s records', async () => {
    const list = await manager.get(`/espace/accompagnements/structure?structure=${fsA.id}`);
    expect(list.status).toBe(200);
    expect((list.body.match(/<tr>/g) ?? []).length - 1).toBe(await count());
  });

  it('creates an API token shown once, then revokes it', async () => {
    await manager.get(`/espace/accompagnements/jetons?structure=${fsA.id}`);
    const created = await manager.post(`/espace/accompagnements/jetons?structure=${fsA.id}`, {
      label: 'Tablette <b>',
    });
    expect(created.status).toBe(201);
    const token = /<code>(mfs_[^<]+)<\/code>/.exec(created.body)?.[1] as string;
    expect(token).toBeTruthy();
    expect(created.body).toContain('Tablette &lt;b&gt;');
    const again = await manager.get(`/espace/accompagnements/jetons?structure=${fsA.id}`);
    expect(again.body).not.toContain(token);
    const revoke = /action="(\/espace\/accompagnements\/jetons\/[^"]+\/revoquer[^"]*)"/.exec(
      again.body,
    )?.[1] as string;
    expect((await manager.post(revoke.replace(/&amp;/g, '&'), {})).status).toBe(303);
    expect((await manager.get(`/espace/accompagnements/jetons?structure=${fsA.id}`)).body).toContain(
      'révoqué',
    );
  });
});

describe('the national team’s démarche catalogue', () => {
  it('adds and retires démarches from /espace; bad input gets French messages; others get 404', async () => {
    const n = await createUser(t.ctx, { role: 'national' });
    const national = new Client(t.app, '192.0.2.50');
    await national.login(n.email);
    expect((await national.get('/espace')).body).toContain('href="/espace/accompagnements/demarches"');
    const page = await national.get('/espace/accompagnements/demarches');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Catalogue des démarches');
    const bad = await national.post('/espace/accompagnements/demarches', {
      code: 'CAF BOURSE',
      partenaire: 'caf',
      label: 'x',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Code invalide');
    const html = await national.post('/espace/accompagnements/demarches', {
      code: 'caf.bourse_test',
      partenaire: 'caf',
      label: '<img src=x onerror=alert(1)> Bourse',
      fiche: 'F1234',
    });
    expect(html.status).toBe(303);
    const listed = await national.get('/espace/accompagnements/demarches');
    expect(listed.body).toContain('&lt;img src=x onerror=alert(1)&gt; Bourse');
    expect(listed.body).not.toContain('<img src=x');
    const again = await national.post('/espace/accompagnements/demarches', {
      code: 'caf.bourse_test',
      partenaire: 'caf',
      label: 'Bourse',
    });
    expect(again.status).toBe(409);
    expect(again.body).toContain('existe déjà');
    expect((await agent.get('/espace/accompagnements')).body).toContain('caf.bourse_test');
    const retired = await national.post('/espace/accompagnements/demarches/retirer', {
      code: 'caf.bourse_test',
    });
    expect(retired.status).toBe(303);
    expect((await agent.get('/espace/accompagnements')).body).not.toContain('value="caf.bourse_test"');
    expect((await national.get('/espace/accompagnements/demarches')).body).toContain('retirée le');
    expect(
      (await national.post('/espace/accompagnements/demarches/retirer', { code: 'caf.bourse_test' })).status,
    ).toBe(404);
    expect((await manager.get('/espace/accompagnements/demarches')).status).toBe(404);
    expect(
      (
        await manager.post('/espace/accompagnements/demarches', {
          code: 'caf.x',
          partenaire: 'caf',
          label: 'X',
        })
      ).status,
    ).toBe(404);
  });
});
