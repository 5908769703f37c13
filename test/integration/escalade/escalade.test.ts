import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_VERSION } from '../../../src/domain/escalade/index.js';
import { type Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { createReferent, EXE, PDF, signedIn, upload } from './support.js';

/**
 * Escalade through HTTP (issue 13, steps 3–4): creation with consent, the thread, statuses under a version
 * check, reassignment, attachments, and the 404 matrix across roles for a case, a message and an attachment.
 * The clock is frozen on Tuesday 24 November 2026, 10:30 in Saint-Quentin (Aisne).
 */
let t: TestApp;
const clients: Record<string, Client> = {};
let caseId = '';
let pieceId = '';
let fsA: { id: string };

const form = (over: Record<string, string | null> = {}) => ({
  structure: fsA.id,
  partenaire: 'caf',
  nom: 'Martin',
  prenom: 'Léa',
  date_naissance: '1980-05-17',
  numero_partenaire: '7654321',
  objet: 'Prime d’activité suspendue',
  message: 'Bonjour, <b>le dossier</b> est bloqué <script>alert(1)</script> depuis mars.',
  consentement: 'oui',
  consent_version: CONSENT_VERSION,
  ...over,
});

beforeAll(async () => {
  t = await buildTestApp({ config: { dataDir: await mkdtemp(join(tmpdir(), 'maillage-escalade-')) } });
  fsA = await insertStructure(t.ctx, { departement: '02' });
  const fsB = await insertStructure(t.ctx, { departement: '02' });
  const users = {
    agentA: await createUser(t.ctx, { role: 'agent', structureIds: [fsA.id], password: null }),
    agentB: await createUser(t.ctx, { role: 'agent', structureIds: [fsB.id], password: null }),
    responsableA: await createUser(t.ctx, { role: 'responsable', structureIds: [fsA.id], password: null }),
    caf02: await createReferent(t.ctx, { partenaire: 'caf', departements: ['02'], coordinateur: false }),
    caf80: await createReferent(t.ctx, { partenaire: 'caf', departements: ['80'], coordinateur: false }),
    dgfip02: await createReferent(t.ctx, { partenaire: 'dgfip', departements: ['02'], coordinateur: false }),
    cafNational: await createReferent(t.ctx, { partenaire: 'caf', departements: [], coordinateur: true }),
    animateur02: await createUser(t.ctx, {
      role: 'animateur_departemental',
      departement: '02',
      password: null,
    }),
    animateur80: await createUser(t.ctx, {
      role: 'animateur_departemental',
      departement: '80',
      password: null,
    }),
    national: await createUser(t.ctx, { role: 'national', password: null }),
    auditeur: await createUser(t.ctx, { role: 'auditeur', password: null }),
    admin: await createUser(t.ctx, { role: 'admin_technique', password: null }),
  };
  for (const [k, u] of Object.entries(users)) clients[k] = await signedIn(t.ctx, t.app, u.id);
});
afterAll(async () => t?.close());

const c = (k: string) => clients[k] as Client;

describe('an agent files a case, with the person’s consent', () => {
  it('the form states what is collected, why, and the retention', async () => {
    const page = await c('agentA').get('/espace/escalade/nouveau');
    expect(page.status).toBe(200);
    expect(page.body).toContain('Ce qui est recueilli');
    expect(page.body).toContain('six mois après la clôture');
    expect(page.body).toContain('jamais son numéro de sécurité sociale');
  });

  it('refuses without consent, with a social security number, or with hostile input; nothing is saved', async () => {
    const cases: Array<[Record<string, string | null>, RegExp]> = [
      [{ consentement: null }, /Cochez la case/],
      [{ numero_partenaire: '1 80 05 75 108 123 45' }, /numéro de sécurité sociale/],
      [{ nom: '<img src=x onerror=alert(1)>' }, /que des lettres/],
      [{ date_naissance: 'Infinity' }, /date de naissance/],
      [{ partenaire: 'autre' }, /partenaire concerné/],
      [{ structure: '00000000-0000-0000-0000-000000000000' }, /une de vos structures/],
      [{ message: 'x'.repeat(6000) }, /5000 caractères/],
      [{ consent_version: '2019-v0' }, /relisez-le/],
      [{ nom: 'x'.repeat(300) }, /trop long ou mal formé/],
    ];
    for (const [over, message] of cases) {
      const r = await c('agentA').post('/espace/escalade/nouveau', form(over));
      expect(r.status, JSON.stringify(over).slice(0, 60)).toBe(400);
      expect(r.body).toMatch(message);
      if (!message.source.includes('trop long')) expect(r.body).toContain('fr-error-text');
      expect(r.body).not.toContain('<img src=x');
    }
    expect((await c('agentA').get('/espace/escalade')).body).toContain('Aucun dossier');
  });

  it('files the case: the page shows it, the first message is escaped, deadlines on the commune’s clock', async () => {
    const r = await c('agentA').post('/espace/escalade/nouveau', form());
    expect(r.status).toBe(303);
    caseId = /\/espace\/escalade\/([0-9a-f-]{36})/.exec(r.location ?? '')?.[1] ?? '';
    expect(caseId).not.toBe('');
    const page = await c('agentA').get(`/espace/escalade/${caseId}`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page.body).not.toContain('<script>alert(1)');
    // Tuesday 24 November 10:30 + 72 business hours = Friday 27 November 10:30 (Paris time).
    expect(page.body).toMatch(/27 novembre 2026 (à )?10:30/);
    const audit = await t.ctx.db
      .selectFrom('audit_log')
      .selectAll()
      .where('entity_id', '=', caseId)
      .execute();
    expect(audit.map((a) => a.action)).toEqual(['dossier.create']);
    expect(JSON.stringify(audit[0]?.after)).not.toContain('Martin');
  });
});

describe('who sees what: 404 outside the scope, for a case, a message and an attachment', () => {
  it('the agent attaches a PDF; a program is refused from its content; no token, no upload', async () => {
    expect(
      (await upload(t.app, c('agentA'), `/espace/escalade/${caseId}/pieces`, PDF, 'avis.pdf')).status,
    ).toBe(303);
    const exe = await upload(t.app, c('agentA'), `/espace/escalade/${caseId}/pieces`, EXE, 'avis.pdf');
    expect(exe.status).toBe(415);
    expect(exe.body).toContain('programme Windows');
    expect(
      (await upload(t.app, c('agentA'), `/espace/escalade/${caseId}/pieces`, PDF, 'a.pdf', null)).status,
    ).toBe(403);
    const row = await t.ctx.db
      .selectFrom('dossier_attachments')
      .select('id')
      .where('dossier_id', '=', caseId)
      .execute();
    expect(row).toHaveLength(1);
    pieceId = row[0]?.id ?? '';
  });

  const SEES = ['agentA', 'responsableA', 'caf02', 'cafNational'];
  const DOES_NOT = [
    'agentB',
    'caf80',
    'dgfip02',
    'animateur02',
    'animateur80',
    'national',
    'auditeur',
    'admin',
  ];

  it.each(SEES)('%s reads the case, its attachment, and may write to it', async (k) => {
    expect((await c(k).get(`/espace/escalade/${caseId}`)).status).toBe(200);
    const piece = await c(k).get(`/espace/escalade/${caseId}/pieces/${pieceId}`);
    expect(piece.status).toBe(200);
    expect(piece.headers['content-type']).toBe('application/pdf');
    expect(piece.headers['content-disposition']).toMatch(/^attachment/);
  });

  it.each(DOES_NOT)('%s gets 404 on the case, a message, a note, a status, an attachment', async (k) => {
    const before = await t.ctx.db.selectFrom('dossier_messages').select('id').execute();
    await c(k).get('/espace');
    const answers = [
      await c(k).get(`/espace/escalade/${caseId}`),
      await c(k).get(`/espace/escalade/${caseId}/pieces/${pieceId}`),
      await c(k).post(`/espace/escalade/${caseId}/messages`, { message: 'intrus' }),
      await c(k).post(`/espace/escalade/${caseId}/notes`, { note: 'intrus' }),
      await c(k).post(`/espace/escalade/${caseId}/statut`, { statut: 'clos', version: '1' }),
      await c(k).post(`/espace/escalade/${caseId}/reassigner`, {
        partenaire: 'msa',
        departement: '02',
        version: '1',
      }),
      await upload(t.app, c(k), `/espace/escalade/${caseId}/pieces`, PDF, 'x.pdf'),
    ];
    expect(answers.map((a) => a.status)).toEqual([404, 404, 404, 404, 404, 404, 404]);
    for (const a of answers) expect(a.body).not.toContain('Martin');
    expect(await t.ctx.db.selectFrom('dossier_messages').select('id').execute()).toHaveLength(before.length);
  });

  it('lists: the agent’s structure and the CAF référents of the Aisne see it; others do not', async () => {
    for (const k of SEES) expect((await c(k).get('/espace/escalade')).body, k).toContain('Martin');
    for (const k of ['agentB', 'caf80', 'dgfip02'])
      expect((await c(k).get('/espace/escalade')).body, k).not.toContain('Martin');
  });

  it('animateurs and the national team see counts, never contents', async () => {
    const anim = await c('animateur02').get('/espace/escalade/suivi?departement=02');
    expect(anim.status).toBe(200);
    expect(anim.body).toMatch(/<strong>1<\/strong> dossier\(s\) ouverts/);
    expect(anim.body).not.toContain('Martin');
    expect(anim.body).not.toContain('Prime d’activité');
    expect((await c('animateur80').get('/espace/escalade/suivi?departement=02')).status).toBe(404);
    const nat = await c('national').get('/espace/escalade/suivi');
    expect(nat.status).toBe(200);
    expect(nat.body).not.toContain('Martin');
    expect((await c('agentA').get('/espace/escalade/suivi')).status).toBe(404);
  });

  it('an unknown, malformed or hostile id is a 404 page in French', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'x', '%3Cscript%3E', '1'.repeat(64)]) {
      const r = await c('agentA').get(`/espace/escalade/${id}`);
      expect(r.status, id).toBe(404);
      expect(r.body).toContain('introuvable');
    }
  });
});

describe('the référent answers; statuses under a version check; reassignment', () => {
  it('a référent’s message is the first answer, and is escaped on both sides', async () => {
    await c('caf02').get(`/espace/escalade/${caseId}`);
    const r = await c('caf02').post(`/espace/escalade/${caseId}/messages`, {
      message: 'Dossier débloqué <i>ce jour</i>.',
    });
    expect(r.status).toBe(303);
    const row = await t.ctx.db
      .selectFrom('dossiers')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(row.first_answer_at?.toISOString()).toBe('2026-11-24T09:30:00.000Z');
    expect(row.first_answer_bh).toBe(0);
    expect((await c('agentA').get(`/espace/escalade/${caseId}`)).body).toContain(
      '&lt;i&gt;ce jour&lt;/i&gt;',
    );
  });

  it('notes stay on their side', async () => {
    await c('caf02').post(`/espace/escalade/${caseId}/notes`, { note: 'Note côté CAF' });
    await c('agentA').post(`/espace/escalade/${caseId}/notes`, { note: 'Note côté guichet' });
    const agent = (await c('agentA').get(`/espace/escalade/${caseId}`)).body;
    const ref = (await c('caf02').get(`/espace/escalade/${caseId}`)).body;
    expect(agent).toContain('Note côté guichet');
    expect(agent).not.toContain('Note côté CAF');
    expect(ref).toContain('Note côté CAF');
    expect(ref).not.toContain('Note côté guichet');
  });

  it('two status changes from the same version: one wins, the other gets a clear 409; nothing half-saved', async () => {
    const page = await c('caf02').get(`/espace/escalade/${caseId}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const [a, b] = await Promise.all([
      c('caf02').post(`/espace/escalade/${caseId}/statut`, { statut: 'en_cours', version }),
      c('cafNational').post(`/espace/escalade/${caseId}/statut`, { statut: 'repondu', version }),
    ]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.body).toContain('vient d’être modifié par quelqu’un d’autre');
    const events = await t.ctx.db
      .selectFrom('dossier_events')
      .selectAll()
      .where('dossier_id', '=', caseId)
      .where('kind', '=', 'statut')
      .execute();
    expect(events).toHaveLength(1);
    const audits = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', caseId)
      .where('action', '=', 'dossier.status')
      .execute();
    expect(audits).toHaveLength(1);
  });

  it('refuses a stale version, an impossible transition and hostile values with French messages', async () => {
    expect(
      (await c('caf02').post(`/espace/escalade/${caseId}/statut`, { statut: 'clos', version: '1' })).status,
    ).toBe(409);
    expect(
      (await c('caf02').post(`/espace/escalade/${caseId}/statut`, { statut: 'clos', version: 'Infinity' }))
        .status,
    ).toBe(400);
    expect(
      (await c('caf02').post(`/espace/escalade/${caseId}/statut`, { statut: 'perdu', version: '2' })).body,
    ).toContain('Choisissez un statut');
    const agent = await c('agentA').get(`/espace/escalade/${caseId}`);
    const version = /name="version" value="(\d+)"/.exec(agent.body)?.[1] ?? '';
    const r = await c('agentA').post(`/espace/escalade/${caseId}/statut`, { statut: 'nouveau', version });
    expect(r.status).toBe(400);
    expect(r.body).toContain('n’est pas possible pour l’agent');
  });

  it('a reassigned case leaves the former référent’s list at once, and becomes 404 for them', async () => {
    const page = await c('caf02').get(`/espace/escalade/${caseId}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    const bad = await c('caf02').post(`/espace/escalade/${caseId}/reassigner`, {
      partenaire: 'dgfip',
      departement: '999',
      version,
    });
    expect(bad.status).toBe(400);
    const r = await c('caf02').post(`/espace/escalade/${caseId}/reassigner`, {
      partenaire: 'dgfip',
      departement: '02',
      version,
    });
    expect([r.status, r.location]).toEqual([303, '/espace/escalade?message=reassigne']);
    expect((await c('caf02').get('/espace/escalade')).body).not.toContain('Martin');
    expect((await c('caf02').get(`/espace/escalade/${caseId}`)).status).toBe(404);
    expect((await c('dgfip02').get('/espace/escalade')).body).toContain('Martin');
    expect((await c('agentA').get(`/espace/escalade/${caseId}`)).body).toContain('Réorienté de');
    const audits = await t.ctx.db
      .selectFrom('audit_log')
      .select('action')
      .where('entity_id', '=', caseId)
      .orderBy('id')
      .execute();
    expect(audits.map((a) => a.action)).toEqual(
      expect.arrayContaining(['dossier.create', 'dossier.message', 'dossier.status', 'dossier.reassign']),
    );
  });

  it('the agent closes it; a closed case takes no more messages', async () => {
    const page = await c('agentA').get(`/espace/escalade/${caseId}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    expect(
      (await c('agentA').post(`/espace/escalade/${caseId}/statut`, { statut: 'clos', version })).status,
    ).toBe(303);
    const row = await t.ctx.db
      .selectFrom('dossiers')
      .selectAll()
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(row.statut).toBe('clos');
    expect(row.close_bh).toBe(0);
    expect(
      (await c('dgfip02').post(`/espace/escalade/${caseId}/messages`, { message: 'encore' })).status,
    ).toBe(409);
  });
});

describe('référents: who they are, who names them', () => {
  it('an agent sees, per partner, the current référents of their department; missing ones are flagged', async () => {
    const r = await c('agentA').get('/espace/escalade/referents');
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/département 02/);
    expect(r.body).toContain('Aucun référent');
    expect(r.body).not.toContain('Nommer un référent');
    expect((await c('agentA').get('/espace/escalade/referents?departement=80')).status).toBe(404);
  });

  it('the animateur names a référent for their department only; the coordinator is the national team’s', async () => {
    await c('animateur02').get('/espace/escalade/referents');
    const ok = await c('animateur02').post('/espace/escalade/referents', {
      email: 'referente.msa@example.fr',
      partenaire: 'msa',
      departements: '02',
    });
    expect(ok.status).toBe(303);
    const scope = await t.ctx.db
      .selectFrom('users as u')
      .innerJoin('user_partner_scopes as s', 's.user_id', 'u.id')
      .select(['u.role', 's.partenaire', 's.departements', 's.coordinateur'])
      .where('u.email', '=', 'referente.msa@example.fr')
      .executeTakeFirstOrThrow();
    expect(scope).toEqual({
      role: 'referent_partenaire',
      partenaire: 'msa',
      departements: ['02'],
      coordinateur: false,
    });
    const other = await c('animateur02').post('/espace/escalade/referents', {
      email: 'x@example.fr',
      partenaire: 'msa',
      departements: '02, 80',
    });
    expect(other.status).toBe(400);
    expect(other.body).toContain('département 80');
    const coord = await c('animateur02').post('/espace/escalade/referents', {
      email: 'y@example.fr',
      partenaire: 'msa',
      departements: '02',
      coordinateur: 'oui',
    });
    expect(coord.status).toBe(400);
    expect(coord.body).toContain('Seule l’équipe nationale');
    await c('national').get('/espace/escalade/referents?departement=02');
    const nat = await c('national').post('/espace/escalade/referents', {
      email: 'coord.msa@example.fr',
      partenaire: 'msa',
      departements: '',
      coordinateur: 'oui',
    });
    expect(nat.status).toBe(303);
    expect(
      (
        await c('agentA').post('/espace/escalade/referents', {
          email: 'z@example.fr',
          partenaire: 'msa',
          departements: '02',
        })
      ).status,
    ).toBe(404);
  });

  it('the generic invitation form does not create a référent without a scope', async () => {
    await c('national').get('/espace/inviter');
    const r = await c('national').post('/espace/inviter', {
      email: 'sans.scope@example.fr',
      role: 'referent_partenaire',
      departement: '',
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('Référents des partenaires');
  });

  it('the national team sees which departments lack a référent', async () => {
    const r = await c('national').get('/espace/escalade/suivi');
    expect(r.body).toContain('Départements sans référent');
    expect(r.body).toMatch(/href="\/espace\/escalade\/referents\?departement=02"/);
  });

  it('the home page links each role to what it may use', async () => {
    expect((await c('agentA').get('/espace')).body).toContain('/espace/escalade"');
    expect((await c('caf02').get('/espace')).body).toContain('/espace/escalade"');
    expect((await c('animateur02').get('/espace')).body).toContain('/espace/escalade/suivi?departement=02');
    expect((await c('national').get('/espace')).body).toContain('/espace/escalade/chiffres');
    expect((await c('animateur02').get('/espace/departements/02')).body).toContain(
      '/espace/escalade/suivi?departement=02',
    );
    expect((await c('national').get('/espace/national')).body).toContain('href="/espace/escalade/suivi"');
  });
});

describe('figures per partner × department (national team and partner coordinators)', () => {
  it('the national team sees every partner; counts, shares and medians, no names', async () => {
    const r = await c('national').get('/espace/escalade/chiffres?du=2026-11-01&au=2026-11-30');
    expect(r.status).toBe(200);
    expect(r.body).toContain('Finances publiques');
    expect(r.body).toContain('Répondus sous 72 h ouvrées');
    expect(r.body).not.toContain('Martin');
  });

  it('a coordinator sees their own partner only, whatever they ask; other référents and agents get 404', async () => {
    const r = await c('cafNational').get('/espace/escalade/chiffres?partenaire=dgfip');
    expect(r.status).toBe(200);
    expect(r.body).not.toContain('<td>Finances publiques');
    for (const k of ['caf02', 'agentA', 'animateur02', 'auditeur'])
      expect((await c(k).get('/espace/escalade/chiffres')).status, k).toBe(404);
  });

  it('hostile dates and periods answer a French message, never a 500', async () => {
    for (const q of ['du=Infinity', 'du=2026-13-45', 'au=%3Cscript%3E', `du=${'9'.repeat(30)}`]) {
      const r = await c('national').get(`/espace/escalade/chiffres?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.body).not.toContain('<script>');
    }
    const long = await c('national').get('/espace/escalade/chiffres?du=2020-01-01&au=2026-11-30');
    expect(long.status).toBe(400);
    expect(long.body).toContain('un an au plus');
  });
});
