import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext, openContext } from '../../../src/composition.js';
import { type App, buildApp } from '../../../src/http/app.js';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { packageGeography, testConfig } from '../../support/app.js';
import { freshDatabase } from '../../support/database.js';
import { bookingFixture } from '../../support/rendezvous.js';

/** The agents' side: configuration, agenda, booking for someone, attendance, pre-filled record, private feed. */
let app: App;
let ctx: AppContext;
let f: Awaited<ReturnType<typeof bookingFixture>>;
let now = new Date('2026-11-24T09:30:00Z'); // Tuesday, 10:30 in Saint-Quentin
let agent: Client;
let manager: Client;
let stranger: Client;

beforeAll(async () => {
  ctx = await openContext(testConfig(), {
    database: await freshDatabase(),
    geography: packageGeography(),
    clock: { now: () => new Date(now) },
  });
  app = await buildApp(ctx);
  await app.ready();
  f = await bookingFixture(ctx);
  const other = await insertStructure(ctx);
  const strangerUser = await createUser(ctx, { role: 'responsable', structureIds: [other.id] });
  agent = new Client(app, '192.0.2.31');
  manager = new Client(app, '192.0.2.32');
  stranger = new Client(app, '192.0.2.33');
  await agent.login(f.agentUser.email);
  await manager.login(f.managerUser.email);
  await stranger.login(strangerUser.email);
});
afterAll(async () => {
  await app.close();
  await closeContext(ctx);
});

const agendaUrl = () => `/espace/rendez-vous?structure=${f.structure.id}`;

describe('configuration', () => {
  it('the manager adds a motif and a plage; bad values get French messages next to the field', async () => {
    const page = await manager.get(`/espace/rendez-vous/configuration?structure=${f.structure.id}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Aide pour une démarche en ligne');
    const bad = await manager.post(`/espace/rendez-vous/motifs?structure=${f.structure.id}`, {
      label: '<i>Visio CAF</i>',
      durationMin: 'Infinity',
      channel: 'visio',
      partner: 'caf',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('id="durationMin-error"');
    expect(bad.body).toContain('value="&lt;i&gt;Visio CAF&lt;/i&gt;"');
    const ok = await manager.post(`/espace/rendez-vous/motifs?structure=${f.structure.id}`, {
      label: 'Visio CAF',
      durationMin: '45',
      channel: 'visio',
      partner: 'caf',
      demarche: '',
      minNoticeMin: '1440',
      maxNoticeDays: '30',
      bookableOnline: 'oui',
    });
    expect(ok.status).toBe(303);
    const plage = await manager.post(`/espace/rendez-vous/plages?structure=${f.structure.id}`, {
      agent: f.agentUser.id,
      weekday: 'samedi',
      start: '10:00',
      end: '09:00',
    });
    expect(plage.status).toBe(400);
    expect(plage.body).toContain('L’heure de fin doit suivre l’heure de début.');
    expect((await ctx.rendezvous.motifs(f.structure.id)).map((m) => m.label)).toContain('Visio CAF');
  });

  it('an agent manages only their own plages; another structure’s manager sees nothing', async () => {
    await agent.get('/espace'); // a page with the session's CSRF token
    const forOther = await agent.post(`/espace/rendez-vous/plages?structure=${f.structure.id}`, {
      agent: f.managerUser.id,
      weekday: 'lundi',
      start: '14:00',
      end: '16:00',
    });
    expect(forOther.status).toBe(404);
    const own = await agent.post(`/espace/rendez-vous/plages?structure=${f.structure.id}`, {
      agent: f.agentUser.id,
      weekday: 'lundi',
      start: '14:00',
      end: '16:00',
    });
    expect(own.status).toBe(303);
    expect((await stranger.get(agendaUrl())).status).toBe(404);
    expect((await stranger.get(`/espace/rendez-vous/configuration?structure=${f.structure.id}`)).status).toBe(
      404,
    );
  });
});

describe('agenda, booking for someone, attendance', () => {
  let bookingId = '';
  it('an agent books at the counter for someone, inside the motif’s notice', async () => {
    const form = await agent.get(
      `/espace/rendez-vous/nouveau?structure=${f.structure.id}&motif=${f.motif.id}`,
    );
    expect(form.status).toBe(200);
    expect(form.body).toContain('value="2026-11-24T11:00:00+01:00"'); // 30 minutes from now: too soon online
    const missing = await agent.post(
      `/espace/rendez-vous/nouveau?structure=${f.structure.id}&motif=${f.motif.id}`,
      {
        name: 'Jeanne Martin',
        phone: '06 11 22 33 44',
      },
    );
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('Choisissez un créneau.');
    const ok = await agent.post(
      `/espace/rendez-vous/nouveau?structure=${f.structure.id}&motif=${f.motif.id}`,
      {
        debut: '2026-11-24T11:00:00+01:00',
        name: 'Jeanne Martin',
        phone: '06 11 22 33 44',
      },
    );
    expect(ok.status).toBe(303);
    const agenda = await agent.get(ok.location as string);
    expect(agenda.body).toContain('Rendez-vous réservé.');
    expect(agenda.body).toContain('Jeanne Martin');
    expect(agenda.body).toContain('11:00–11:30');
    const row = await ctx.db
      .selectFrom('rendezvous')
      .select(['id', 'origine', 'cree_par'])
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ origine: 'agent', cree_par: f.agentUser.id });
    bookingId = row.id;
  });

  it('week view per agent and per structure', async () => {
    const week = await agent.get(`${agendaUrl()}&vue=semaine&jour=2026-11-26&agent=${f.agentUser.id}`);
    expect(week.status).toBe(200);
    expect(week.body).toContain('Mardi 24 novembre 2026');
    const managerOnly = await agent.get(
      `${agendaUrl()}&vue=semaine&jour=2026-11-26&agent=${f.managerUser.id}`,
    );
    expect(managerOnly.body).not.toContain('Jeanne Martin');
  });

  it('marks attendance once the time has come; a stale form is refused; honoré offers the pre-filled record', async () => {
    const early = await agent.post(`/espace/rendez-vous/${bookingId}/presence`, {
      version: '1',
      statut: 'honore',
    });
    expect(early.status).toBe(400);
    expect(early.body).toContain('n’a pas encore commencé');
    now = new Date('2026-11-24T10:20:00Z'); // 11:20 local
    const seen = await agent.post(`/espace/rendez-vous/${bookingId}/presence`, {
      version: '1',
      statut: 'honore',
    });
    expect(seen.status).toBe(303);
    const stale = await agent.post(`/espace/rendez-vous/${bookingId}/presence`, {
      version: '1',
      statut: 'absent',
    });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('modifié entre-temps');
    const junk = await agent.post(`/espace/rendez-vous/${bookingId}/presence`, {
      version: '2',
      statut: 'parti',
    });
    expect(junk.status).toBe(400);
    const agenda = await agent.get(seen.location as string);
    const link =
      /href="(\/espace\/accompagnements\?[^"]+)"/.exec(agenda.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(link).toContain('canal=guichet');
    expect(link).toContain('partenaire=autre');
    expect(link).toContain('heure=11:00');
    const counter = await agent.get(link);
    expect(counter.status).toBe(200);
    expect(counter.body).toMatch(/<option value="autre"\s+selected>/);
    expect(counter.body).toContain('value="30"');
    await stranger.get('/espace');
    expect(
      (await stranger.post(`/espace/rendez-vous/${bookingId}/presence`, { version: '2', statut: 'absent' }))
        .status,
    ).toBe(404);
  });

  it('the manager sees the missed-appointment rate per motif', async () => {
    const page = await manager.get(agendaUrl());
    expect(page.body).toContain('Rendez-vous non honorés');
    expect(page.body).toMatch(
      /Aide pour une démarche en ligne<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>0,0 %/,
    );
    expect((await agent.get(agendaUrl())).body).not.toContain('Rendez-vous non honorés');
  });
});

describe('private iCalendar feed', () => {
  it('is created, served, replaced and revoked', async () => {
    const created = await agent.post(`/espace/rendez-vous/flux?structure=${f.structure.id}`, {});
    expect(created.status).toBe(200);
    const url = /<code>(http[^<]+)<\/code>/.exec(created.body)?.[1] ?? '';
    const path = new URL(url).pathname;
    const feed = await app.inject(path);
    expect(feed.statusCode).toBe(200);
    expect(feed.headers['content-type']).toContain('text/calendar');
    expect(feed.body).toContain('Aide pour une démarche en ligne – Jeanne Martin');
    expect(feed.body).toContain('DTSTART:20261124T100000Z');
    const revoked = await agent.post(`/espace/rendez-vous/flux/revoquer?structure=${f.structure.id}`, {});
    expect(revoked.status).toBe(303);
    expect((await app.inject(path)).statusCode).toBe(404);
    expect((await app.inject('/rendez-vous/agenda/pas-un-jeton.ics')).statusCode).toBe(404);
    const stored = await ctx.db.selectFrom('rendezvous_flux').select('jeton_hash').execute();
    expect(stored.every((r) => !url.includes(r.jeton_hash))).toBe(true);
  });
});
