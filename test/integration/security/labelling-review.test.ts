import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPublishReferentiel } from '../../../src/cli/commands/labelling.js';
import type { Principal } from '../../../src/domain/accounts/index.js';
import { Client, createUser } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { completeContent, DOCUMENT_CODES, makeStructure, PDF } from '../labelling/support.js';

/**
 * Regression tests for finding 2 of the security review (issue 9, docs/adr/0004-security-review.md) and for the
 * department of a responsable's application. The review's attack: a responsable of department 02 filed an
 * application carrying `idFs` 2125 (Abscon, 59); after the normal workflow, Abscon was renamed and moved to 02.
 */
const BASE = '/espace/labellisation';

describe('security review: labelling applications (finding 2 and the department of an application)', () => {
  let t: TestApp;
  let guise: string;
  let abscon: string;
  let responsable: Principal;
  let national: Principal;
  let animateur02: Principal;
  let auditeur: Principal;
  let emails: Record<'responsable' | 'animateur02' | 'animateur59' | 'national', string>;
  let campaignId: string;
  const principal = (
    u: { id: string; role: Principal['role']; departement: string | null },
    ids: string[] = [],
  ) => ({ id: u.id, role: u.role, departement: u.departement, structureIds: ids }) as Principal;

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'maillage-sec-lab-'));
    t = await buildTestApp({ config: { dataDir } });
    await runPublishReferentiel(t.ctx);
    guise = (
      await makeStructure(t.ctx.db, { idFs: 'T-GUISE', name: 'France services de Guise', departement: '02' })
    ).id;
    abscon = (
      await makeStructure(t.ctx.db, {
        idFs: '2125',
        name: 'France services Abscon',
        departement: '59',
        codeInsee: '59002',
        communeName: 'Abscon',
        postalCode: '59215',
        lat: 50.33,
        lon: 3.3,
      })
    ).id;
    const r = await createUser(t.ctx, { role: 'responsable', structureIds: [guise] });
    const n = await createUser(t.ctx, { role: 'national' });
    const a02 = await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' });
    const a59 = await createUser(t.ctx, { role: 'animateur_departemental', departement: '59' });
    const au = await createUser(t.ctx, { role: 'auditeur' });
    responsable = principal({ ...r, role: 'responsable' }, [guise]);
    national = principal({ ...n, role: 'national' });
    animateur02 = principal({ ...a02, role: 'animateur_departemental' });
    auditeur = principal({ ...au, role: 'auditeur' });
    emails = { responsable: r.email, animateur02: a02.email, animateur59: a59.email, national: n.email };
    campaignId = (
      await t.ctx.labelling.campaigns.openCampaign(national, {
        name: 'Campagne nationale 2026-2027',
        opensOn: '2026-11-01',
        closesOn: '2027-03-31',
        departements: [],
        referentielVersion: '2025-06',
      })
    ).id;
  });
  afterAll(async () => t?.close());

  const signedIn = async (email: string) => {
    const c = new Client(t.app);
    expect((await c.login(email)).status).toBe(303);
    await c.get(BASE);
    return c;
  };
  const applications = async () =>
    t.ctx.db.selectFrom('labelling_applications').select(['id', 'departement']).execute();
  const structure = (id: string) =>
    t.ctx.db.selectFrom('structures').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

  /** The whole workflow after the draft: documents, filing, review, audit (all conforme), proposal, label. */
  async function walkToLabel(id: string) {
    const svc = t.ctx.labelling;
    for (const code of DOCUMENT_CODES)
      await svc.applications.uploadDocument(responsable, id, code, PDF, `${code}.pdf`);
    await svc.transitions.transition(responsable, id, 'deposer');
    await svc.transitions.transition(animateur02, id, 'declarer_recevable');
    await svc.transitions.transition(national, id, 'planifier_audit', {
      auditorUserId: auditeur.id,
      auditDate: '2026-12-01',
    });
    const audit = (await svc.audits.auditsOf(auditeur)).find((a) => a.application_id === id);
    if (!audit) throw new Error('audit not planned');
    const criteria = await svc.audits.auditCriteria(audit);
    await svc.audits.saveGrid(
      auditeur,
      audit.id,
      criteria.map((c) => ({ code: c.code, verdict: 'conforme' })),
      audit.version,
    );
    await svc.transitions.transition(auditeur, id, 'terminer_audit');
    await svc.transitions.transition(auditeur, id, 'declarer_conforme');
    await svc.transitions.transition(animateur02, id, 'proposer');
    return svc.transitions.transition(national, id, 'labelliser');
  }

  it('finding 2: a department 02 responsable cannot file in department 59 (the review’s attack), nothing is created', async () => {
    const c = await signedIn(emails.responsable);
    const before = (await applications()).length;
    const attack = await c.post(`${BASE}/campagnes/${campaignId}/candidatures`, { departement: '59' });
    expect(attack.status).toBe(404);
    expect(attack.body).toContain('lang="fr"');
    expect(attack.body).toContain('Aucune de vos structures n’est dans le département 59');
    // Naming Abscon as the structure to renew, by its uuid or by its id_fs: not found either.
    for (const renouvellement of [abscon, '2125', '<script>alert(1)</script>', 'x'.repeat(64)]) {
      const r = await c.post(`${BASE}/campagnes/${campaignId}/candidatures`, {
        departement: '59',
        renouvellement,
      });
      expect(r.status, renouvellement).toBe(404);
      expect(r.body).toContain('Structure à renouveler introuvable');
      expect(r.body).not.toContain('<script>alert(1)');
    }
    // Hostile shapes get a French 400, never a 500.
    const hostile: Record<string, string>[] = [
      { departement: '999' },
      { departement: 'x'.repeat(6) },
      { renouvellement: 'y'.repeat(65) },
    ];
    for (const fields of hostile) {
      const r = await c.post(`${BASE}/campagnes/${campaignId}/candidatures`, fields);
      expect(r.status, JSON.stringify(fields)).toBe(400);
      expect(r.body).toContain('Rien n’a été enregistré');
    }
    expect((await applications()).length).toBe(before);
    // An animateur files for nobody: the policy gives them no `application.file` (a French refusal, nothing created).
    const anim = await signedIn(emails.animateur59);
    const refused = await anim.post(`${BASE}/campagnes/${campaignId}/candidatures`, { departement: '59' });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('lang="fr"');
    expect((await applications()).length).toBe(before);
  });

  it('finding 2: idFs 2125 (Abscon, 59) in the content of an application of 02 never touches Abscon', async () => {
    const abs = await structure(abscon);
    const c = await signedIn(emails.responsable);
    const home = await c.get(BASE);
    // The form offers only the departments and structures of the responsable.
    expect(home.body).toContain('Renouvellement : France services de Guise (n° T-GUISE');
    expect(home.body).not.toContain('Abscon');
    const created = await c.post(`${BASE}/campagnes/${campaignId}/candidatures`, { departement: '02' });
    expect(created.status).toBe(303);
    const id = created.location?.split('/').at(-2) ?? '';
    const form = await c.get(created.location ?? '');
    expect(form.body).toContain('Nouvelle structure');
    expect(form.body).not.toContain('name="idFs"');
    // The attack's content, as stored JSON (an old draft, or a crafted request), names Abscon's id_fs.
    const a = await t.ctx.labelling.applications.application(responsable, id);
    await t.ctx.labelling.applications.saveContent(
      responsable,
      id,
      completeContent({ idFs: '2125', structureName: 'France services Abscon (détournée)' }),
      a.version,
    );
    const done = await walkToLabel(id);
    expect(done.state).toBe('labellisee');
    expect(done.structureId).not.toBe(abscon);
    const created2 = await structure(done.structureId as string);
    expect(created2).toMatchObject({ departement: '02', name: 'France services Abscon (détournée)' });
    expect(created2.id_fs).toMatch(/^FS-2026-[0-9a-f]{8}$/);
    // Abscon: same name, same department, same version; department 59 keeps it.
    expect(await structure(abscon)).toMatchObject({
      name: abs.name,
      departement: '59',
      version: abs.version,
      id_fs: '2125',
    });
    const anim59 = await signedIn(emails.animateur59);
    expect((await anim59.get(`/espace/structures/${abscon}`)).status).toBe(200);
  });

  it('finding 2: renewing is explicit, scoped, shown on every review page, and updates that structure in place', async () => {
    const c = await signedIn(emails.responsable);
    // A renewal belongs in the structure's own department.
    const wrongDep = await c.post(`${BASE}/campagnes/${campaignId}/candidatures`, {
      departement: '59',
      renouvellement: guise,
    });
    expect(wrongDep.status).toBe(400);
    expect(wrongDep.body).toContain('est dans le département 02');
    const created = await c.post(`${BASE}/campagnes/${campaignId}/candidatures`, {
      departement: '02',
      renouvellement: guise,
    });
    expect(created.status).toBe(303);
    const id = created.location?.split('/').at(-2) ?? '';
    const a = await t.ctx.labelling.applications.application(responsable, id);
    expect(a).toMatchObject({ renewsStructureId: guise, departement: '02' });
    await t.ctx.labelling.applications.saveContent(
      responsable,
      id,
      completeContent({ structureName: 'France services de Guise (renouvelée)' }),
      a.version,
    );
    // Every reviewer sees what the label will do: the follow-up page and the department's list.
    const anim = await signedIn(emails.animateur02);
    const follow = await anim.get(`${BASE}/candidatures/${id}`);
    expect(follow.status).toBe(200);
    expect(follow.body).toContain('Candidature de <strong>renouvellement</strong> de la structure existante');
    expect(follow.body).toContain('n° T-GUISE');
    const pipeline = await anim.get(`${BASE}/campagnes/${campaignId}?departement=02`);
    expect(pipeline.body).toContain('<td>Renouvellement</td>');
    expect(pipeline.body).toContain('<td>Nouvelle structure</td>');
    const count = (await t.ctx.db.selectFrom('structures').select('id').execute()).length;
    const done = await walkToLabel(id);
    expect(done).toMatchObject({ state: 'labellisee', structureId: guise });
    expect(await structure(guise)).toMatchObject({
      id_fs: 'T-GUISE',
      departement: '02',
      name: 'France services de Guise (renouvelée)',
      labelled_on: '2026-11-24',
    });
    expect((await t.ctx.db.selectFrom('structures').select('id').execute()).length).toBe(count);
    const log = await t.ctx.db
      .selectFrom('audit_log')
      .select(['action'])
      .where('entity_id', '=', guise)
      .where('action', '=', 'labelling.renouveler')
      .execute();
    expect(log).toHaveLength(1);
    // The audit grid says it too.
    const audit = (await t.ctx.labelling.audits.auditsOf(auditeur)).find((x) => x.application_id === id);
    const grid = await (await signedIn(emails.national)).get(`${BASE}/audits/${audit?.id}`);
    expect(grid.status).toBe(200);
    expect(grid.body).toContain(
      'France services de Guise (renouvelée) (renouvellement de la structure n° T-GUISE)',
    );
  });
});
