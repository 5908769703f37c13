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
    // Motif, recorded, honoré, excusé, absent, rate (with its interval), not recorded.
    expect(page.body).toMatch(
      /Aide pour une démarche en ligne<\/td><td>1<\/td><td>1<\/td><td>0<\/td><td>0<\/td><td>0,0 %<br>/,
    );
    expect(page.body).toContain('Calculé sur 1 rendez-vous passé dont la présence est renseignée');
    expect(page.body).toContain('peu de rendez-vous : indicatif');
    expect((await agent.get(agendaUrl())).body).not.toContain('Rendez-vous non honorés');
  });

  it('per structure for those who follow several: the department’s animateur yes, another department no', async () => {
    const animateur = new Client(app, '192.0.2.34');
    const elsewhere = new Client(app, '192.0.2.35');
    await animateur.login(
      (await createUser(ctx, { role: 'animateur_departemental', departement: '02' })).email,
    );
    await elsewhere.login(
      (await createUser(ctx, { role: 'animateur_departemental', departement: '59' })).email,
    );
    const list = await animateur.get('/espace/rendez-vous/statistiques');
    expect(list.status).toBe(200);
    expect(list.body).toContain('<title>Rendez-vous non honorés — ');
    expect(list.body).toMatch(
      new RegExp(
        `statistiques\\?structure=${f.structure.id}">[^<]+</a></td><td>02</td><td>1</td><td>0</td><td>0,0 %`,
      ),
    );
    const detail = await animateur.get(`/espace/rendez-vous/statistiques?structure=${f.structure.id}`);
    expect(detail.body).toContain('Taux d’absence non excusée par motif');
    const other = await elsewhere.get('/espace/rendez-vous/statistiques');
    expect(other.status).toBe(200);
    expect(other.body).not.toContain(f.structure.id);
    expect(other.body).toContain('Aucun rendez-vous passé dans votre périmètre');
    expect((await elsewhere.get(`/espace/rendez-vous/statistiques?structure=${f.structure.id}`)).status).toBe(
      404,
    );
    expect((await agent.get('/espace/rendez-vous/statistiques')).status).toBe(404);
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

describe('editing a motif', () => {
  const editUrl = () => `/espace/rendez-vous/motifs/${f.motif.id}/modifier?structure=${f.structure.id}`;
  const stored = () =>
    ctx.db.selectFrom('rendezvous_motifs').selectAll().where('id', '=', f.motif.id).executeTakeFirstOrThrow();
  const form = (over: Record<string, string>) => ({
    label: 'Aide pour une démarche en ligne',
    durationMin: '30',
    channel: 'sur_place',
    partner: '',
    demarche: '',
    minNoticeMin: '60',
    maxNoticeDays: '56',
    bookableOnline: 'oui',
    ...over,
  });

  it('shows the stored values to the manager only; others get a 404', async () => {
    const page = await manager.get(editUrl());
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>Modifier le motif Aide pour une démarche en ligne — ');
    expect(page.body).toContain('id="durationMin" name="durationMin" maxlength="3" value="30"');
    expect(page.body).toMatch(/name="version" value="\d+"/);
    expect((await agent.get(editUrl())).status).toBe(404);
    expect((await stranger.get(editUrl())).status).toBe(404);
    expect((await stranger.post(editUrl(), form({ version: '1' }))).status).toBe(404);
    expect(
      (await manager.get(`/espace/rendez-vous/motifs/not-a-uuid/modifier?structure=${f.structure.id}`))
        .status,
    ).toBe(404);
  });

  it('refuses hostile values with a French message next to the field, and changes nothing', async () => {
    const before = await stored();
    const v = String(before.version);
    const cases: Array<[Record<string, string>, string]> = [
      [{ durationMin: 'Infinity' }, 'durationMin'],
      [{ durationMin: '1e309' }, 'durationMin'],
      [{ durationMin: '33' }, 'durationMin'],
      [{ durationMin: '-30' }, 'durationMin'],
      [{ channel: 'pigeon' }, 'channel'],
      [{ channel: 'visio', partner: '' }, 'partner'],
      [{ partner: '<script>' }, 'partner'],
      [{ minNoticeMin: 'NaN' }, 'minNoticeMin'],
      [{ minNoticeMin: '99999999999999999999' }, 'minNoticeMin'],
      [{ minNoticeMin: '43200', maxNoticeDays: '10' }, 'minNoticeMin'],
      [{ maxNoticeDays: '94' }, 'maxNoticeDays'],
      [{ label: '   ' }, 'label'],
      [{ demarche: 'inconnue.demarche' }, 'demarche'],
    ];
    for (const [over, field] of cases) {
      const res = await manager.post(editUrl(), form({ version: v, ...over }));
      expect(res.status, JSON.stringify(over)).toBe(400);
      expect(res.body, JSON.stringify(over)).toContain(`id="${field}-error"`);
      expect(res.body).toContain('fr-error-text');
    }
    const huge = await manager.post(editUrl(), form({ version: v, label: 'x'.repeat(10_000) }));
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('ne doit pas dépasser');
    expect(await stored()).toEqual(before);
  });

  it('saves an edit; a second form read at the same version gets a 409 with the stored values, then succeeds knowingly', async () => {
    const v = String((await stored()).version);
    const first = await manager.post(
      editUrl(),
      form({ version: v, label: '<b>Démarches</b> en ligne', durationMin: '45', bookableOnline: 'oui' }),
    );
    expect(first.status).toBe(303);
    expect((await manager.get(first.location as string)).body).toContain('Motif modifié');
    const second = await manager.post(
      editUrl(),
      form({ version: v, label: 'Autre intitulé', minNoticeMin: '120' }),
    );
    expect(second.status).toBe(409);
    expect(second.body).toContain('modifié entre-temps');
    expect(second.body).toContain('Valeurs enregistrées maintenant : &lt;b&gt;Démarches&lt;/b&gt; en ligne');
    expect(second.body).toContain('value="Autre intitulé"'); // what was typed is kept
    expect(await stored()).toMatchObject({ libelle: '<b>Démarches</b> en ligne', duree_min: 45 });
    const newVersion = /name="version" value="(\d+)"/.exec(second.body)?.[1] ?? '';
    expect(Number(newVersion)).toBe(Number(v) + 1);
    const again = await manager.post(
      editUrl(),
      form({ version: newVersion, label: 'Autre intitulé', durationMin: '45', minNoticeMin: '120' }),
    );
    expect(again.status).toBe(303);
    expect(await stored()).toMatchObject({ libelle: 'Autre intitulé', delai_min_minutes: 120, actif: true });
  });

  it('unchecking "bookable online" keeps the motif for agents only; booked appointments keep their duration', async () => {
    // An upcoming appointment booked at the motif's current duration (45 minutes).
    const upcoming = await ctx.rendezvous.book(
      {
        structureId: f.structure.id,
        motifId: f.motif.id,
        start: '2026-11-25T09:00:00+01:00',
        name: 'Paul Durand',
        phone: '06 22 33 44 55',
      },
      { principal: f.agent },
    );
    expect(new Date(upcoming.booking.fin).getTime() - new Date(upcoming.booking.debut).getTime()).toBe(
      45 * 60_000,
    );
    const bookings = () =>
      ctx.db.selectFrom('rendezvous').select(['id', 'debut', 'fin', 'agent_id']).orderBy('id').execute();
    const before = await bookings();
    expect(before.length).toBeGreaterThan(0);
    const occupations = () =>
      ctx.db
        .selectFrom('rendezvous_occupations')
        .select(['rendezvous_id', 'unit_start'])
        .orderBy('rendezvous_id')
        .orderBy('unit_start')
        .execute();
    const units = await occupations();
    const { bookableOnline: _, ...unchecked } = form({
      version: String((await stored()).version),
      label: 'Autre intitulé',
      durationMin: '60',
    });
    const res = await manager.post(editUrl(), unchecked);
    expect(res.status).toBe(303);
    expect(await stored()).toMatchObject({ reservable_en_ligne: false, duree_min: 60 });
    expect(await bookings()).toEqual(before);
    expect(await occupations()).toEqual(units);
    // No longer offered to the public; agents still book it, now for 60 minutes.
    const offered = (await app.inject(`/api/v1/structures/${f.structure.id}/creneaux`)).json()
      .items as Array<{
      motif: string;
    }>;
    expect(offered.filter((x) => x.motif === f.motif.id)).toEqual([]);
    const slots = await ctx.rendezvous.counterSlots(
      f.agent,
      f.structure.id,
      f.motif.id,
      new Date('2026-11-25T00:00:00Z'),
      new Date('2026-11-26T00:00:00Z'),
    );
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((x) => x.end.getTime() - x.start.getTime() === 60 * 60_000)).toBe(true);
  });
});
