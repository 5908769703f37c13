import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../../src/domain/shared/time.js';
import { RappelService } from '../../../src/services/accompagnement/rappel.service.js';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

/** Remote reception (issue 12, §3): "Être rappelé(e)", the inbox, handling, erasure. */

let t: TestApp;
let fsA: { id: string; idFs: string; name: string };
let fsB: { id: string; idFs: string; name: string };
let agent: Client;
let agent2: Client;
let manager: Client;
let outsider: Client;
let animateur: Client;
let agentId: string;

const requests = (structureId: string) =>
  t.ctx.db.selectFrom('rappel_demandes').selectAll().where('structure_id', '=', structureId).execute();
const setStatus = (id: string, status: 'ouverte' | 'accueil_a_distance' | 'fermee_temporairement') =>
  t.ctx.db.updateTable('structures').set({ status }).where('id', '=', id).execute();

const valid = {
  nom: 'Marie',
  telephone: '06 12 34 56 78',
  email: '',
  partenaire: 'caf',
  description: 'Ma prime d’activité est suspendue depuis deux mois',
  creneau: 'matin',
  site_web: '',
};

/** A person on the public page: gets the page (and its CSRF cookie), then sends the form. */
async function ask(fields: Record<string, string>, ip = '198.51.100.7', structureId = fsA.id) {
  const person = new Client(t.app, ip);
  await person.get(`/structures/${fsA.id}/rappel`); // any page with the form: the CSRF cookie and token
  return person.post(`/structures/${structureId}/rappel`, fields);
}

beforeAll(async () => {
  t = await buildTestApp({ now: '2026-11-24T09:30:00Z' }); // a Tuesday, 10:30 in Paris
  fsA = await insertStructure(t.ctx);
  fsB = await insertStructure(t.ctx);
  const a = await createUser(t.ctx, { role: 'agent', structureIds: [fsA.id] });
  agentId = a.id;
  const a2 = await createUser(t.ctx, { role: 'agent', structureIds: [fsA.id] });
  const m = await createUser(t.ctx, { role: 'responsable', structureIds: [fsA.id] });
  const o = await createUser(t.ctx, { role: 'responsable', structureIds: [fsB.id] });
  const an = await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' });
  agent = new Client(t.app, '192.0.2.21');
  agent2 = new Client(t.app, '192.0.2.22');
  manager = new Client(t.app, '192.0.2.23');
  outsider = new Client(t.app, '192.0.2.24');
  animateur = new Client(t.app, '192.0.2.25');
  await agent.login(a.email);
  await agent2.login(a2.email);
  await manager.login(m.email);
  await outsider.login(o.email);
  await animateur.login(an.email);
  // A page with a form each, for the CSRF token of their session.
  for (const c of [agent, agent2, manager, outsider]) await c.get('/espace/accompagnements');
});
afterAll(() => t.close());

describe('the public form', () => {
  it('is on the structure page, after the partners; first when the structure is remote only', async () => {
    const page = await new Client(t.app).get(`/structures/${fsA.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Être rappelé(e)');
    expect(page.body.indexOf('id="etre-rappele"')).toBeGreaterThan(page.body.indexOf('id="services"'));
    await setStatus(fsB.id, 'accueil_a_distance');
    const remote = await new Client(t.app).get(`/structures/${fsB.id}`);
    expect(remote.body.indexOf('id="etre-rappele"')).toBeGreaterThan(0);
    expect(remote.body.indexOf('id="etre-rappele"')).toBeLessThan(remote.body.indexOf('id="horaires"'));
    await setStatus(fsB.id, 'ouverte');
  });

  it('files a request and says when the person will be called back (2 business days)', async () => {
    const sent = await ask(valid);
    expect(sent.status).toBe(303);
    expect(sent.location).toMatch(
      new RegExp(`^/structures/${fsA.id}/rappel/envoyee\\?demande=[0-9a-f-]{36}$`),
    );
    const confirmation = await new Client(t.app).get(sent.location as string);
    expect(confirmation.status).toBe(200);
    expect(confirmation.body).toContain('Votre demande est envoyée');
    // Tuesday 10:30 + 2 business days = Thursday 26 November, 10:30 (Paris).
    expect(confirmation.body).toContain('jeudi 26 novembre 2026 à 10:30');
    expect(confirmation.body).toContain('rappellera');
    // The confirmation never shows the contact details.
    expect(confirmation.body).not.toContain('06 12 34 56 78');
    const rows = await requests(fsA.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ statut: 'nouvelle', telephone: '06 12 34 56 78', partenaire: 'caf' });
    expect(new Date(rows[0]?.due_at as Date).toISOString()).toBe('2026-11-26T09:30:00.000Z');
  });

  it('answers bad input in French on the field, keeps what was typed, and saves nothing', async () => {
    const before = (await requests(fsA.id)).length;
    const none = await ask({ ...valid, telephone: '', email: '' }, '198.51.100.8');
    expect(none.status).toBe(400);
    expect(none.body).toContain('Indiquez un numéro de téléphone ou une adresse électronique');
    expect(none.body).toContain('aria-describedby="telephone-error"');
    expect(none.body).toContain('Ma prime d’activité est suspendue');
    const huge = await ask({ ...valid, nom: 'x'.repeat(10_000) }, '198.51.100.8');
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('Nom : 80 caractères au plus');
    const badMail = await ask({ ...valid, telephone: '', email: 'marie@' }, '198.51.100.8');
    expect(badMail.body).toContain('Adresse électronique invalide');
    const partner = await ask({ ...valid, partenaire: '<b>caf</b>' }, '198.51.100.9');
    expect(partner.status).toBe(400);
    expect(partner.body).not.toContain('<b>caf</b>');
    const notHere = await ask({ ...valid, partenaire: 'dgfip' }, '198.51.100.9');
    expect(notHere.status).toBe(400);
    expect(notHere.body).toContain('n’accompagne pas les démarches de cet organisme');
    const twice = await ask({ ...valid, partenaire: ['caf', 'msa'] } as never, '198.51.100.9');
    expect(twice.status).toBe(400);
    const noCsrf = await new Client(t.app, '198.51.100.9').post(`/structures/${fsA.id}/rappel`, valid);
    expect(noCsrf.status).toBe(403);
    expect((await requests(fsA.id)).length).toBe(before);
  });

  it('keeps HTML as text, all the way to the inbox', async () => {
    const sent = await ask(
      { ...valid, description: '<script>alert("x")</script> mon dossier' },
      '198.51.100.10',
    );
    expect(sent.status).toBe(303);
    const inbox = await agent.get(`/espace/rappels?structure=${fsA.id}`);
    expect(inbox.body).not.toContain('<script>alert("x")</script>');
    expect(inbox.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; mon dossier');
  });

  it('quietly drops what a robot sends (honeypot filled)', async () => {
    const before = (await requests(fsA.id)).length;
    const bot = await ask({ ...valid, site_web: 'http://spam.example' }, '198.51.100.11');
    expect(bot.status).toBe(200);
    expect(bot.body).toContain('Votre demande est envoyée');
    expect((await requests(fsA.id)).length).toBe(before);
  });

  it('limits one address to 6 requests an hour, with a French 429', async () => {
    const answers = [];
    for (let i = 0; i < 7; i++) answers.push(await ask(valid, '198.51.100.12', fsB.id));
    expect(answers.slice(0, 6).every((a) => a.status === 303)).toBe(true);
    expect(answers[6]?.status).toBe(429);
    expect(answers[6]?.body).toContain('Trop de requêtes');
  });

  it('is not offered by a closed structure, nor for an unknown one', async () => {
    await setStatus(fsB.id, 'fermee_temporairement');
    const page = await new Client(t.app).get(`/structures/${fsB.id}`);
    expect(page.body).not.toContain('id="etre-rappele"');
    expect((await ask(valid, '198.51.100.13', fsB.id)).status).toBe(404);
    expect((await new Client(t.app).get('/structures/inconnue/rappel')).status).toBe(404);
    await setStatus(fsB.id, 'ouverte');
    const stranger = await new Client(t.app).get(
      `/structures/${fsA.id}/rappel/envoyee?demande=00000000-0000-4000-8000-000000000000`,
    );
    expect(stranger.status).toBe(404);
  });
});

describe('the inbox', () => {
  it('is reached from the home of /espace, with the counter form', async () => {
    const home = await agent.get('/espace');
    expect(home.body).toContain(`href="/espace/rappels?structure=${fsA.id}"`);
    expect(home.body).toContain(`href="/espace/accompagnements?structure=${fsA.id}"`);
    expect(home.body).not.toContain('/espace/accompagnements/structure?');
    const managerHome = await manager.get('/espace');
    expect(managerHome.body).toContain(`href="/espace/accompagnements/structure?structure=${fsA.id}"`);
  });

  it('lists new requests by urgency; one agent takes a request, the other is told', async () => {
    const inbox = await agent.get(`/espace/rappels?structure=${fsA.id}`);
    expect(inbox.status).toBe(200);
    expect(inbox.body).toContain('Demandes de rappel');
    const first = (await requests(fsA.id)).sort((a, b) => +new Date(a.due_at) - +new Date(b.due_at))[0];
    const id = first?.id as string;
    const [one, two] = await Promise.all([
      agent.post(`/espace/rappels/${id}/prendre`, { version: '1' }),
      agent2.post(`/espace/rappels/${id}/prendre`, { version: '1' }),
    ]);
    expect([one.status, two.status].sort()).toEqual([303, 409]);
    const loser = one.status === 409 ? one : two;
    expect(loser.body).toContain('vient d’être modifiée par quelqu’un d’autre');
    const row = (await requests(fsA.id)).find((r) => r.id === id);
    expect(row?.statut).toBe('prise');
  });

  it('highlights overdue requests, in words as well as colour', async () => {
    // A request that came in two weeks ago (its own clock), still open today.
    const past = new RappelService(t.ctx.db, fixedClock('2026-11-10T09:00:00Z'), t.ctx.accompagnement);
    await past.submit(fsA.id, { ...valid, description: 'Demande ancienne' });
    const inbox = await agent.get(`/espace/rappels?structure=${fsA.id}`);
    expect(inbox.body).toContain('maillage-en-retard');
    expect(inbox.body).toContain('En retard');
    expect(inbox.body).toMatch(/1 en retard|\d+ en retard/);
  });

  it('handling records a telephone accompaniment and closes the request; a double submit records once', async () => {
    const row = (await requests(fsA.id)).find((r) => r.statut === 'nouvelle') as {
      id: string;
      version: number;
    };
    const page = await agent.get(`/espace/rappels/${row.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Enregistrer et clore la demande');
    const fields = {
      version: String(row.version),
      partenaire: 'caf',
      demarche: '',
      canal: 'telephone',
      duree_min: '12',
      resultat: 'resolu',
      heure: '',
    };
    const wrongChannel = await agent.post(`/espace/rappels/${row.id}/traiter`, {
      ...fields,
      canal: 'guichet',
    });
    expect(wrongChannel.status).toBe(400);
    expect(wrongChannel.body).toContain('par téléphone ou par courriel');
    const done = await agent.post(`/espace/rappels/${row.id}/traiter`, fields);
    expect(done.status).toBe(303);
    const again = await agent.post(`/espace/rappels/${row.id}/traiter`, fields);
    expect(again.status).toBe(303);
    const records = await t.ctx.db
      .selectFrom('accompagnements')
      .selectAll()
      .where('id', '=', row.id)
      .execute();
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      canal: 'telephone',
      source: 'rappel',
      agent_id: agentId,
      duree_min: 12,
    });
    const closed = (await requests(fsA.id)).find((r) => r.id === row.id);
    expect(closed).toMatchObject({ statut: 'traitee', accompagnement_id: row.id });
    const tab = await agent.get(`/espace/rappels?structure=${fsA.id}&onglet=traitees`);
    expect(tab.body).toContain('Traitée');
  });

  it('keeps each structure to its own inbox (404 elsewhere), and aggregates-only roles out', async () => {
    const id = (await requests(fsA.id))[0]?.id as string;
    expect((await outsider.get(`/espace/rappels?structure=${fsA.id}`)).status).toBe(404);
    expect((await outsider.get(`/espace/rappels/${id}`)).status).toBe(404);
    expect((await outsider.post(`/espace/rappels/${id}/prendre`, { version: '1' })).status).toBe(404);
    expect(
      (await outsider.post(`/espace/rappels/${id}/traiter`, { version: '1', canal: 'telephone' })).status,
    ).toBe(404);
    expect((await animateur.get(`/espace/rappels?structure=${fsA.id}`)).status).toBe(404);
    expect((await agent.get('/espace/rappels/pas-un-uuid')).status).toBe(404);
    expect((await agent.get(`/espace/rappels?structure=${fsA.id}&onglet=toutes`)).status).toBe(400);
    expect((await new Client(t.app).get(`/espace/rappels?structure=${fsA.id}`)).status).toBe(303);
  });

  it('lets the manager, not the agent, set the delay; bad values get a French message', async () => {
    for (const bad of ['0', '11', 'Infinity', '2.5', 'abc', '1e1']) {
      const r = await manager.post(`/espace/rappels/delai?structure=${fsA.id}`, { delai_jours: bad });
      expect(r.status, bad).toBe(400);
      expect(r.body).toContain('nombre entier de jours ouvrés');
    }
    expect((await agent.post(`/espace/rappels/delai?structure=${fsA.id}`, { delai_jours: '3' })).status).toBe(
      404,
    );
    const ok = await manager.post(`/espace/rappels/delai?structure=${fsA.id}`, { delai_jours: '3' });
    expect(ok.status).toBe(303);
    const page = await new Client(t.app).get(`/structures/${fsA.id}`);
    expect(page.body).toContain('dans les 3 jours ouvrés');
    const sent = await ask(valid, '198.51.100.14');
    const confirmation = await new Client(t.app).get(sent.location as string);
    expect(confirmation.body).toContain('vendredi 27 novembre 2026 à 10:30');
  });
});

describe('erasure', () => {
  it('erases contact details 30 days after closing, and nothing else', async () => {
    const open = (await requests(fsA.id)).filter((r) => r.statut === 'nouvelle');
    const closedId = (await requests(fsA.id)).find((r) => r.statut === 'traitee')?.id as string;
    const in29Days = new RappelService(t.ctx.db, fixedClock('2026-12-23T09:00:00Z'), t.ctx.accompagnement);
    expect(await in29Days.purgeContacts()).toBe(0);
    const in31Days = new RappelService(t.ctx.db, fixedClock('2026-12-25T10:00:00Z'), t.ctx.accompagnement);
    expect(await in31Days.purgeContacts()).toBe(1);
    const after = await requests(fsA.id);
    const closed = after.find((r) => r.id === closedId);
    expect(closed).toMatchObject({
      nom: null,
      telephone: null,
      email: null,
      description: null,
      statut: 'traitee',
    });
    expect(closed?.contact_efface_le).not.toBeNull();
    // Open requests keep theirs, and the accompaniment stays.
    for (const r of open) expect(after.find((x) => x.id === r.id)?.telephone).toBe('06 12 34 56 78');
    const record = await t.ctx.db
      .selectFrom('accompagnements')
      .select('id')
      .where('id', '=', closedId)
      .execute();
    expect(record).toHaveLength(1);
    expect(await in31Days.purgeContacts()).toBe(0);
    const inbox = await agent.get(`/espace/rappels?structure=${fsA.id}&onglet=traitees`);
    expect(inbox.body).toContain('effacées (30 jours après la clôture)');
  });
});
