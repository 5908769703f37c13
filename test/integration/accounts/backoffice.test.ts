import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { structureScope } from '../../../src/db/repositories/structure-scope.repository.js';
import type { Principal } from '../../../src/domain/accounts/roles.js';
import { fixedClock } from '../../../src/domain/shared/time.js';
import { changeStatus } from '../../../src/services/backoffice/structure-admin.service.js';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

const versionIn = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? '';
const HOURS = {
  hours_lundi: '09:00 - 12:00 / 13:30 - 17:00',
  hours_mardi: '09:00 - 12:00',
  hours_mercredi: '',
  hours_jeudi: '14:00 - 17:00',
  hours_vendredi: '09:00 - 12:00 / 13:30 - 16:30',
  hours_samedi: '',
  hours_dimanche: '',
};

describe('structure back office', () => {
  let t: TestApp;
  let mine: { id: string; name: string };
  let neighbour: { id: string; name: string };
  let elsewhere: { id: string; name: string };
  let agent: { email: string; id: string };
  let animateur: { email: string };
  let national: { email: string };

  beforeAll(async () => {
    t = await buildTestApp();
    mine = await insertStructure(t.ctx, { name: 'France Services de Guise', departement: '02' });
    neighbour = await insertStructure(t.ctx, { name: 'France Services de Bohain', departement: '02' });
    elsewhere = await insertStructure(t.ctx, { name: 'France Services Paris 20e', departement: '75' });
    agent = await createUser(t.ctx, { role: 'agent', structureIds: [mine.id], name: 'Alice Agent' });
    animateur = await createUser(t.ctx, {
      role: 'animateur_departemental',
      departement: '02',
      name: 'Préfecture Aisne',
    });
    national = await createUser(t.ctx, { role: 'national', name: 'ANCT' });
  });
  afterAll(async () => t?.close());

  it('an agent edits contact, hours, closures, partners, appointment and description; history keeps before and after', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const form = await c.get(`/espace/structures/${mine.id}`);
    expect(form.status).toBe(200);
    const saved = await c.post(`/espace/structures/${mine.id}`, {
      version: versionIn(form.body),
      email: 'guise@france-services.example',
      telephone: '03 23 61 00 00',
      ...HOURS,
      hours_mardi: '9h-12h / 11:00 - 12:30',
      closure_from: ['2026-12-24', ''],
      closure_to: ['2026-12-26', ''],
      closure_message: ['Fermé pour les fêtes', ''],
      partners: ['caf', 'msa', 'france_travail'],
      appointment: 'oui',
      comment: 'Sur rendez-vous le jeudi.',
      description: 'Guichet unique au cœur de la Thiérache.',
    });
    expect(saved.status, saved.body.slice(0, 500)).toBe(200);
    expect(saved.body).toContain('Les informations sont enregistrées');
    expect(saved.body).toContain('Horaires normalisés');
    const row = await t.ctx.db
      .selectFrom('structures')
      .selectAll()
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(row.version).toBe(2);
    expect(row.telephones).toEqual(['03 23 61 00 00']);
    expect((row.hours as Record<string, unknown>).mardi).toEqual([{ start: 540, end: 750 }]);
    expect(row.closures).toEqual([{ from: '2026-12-24', to: '2026-12-26', message: 'Fermé pour les fêtes' }]);
    expect(row.partners).toEqual(['caf', 'france_travail', 'msa']);
    expect(row.appointment).toBe(true);
    expect(row.description).toBe('Guichet unique au cœur de la Thiérache.');
    const history = await c.get(`/espace/structures/${mine.id}/historique`);
    expect(history.status).toBe(200);
    expect(history.body).toContain('Alice Agent');
    expect(history.body).toContain('03 23 00 00 00'); // before
    expect(history.body).toContain('03 23 61 00 00'); // after
    // The audit log is append-only, enforced by the database.
    await expect(t.ctx.db.deleteFrom('audit_log').execute()).rejects.toThrow(/ajout seul/);
    await expect(t.ctx.db.updateTable('audit_log').set({ actor_label: 'x' }).execute()).rejects.toThrow(
      /ajout seul/,
    );
  });

  it('switches to « accueil à distance » (which needs a phone or an e-mail) and historises the status', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const form = await c.get(`/espace/structures/${mine.id}`);
    const r = await c.post(`/espace/structures/${mine.id}/statut`, {
      version: versionIn(form.body),
      status: 'accueil_a_distance',
    });
    expect(r.status).toBe(200);
    const row = await t.ctx.db
      .selectFrom('structures')
      .select(['status', 'version'])
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('accueil_a_distance');
    const h = await t.ctx.db
      .selectFrom('status_history')
      .selectAll()
      .where('structure_id', '=', mine.id)
      .execute();
    expect(h.map((x) => [x.from_status, x.to_status])).toEqual([['ouverte', 'accueil_a_distance']]);
    // The public page (the directory's) shows it.
    const pub = await t.app.inject(`/structures/${mine.id}`);
    expect(pub.body).toContain('Accueil à distance uniquement');
    // The locator (in-memory index, kept in step with the database) reports it too.
    const near = await t.app.inject('/api/v1/structures/nearest?lat=49.85&lon=3.29&limit=50');
    const item = (near.json().items as { id: string; status: string }[]).find((i) => i.id === mine.id);
    expect(item?.status).toBe('accueil_a_distance');

    const silent = await insertStructure(t.ctx, { departement: '02', email: null, telephone: null });
    const anim = new Client(t.app);
    await anim.login(animateur.email);
    const f2 = await anim.get(`/espace/structures/${silent.id}`);
    const refused = await anim.post(`/espace/structures/${silent.id}/statut`, {
      version: versionIn(f2.body),
      status: 'accueil_a_distance',
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toContain('demande un numéro de téléphone ou une adresse électronique');
  });

  it('keeps permanent closure to the national team, and wants a reopening date for a temporary closure', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const form = await c.get(`/espace/structures/${mine.id}`);
    expect(form.body).not.toContain('value="fermee_definitivement"');
    const denied = await c.post(`/espace/structures/${mine.id}/statut`, {
      version: versionIn(form.body),
      status: 'fermee_definitivement',
    });
    expect(denied.status).toBe(403);
    expect(denied.body).toContain('Seule l’équipe nationale');
    const noDate = await c.post(`/espace/structures/${mine.id}/statut`, {
      version: versionIn(form.body),
      status: 'fermee_temporairement',
    });
    expect(noDate.status).toBe(400);
    expect(noDate.body).toContain('date de réouverture');
    const n = new Client(t.app);
    await n.login(national.email);
    const nf = await n.get(`/espace/structures/${elsewhere.id}`);
    const closed = await n.post(`/espace/structures/${elsewhere.id}/statut`, {
      version: versionIn(nf.body),
      status: 'fermee_definitivement',
    });
    expect(closed.status).toBe(200);
    const back = await n.post(`/espace/structures/${elsewhere.id}/statut`, {
      version: versionIn(closed.body),
      status: 'ouverte',
    });
    expect(back.status).toBe(200);
  });

  it('detects a stale edit: the second writer sees the conflict and nothing is overwritten', async () => {
    const a = new Client(t.app);
    const b = new Client(t.app);
    await a.login(agent.email);
    await b.login(national.email);
    const fa = await a.get(`/espace/structures/${mine.id}`);
    const fb = await b.get(`/espace/structures/${mine.id}`);
    expect(versionIn(fa.body)).toBe(versionIn(fb.body));
    const first = await a.post(`/espace/structures/${mine.id}`, {
      version: versionIn(fa.body),
      ...HOURS,
      email: 'a@france-services.example',
      description: 'Écrit par A',
    });
    expect(first.status).toBe(200);
    const second = await b.post(`/espace/structures/${mine.id}`, {
      version: versionIn(fb.body),
      ...HOURS,
      email: 'b@france-services.example',
      description: 'Écrit par B',
    });
    expect(second.status).toBe(409);
    expect(second.body).toContain('Modification concurrente');
    expect(second.body).toContain('Écrit par A'); // the current version is shown
    const row = await t.ctx.db
      .selectFrom('structures')
      .select(['description', 'emails'])
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ description: 'Écrit par A', emails: ['a@france-services.example'] });
    // A stale status change is refused the same way.
    const stale = await b.post(`/espace/structures/${mine.id}/statut`, {
      version: versionIn(fb.body),
      status: 'ouverte',
    });
    expect(stale.status).toBe(409);
    // The same answer as the edit form's: the conflict message over the current version, with its version.
    expect(stale.body).toContain('Modification concurrente');
    expect(versionIn(stale.body)).toBe(versionIn(second.body));
  });

  it('answers a form of the wrong shape with a French page, and saves nothing', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const form = await c.get(`/espace/structures/${mine.id}`);
    const before = await t.ctx.db
      .selectFrom('structures')
      .select(['version', 'description'])
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    const bads: Array<Record<string, string | string[]>> = [
      { description: `<script>alert(1)</script>${'x'.repeat(3000)}` },
      { closure_message: Array.from({ length: 41 }, () => 'fermé') },
      { status: 'x'.repeat(500) },
    ];
    for (const bad of bads) {
      const url = 'status' in bad ? `/espace/structures/${mine.id}/statut` : `/espace/structures/${mine.id}`;
      const r = await c.post(url, { version: versionIn(form.body), ...bad });
      expect(r.status, JSON.stringify(bad).slice(0, 80)).toBe(400);
      expect(r.body).toContain('Formulaire incorrect');
      expect(r.body).toContain('rien n’a été enregistré');
      expect(r.body).not.toContain('<script>alert');
    }
    const after = await t.ctx.db
      .selectFrom('structures')
      .select(['version', 'description'])
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('answers 404 to out-of-scope URLs, like a missing structure, and logs the attempt', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const other = await c.get(`/espace/structures/${neighbour.id}`);
    const missing = await c.get('/espace/structures/00000000-0000-4000-8000-000000000000');
    const garbage = await c.get('/espace/structures/%3Cscript%3E');
    expect(other.status).toBe(404);
    expect(missing.status).toBe(404);
    expect(garbage.status).toBe(404);
    expect(other.body).not.toContain(neighbour.name);
    await c.get(`/espace/structures/${mine.id}`);
    const write = await c.post(`/espace/structures/${neighbour.id}`, {
      version: '1',
      ...HOURS,
      description: 'piratage',
    });
    expect(write.status).toBe(404);
    expect(write.body).toContain('Page introuvable');
    for (const url of [
      `/espace/structures/${neighbour.id}/historique`,
      `/espace/structures/${mine.id}/agents`,
      '/espace/national',
      '/espace/departements/02',
      '/espace/courriels',
    ]) {
      expect((await c.get(url)).status, url).toBe(404);
    }
    const anim = new Client(t.app);
    await anim.login(animateur.email);
    expect((await anim.get(`/espace/structures/${neighbour.id}`)).status).toBe(200);
    expect((await anim.get(`/espace/structures/${elsewhere.id}`)).status).toBe(404);
    expect((await anim.get('/espace/departements/75')).status).toBe(404);
    const denied = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'access.denied')
      .execute();
    expect(denied.filter((d) => d.actor_id === agent.id).length).toBeGreaterThanOrEqual(8);
    expect(denied.some((d) => d.entity_id.includes(neighbour.id))).toBe(true);
    const row = await t.ctx.db
      .selectFrom('structures')
      .select('description')
      .where('id', '=', neighbour.id)
      .executeTakeFirstOrThrow();
    expect(row.description).toBeNull();
  });

  it('department view: every structure of the department, who last updated it, stale data flagged', async () => {
    const c = new Client(t.app);
    await c.login(animateur.email);
    const page = await c.get('/espace/departements/02');
    expect(page.status).toBe(200);
    expect(page.body).toContain('France Services de Guise');
    expect(page.body).toContain('France Services de Bohain');
    expect(page.body).not.toContain('Paris 20e');
    const rowOf = (name: string) => page.body.split('<tr').find((r) => r.includes(name)) ?? '';
    expect(rowOf('Guise')).toContain('Alice Agent'); // last writer
    expect(rowOf('Guise')).not.toContain('Données de plus de 6 mois');
    expect(rowOf('Bohain')).toContain('Données de plus de 6 mois'); // untouched since 2025-01-01
  });

  it('national view: counts by status on a past date, with the share receiving the public remotely', async () => {
    const olds = [];
    for (let i = 0; i < 4; i++)
      olds.push(
        await insertStructure(t.ctx, { departement: '80', createdAt: new Date('2019-06-01T08:00:00Z') }),
      );
    const ids = olds.map((o) => o.id);
    const nat = await createUser(t.ctx, { role: 'national' });
    const actor = {
      principal: { id: nat.id, role: 'national' as const, structureIds: [], departement: null },
      label: 'ANCT',
      ip: null,
    };
    const at = (iso: string) => ({ ...t.ctx, clock: fixedClock(iso) });
    await changeStatus(at('2020-03-17T10:00:00Z'), actor, ids[0] as string, 1, {
      status: 'accueil_a_distance',
    });
    await changeStatus(at('2020-03-17T10:05:00Z'), actor, ids[1] as string, 1, {
      status: 'accueil_a_distance',
    });
    await changeStatus(at('2020-03-17T10:10:00Z'), actor, ids[2] as string, 1, {
      status: 'fermee_temporairement',
      until: '2020-05-11',
    });
    await changeStatus(at('2020-05-11T06:00:00Z'), actor, ids[0] as string, 2, { status: 'ouverte' });
    await changeStatus(at('2020-05-11T06:00:00Z'), actor, ids[1] as string, 2, { status: 'ouverte' });
    await changeStatus(at('2020-05-11T06:00:00Z'), actor, ids[2] as string, 2, { status: 'ouverte' });
    const c = new Client(t.app);
    await c.login(national.email);
    const lockdown = await c.get('/espace/national?date=2020-04-01');
    expect(lockdown.status).toBe(200);
    expect(lockdown.body).toContain(
      '<strong>1</strong> ouvertes, <strong>2</strong> en accueil à distance uniquement, <strong>1</strong> fermées',
    );
    expect(lockdown.body).toContain('<strong>75 %</strong> des structures reçoivent encore le public');
    expect(lockdown.body).toContain(
      '<strong>67 %</strong> le reçoivent par téléphone ou courriel uniquement',
    );
    const before = await c.get('/espace/national?date=2020-03-01');
    expect(before.body).toContain('<strong>4</strong> ouvertes, <strong>0</strong> en accueil à distance');
    const after = await c.get('/espace/national?date=2020-06-01');
    expect(after.body).toContain('<strong>4</strong> ouvertes');
    const bad = await c.get('/espace/national?date=2999-01-01');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('Date invalide');
    // Before the directory was imported, no structure is known: say so, never "0 … 100 %".
    const empty = await c.get('/espace/national?date=2001-01-01');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('Aucune structure n’était enregistrée dans Maillage à cette date');
    expect(empty.body).not.toContain('100 %');
  });

  it('answers an empty or unknown department code with a French page, not a redirect loop', async () => {
    const c = new Client(t.app);
    await c.login(national.email);
    // On the way: the home of /espace names itself once in the breadcrumb, as the current page.
    const home = await c.get('/espace');
    const trail = home.body.slice(home.body.indexOf('fr-breadcrumb__list'), home.body.indexOf('</ol>'));
    expect(trail.match(/Mon espace/g)).toHaveLength(1);
    expect(trail).toContain('aria-current="page">Mon espace<');
    for (const code of ['', '   ', '999', '<b>', 'x'.repeat(50)]) {
      const r = await c.get(`/espace/departements?code=${encodeURIComponent(code)}`);
      expect(r.status, code).toBe(400);
      expect(r.body).toContain('Code de département inconnu');
    }
    const ok = await c.get('/espace/departements?code=2a');
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/espace/departements/2A');
  });

  it('refuses wrong types and huge values with a French page, saving nothing', async () => {
    const c = new Client(t.app);
    await c.login(agent.email);
    const form = await c.get(`/espace/structures/${mine.id}`);
    const v = versionIn(form.body);
    const huge = await c.post(`/espace/structures/${mine.id}`, {
      version: v,
      ...HOURS,
      description: 'x'.repeat(50_000),
    });
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('trop longue');
    const badVersion = await c.post(`/espace/structures/${mine.id}`, { version: 'abc', ...HOURS });
    expect(badVersion.status).toBe(400);
    const badHours = await c.post(`/espace/structures/${mine.id}`, {
      version: v,
      ...HOURS,
      hours_jeudi: '25:00 - 26:00',
    });
    expect(badHours.status).toBe(400);
    expect(badHours.body).toContain('Heure impossible');
    const badPartner = await c.post(`/espace/structures/${mine.id}`, {
      version: v,
      ...HOURS,
      partners: ['nasa'],
    });
    expect(badPartner.body).toContain('Partenaire inconnu');
    const twoVersions = await c.post(`/espace/structures/${mine.id}`, { version: [v, v], ...HOURS });
    expect(twoVersions.status).toBe(400);
    const badStatus = await c.post(`/espace/structures/${mine.id}/statut`, {
      version: v,
      status: 'en_greve',
    });
    expect(badStatus.status).toBe(400);
    const row = await t.ctx.db
      .selectFrom('structures')
      .select('version')
      .where('id', '=', mine.id)
      .executeTakeFirstOrThrow();
    expect(String(row.version)).toBe(v);
  });

  it('escapes <script> stored in every free-text field, on every back-office page', async () => {
    const XSS = '<script>alert(1)</script>';
    const s = await insertStructure(t.ctx, { name: `Nom ${XSS}`, departement: '02' });
    const resp = await createUser(t.ctx, { role: 'responsable', structureIds: [s.id], name: `Resp ${XSS}` });
    await createUser(t.ctx, {
      role: 'agent',
      structureIds: [s.id],
      name: `Agent ${XSS}`,
      email: 'agent.xss@example.fr',
    });
    const c = new Client(t.app);
    await c.login(resp.email);
    const form = await c.get(`/espace/structures/${s.id}`);
    const saved = await c.post(`/espace/structures/${s.id}`, {
      version: versionIn(form.body),
      ...HOURS,
      email: 'xss@example.fr',
      closure_from: ['2026-12-24'],
      closure_to: ['2026-12-24'],
      closure_message: [`Fermé ${XSS}`],
      comment: `Commentaire ${XSS}`,
      description: `Description ${XSS}`,
    });
    expect(saved.status).toBe(200);
    const badHours = await c.post(`/espace/structures/${s.id}`, {
      version: versionIn(saved.body),
      ...HOURS,
      hours_lundi: XSS,
    });
    expect(badHours.status).toBe(400);
    const invite = await c.post(`/espace/structures/${s.id}/agents`, { email: XSS, role: 'agent' });
    expect(invite.status).toBe(400);
    const pages = [saved.body, badHours.body, invite.body];
    for (const url of [
      '/espace',
      `/espace/structures/${s.id}`,
      `/espace/structures/${s.id}/historique`,
      `/espace/structures/${s.id}/agents`,
    ]) {
      const p = await c.get(url);
      expect(p.status, url).toBe(200);
      pages.push(p.body);
    }
    const n = new Client(t.app);
    await n.login(national.email);
    for (const url of [
      '/espace/departements/02',
      '/espace/national',
      '/espace/courriels',
      '/espace/inviter',
      `/espace/structures/${s.id}`,
    ]) {
      const p = await n.get(url);
      expect(p.status, url).toBe(200);
      pages.push(p.body);
    }
    await n.post('/espace/inviter', { email: `${XSS}@x.fr`, role: 'auditeur' });
    for (const body of pages) {
      expect(body).not.toContain('<script>alert(1)</script>');
      expect(body.match(/<script\b/g)?.length).toBe(1); // the DSFR module only
    }
    expect(pages.join('')).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('filters lists in SQL by the same matrix: own structures, department, everything, nothing', async () => {
    const ids = async (
      user: Principal,
      action: 'structure.read_private' | 'structure.edit' | 'agents.manage',
    ) =>
      (
        await t.ctx.db.selectFrom('structures').select('id').where(structureScope(user, action)).execute()
      ).map((r) => r.id);
    const all = (await t.ctx.db.selectFrom('structures').select('id').execute()).map((r) => r.id);
    const dep02 = (
      await t.ctx.db.selectFrom('structures').select('id').where('departement', '=', '02').execute()
    ).map((r) => r.id);
    const base = { structureIds: [], departement: null };
    expect(await ids({ ...base, id: agent.id, role: 'agent' }, 'structure.read_private')).toEqual([mine.id]);
    expect(await ids({ ...base, id: agent.id, role: 'agent' }, 'agents.manage')).toEqual([]);
    expect(
      (
        await ids(
          { ...base, id: 'x', role: 'animateur_departemental', departement: '02' },
          'structure.read_private',
        )
      ).sort(),
    ).toEqual(dep02.sort());
    expect(
      await ids({ ...base, id: 'x', role: 'animateur_departemental', departement: '02' }, 'structure.edit'),
    ).toEqual([]);
    expect((await ids({ ...base, id: 'x', role: 'national' }, 'structure.edit')).length).toBe(all.length);
    expect(await ids({ ...base, id: 'x', role: 'auditeur' }, 'structure.read_private')).toEqual([]);
    expect(await ids({ ...base, id: 'x', role: 'admin_technique' }, 'structure.read_private')).toEqual([]);
  });
});
