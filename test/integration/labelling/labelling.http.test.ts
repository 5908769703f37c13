import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPublishReferentiel } from '../../../src/cli/commands/labelling.js';
import { type Answer, Client, createUser } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { completeContent, DOCUMENT_CODES, EXE, makeStructure, PDF, PNG } from './support.js';

let t: TestApp;
const BASE = '/espace/labellisation';
let porteur: Client;
let autre: Client;
let animateur: Client;
let national: Client;
let auditeur: Client;
let auditeurId: string;
let campaignId: string;
let appId: string;

/** The flat form fields of the application form, from a content object. */
function formFields(c: ReturnType<typeof completeContent>, version: string): Record<string, string> {
  const f: Record<string, string> = {
    version,
    porteurKind: c.porteurKind,
    porteurName: c.porteurName,
    structureName: c.structureName,
    format: c.format,
    address: c.address,
    codeInsee: c.codeInsee,
    postalCode: c.postalCode,
    communeName: c.communeName,
    lat: String(c.lat),
    lon: String(c.lon),
    email: c.email,
    telephone: c.telephone,
  };
  for (const [d, v] of Object.entries(c.hours)) f[`hours_${d}`] = v;
  c.agents.forEach((a, i) => {
    f[`agent_name_${i}`] = a.name;
    f[`agent_trained_${i}`] = a.trainedOn;
  });
  for (const p of c.partners) f[`partner_${p}`] = '1';
  for (const [p, r] of Object.entries(c.referents)) f[`referent_${p}`] = r;
  return f;
}

async function uploadAs(
  client: Client,
  url: string,
  file: Buffer,
  filename: string,
  criterion = 'LOC-02',
  csrf = client.csrf,
  tokenInQuery = false,
): Promise<Answer> {
  const boundary = '----maillage-test-boundary';
  const payload = Buffer.concat([
    // The token is the form's first field, as the page's hidden input sends it (never in the URL).
    Buffer.from(
      tokenInQuery ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n`,
    ),
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="criterion"\r\n\r\n${criterion}\r\n`),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/pdf\r\n\r\n`,
    ),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const res = await t.app.inject({
    method: 'POST',
    url: tokenInQuery ? `${url}?_csrf=${encodeURIComponent(csrf)}` : url,
    headers: {
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      'content-type': `multipart/form-data; boundary=${boundary}`,
    },
    payload,
  });
  return {
    status: res.statusCode,
    body: res.body,
    headers: res.headers,
    location: res.headers.location as string | undefined,
  };
}

const versionIn = (body: string) => /name="version" value="(\d+)"/.exec(body)?.[1] ?? '';

beforeAll(async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'maillage-lab-http-'));
  t = await buildTestApp({ config: { dataDir, uploadMaxBytes: 64 * 1024 } });
  // The référentiel is published by decision (the CLI's `labelling publish-referentiel`), never on first read.
  await runPublishReferentiel(t.ctx);
  // The porteur's own structure: applications are filed in its department (finding 2, issue 9).
  const guise = await makeStructure(t.ctx.db, { departement: '02' });
  const users = {
    porteur: await createUser(t.ctx, { role: 'responsable', structureIds: [guise.id] }),
    autre: await createUser(t.ctx, { role: 'responsable' }),
    animateur: await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' }),
    national: await createUser(t.ctx, { role: 'national' }),
    auditeur: await createUser(t.ctx, { role: 'auditeur', name: 'Claire Auditrice' }),
  };
  auditeurId = users.auditeur.id;
  const login = async (u: { email: string }) => {
    const c = new Client(t.app);
    const r = await c.login(u.email);
    expect(r.status).toBe(303);
    return c;
  };
  porteur = await login(users.porteur);
  autre = await login(users.autre);
  animateur = await login(users.animateur);
  national = await login(users.national);
  auditeur = await login(users.auditeur);
});
afterAll(async () => {
  await t.close();
});

describe('labellisation pages', () => {
  it('anonymous visitors are sent to sign in; a porteur cannot open a campaign', async () => {
    const anon = new Client(t.app);
    expect((await anon.get(BASE)).location).toMatch(/^\/espace\/connexion/);
    await porteur.get('/espace');
    const r = await porteur.post(`${BASE}/campagnes`, {
      name: 'x',
      opensOn: '2026-11-01',
      closesOn: '2027-01-01',
      referentielVersion: '2025-06',
    });
    expect(r.status).toBe(404);
  });

  it('the nation opens a campaign; bad dates get a French refusal', async () => {
    const home = await national.get(BASE);
    expect(home.body).toContain('Ouvrir une campagne');
    const bad = await national.post(`${BASE}/campagnes`, {
      name: 'Campagne',
      opensOn: '2027-01-01',
      closesOn: '2026-01-01',
      departements: '02',
      referentielVersion: '2025-06',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('La clôture des dépôts précède l’ouverture.');
    const ok = await national.post(`${BASE}/campagnes`, {
      name: 'Campagne 2026-2027',
      opensOn: '2026-11-01',
      closesOn: '2027-03-31',
      departements: '02, 80',
      referentielVersion: '2025-06',
    });
    expect(ok.status).toBe(303);
    campaignId = ok.location?.split('/').pop() ?? '';
    expect((await national.get(ok.location ?? '')).body).toContain('Campagne 2026-2027');
  });

  it('the porteur starts, fills (with <script>), and uploads; the follow-up lists what is missing', async () => {
    const home = await porteur.get(BASE);
    expect(home.body).toContain('Commencer une candidature');
    const created = await porteur.post(`${BASE}/campagnes/${campaignId}/candidatures`, { departement: '02' });
    expect(created.status).toBe(303);
    appId = created.location?.split('/').at(-2) ?? '';
    const form = await porteur.get(created.location ?? '');
    expect(form.status).toBe(200);
    // unreadable hours: the form comes back with the message and what was typed
    const badHours = await porteur.post(`${BASE}/candidatures/${appId}/formulaire`, {
      ...formFields(completeContent(), versionIn(form.body)),
      hours_lundi: 'le matin',
    });
    expect(badHours.status).toBe(400);
    expect(badHours.body).toContain('Lundi : Horaires illisibles');
    expect(badHours.body).toContain('value="Commune de Guise"');
    const saved = await porteur.post(
      `${BASE}/candidatures/${appId}/formulaire`,
      formFields(completeContent({ porteurName: '<script>alert("x")</script>' }), versionIn(form.body)),
    );
    expect(saved.status).toBe(303);
    const follow = await porteur.get(`${BASE}/candidatures/${appId}`);
    expect(follow.body).toContain('la pièce justificative LOC-02');
    expect(follow.body).not.toContain('<script>alert');
    // a stale form save is a conflict
    const stale = await porteur.post(
      `${BASE}/candidatures/${appId}/formulaire`,
      formFields(completeContent(), versionIn(form.body)),
    );
    expect(stale.status).toBe(409);
    // filing while incomplete: refused with the list
    const early = await porteur.post(`${BASE}/candidatures/${appId}/transition`, { action: 'deposer' });
    expect(early.status).toBe(400);
    expect(early.body).toContain('Candidature incomplète');
  });

  it('uploads: wrong type, disguised type, too large and missing CSRF are refused, nothing stored', async () => {
    await porteur.get(`${BASE}/candidatures/${appId}`);
    const png = await uploadAs(porteur, `${BASE}/candidatures/${appId}/documents`, PNG, 'attestation.pdf');
    expect(png.status).toBe(415);
    expect(png.body).toContain('porte l’extension .pdf mais son contenu est une image PNG');
    const exe = await uploadAs(porteur, `${BASE}/candidatures/${appId}/documents`, EXE, 'attestation.pdf');
    expect(exe.status).toBe(415);
    expect(exe.body).toContain('programme Windows');
    const big = Buffer.concat([PDF, Buffer.alloc(70 * 1024, 0x20)]);
    const tooBig = await uploadAs(porteur, `${BASE}/candidatures/${appId}/documents`, big, 'gros.pdf');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body).toContain('Fichier trop volumineux');
    const noCsrf = await uploadAs(
      porteur,
      `${BASE}/candidatures/${appId}/documents`,
      PDF,
      'a.pdf',
      'LOC-02',
      'faux',
    );
    expect(noCsrf.status).toBe(403);
    // finding 11: the token in the URL (where the old forms put it) is no longer accepted.
    const inQuery = await uploadAs(
      porteur,
      `${BASE}/candidatures/${appId}/documents`,
      PDF,
      'a.pdf',
      'LOC-02',
      porteur.csrf,
      true,
    );
    expect(inQuery.status).toBe(403);
    expect(inQuery.body).toContain('Formulaire expiré');
    await autre.get('/espace');
    const other = await uploadAs(autre, `${BASE}/candidatures/${appId}/documents`, PDF, 'a.pdf');
    expect(other.status).toBe(404);
    expect((await porteur.get(`${BASE}/candidatures/${appId}`)).body).toContain('Aucune pièce déposée.');
  });

  it('documents are served only to authorised roles', async () => {
    for (const code of DOCUMENT_CODES) {
      const r = await uploadAs(porteur, `${BASE}/candidatures/${appId}/documents`, PDF, `${code}.pdf`, code);
      expect(r.status).toBe(303);
    }
    const page = await porteur.get(`${BASE}/candidatures/${appId}`);
    const docUrl = /href="(\/espace\/labellisation\/documents\/[0-9a-f-]+)"/.exec(page.body)?.[1] ?? '';
    const mine = await t.app.inject({
      url: docUrl,
      headers: { cookie: [...porteur.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-type']).toBe('application/pdf');
    expect(mine.headers['content-disposition']).toMatch(/^attachment/);
    expect((await animateur.get(docUrl)).status).toBe(200);
    expect((await autre.get(docUrl)).status).toBe(404);
    expect((await auditeur.get(docUrl)).status).toBe(404);
    expect((await new Client(t.app).get(docUrl)).status).toBe(303);
    // and nothing under the public asset prefix
    expect((await t.app.inject({ url: `/assets/app/../../../${docUrl.split('/').pop()}` })).statusCode).toBe(
      404,
    );
  });

  it('files, then the department declares it recevable; illegal jumps get a French 409', async () => {
    await porteur.get(`${BASE}/candidatures/${appId}`);
    expect(
      (await porteur.post(`${BASE}/candidatures/${appId}/transition`, { action: 'deposer' })).status,
    ).toBe(303);
    await national.get(`${BASE}/candidatures/${appId}`);
    const jump = await national.post(`${BASE}/candidatures/${appId}/transition`, { action: 'labelliser' });
    expect(jump.status).toBe(409);
    expect(jump.body).toContain('Action « Labelliser » impossible');
    expect(
      (await national.post(`${BASE}/candidatures/${appId}/transition`, { action: 'supprimer' })).body,
    ).toContain('Action « supprimer » inconnue');
    const page = await animateur.get(`${BASE}/candidatures/${appId}`);
    expect(page.body).toContain('Déclarer recevable');
    expect(
      (
        await animateur.post(`${BASE}/candidatures/${appId}/transition`, {
          action: 'declarer_recevable',
          version: versionIn(page.body),
        })
      ).status,
    ).toBe(303);
    const plan = await national.get(`${BASE}/candidatures/${appId}`);
    expect(plan.body).toContain('Claire Auditrice');
    expect(
      (
        await national.post(`${BASE}/candidatures/${appId}/transition`, {
          action: 'planifier_audit',
          auditorUserId: auditeurId,
          auditDate: '2026-12-01',
          version: versionIn(plan.body),
        })
      ).status,
    ).toBe(303);
  });

  it('the auditor fills the grid; a concurrent save is detected; the JSON save answers the new version', async () => {
    const home = await auditeur.get(BASE);
    const auditUrl = /href="(\/espace\/labellisation\/audits\/[0-9a-f-]+)"/.exec(home.body)?.[1] ?? '';
    const grid = await auditeur.get(auditUrl);
    expect(grid.status).toBe(200);
    expect(grid.body).toMatch(/labelling-grid\.[\w-]+\.js/);
    expect(grid.body).toContain('name="viewport"');
    const v0 = versionIn(grid.body);
    const codes = [...grid.body.matchAll(/name="verdict_([A-Z]{3}-\d{2})" value="conforme"/g)].map(
      (m) => m[1] as string,
    );
    expect(codes.length).toBeGreaterThan(25);
    const fields: Record<string, string> = { version: v0 };
    for (const c of codes) fields[`verdict_${c}`] = c === 'LOC-01' ? 'non_conforme' : 'conforme';
    fields.comment_LOC01 = '';
    fields['comment_LOC-01'] = 'Pas de bureau fermé <script>x</script>';
    expect((await auditeur.post(auditUrl, fields)).status).toBe(303);
    const stale = await auditeur.post(auditUrl, { ...fields, 'verdict_LOC-01': 'conforme' });
    expect(stale.status).toBe(409);
    expect(stale.body).toContain('La grille a été modifiée par ailleurs');
    const reloaded = await auditeur.get(auditUrl);
    expect(reloaded.body).toContain('Pas de bureau fermé &lt;script&gt;x&lt;/script&gt;');
    const json = await t.app.inject({
      method: 'POST',
      url: auditUrl,
      headers: {
        cookie: [...auditeur.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        accept: 'application/json',
        'x-csrf-token': auditeur.csrf,
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: new URLSearchParams({ version: versionIn(reloaded.body), 'comment_ACC-01': 'RAS' }).toString(),
    });
    expect(json.statusCode).toBe(200);
    expect(json.json()).toEqual({ version: Number(versionIn(reloaded.body)) + 1 });
    // another person cannot fill it
    expect((await animateur.post(auditUrl, fields)).status).toBe(404);
  });

  it('audit → non conforme → contre-visite → conforme → préfet → nation: the structure is in the directory, with a certificate', async () => {
    const step = async (who: Client, action: string, extra: Record<string, string> = {}) => {
      const page = await who.get(`${BASE}/candidatures/${appId}`);
      const r = await who.post(`${BASE}/candidatures/${appId}/transition`, {
        action,
        version: versionIn(page.body),
        ...extra,
      });
      expect(r.status, `${action}: ${/fr-text--lead">([^<]*)/.exec(r.body)?.[1]}`).toBe(303);
    };
    await step(auditeur, 'terminer_audit');
    await step(auditeur, 'declarer_non_conforme', { reason: 'LOC-01' });
    expect((await porteur.get(`${BASE}/candidatures/${appId}`)).body).toContain('Actions correctives');
    await step(national, 'planifier_contre_visite', { auditorUserId: auditeurId, auditDate: '2027-01-10' });
    const home = await auditeur.get(BASE);
    const urls = [
      ...home.body.matchAll(/href="(\/espace\/labellisation\/audits\/[0-9a-f-]+)">Audit de contre-visite/g),
    ].map((m) => m[1]);
    const cv = await auditeur.get(urls[0] ?? '');
    expect(
      (
        await auditeur.post(urls[0] ?? '', {
          version: versionIn(cv.body),
          'verdict_LOC-01': 'conforme',
          'comment_LOC-01': 'Bureau cloisonné',
        })
      ).status,
    ).toBe(303);
    await step(auditeur, 'terminer_audit');
    await step(auditeur, 'declarer_conforme');
    await step(animateur, 'proposer');
    await step(national, 'labelliser');
    const s = await t.ctx.db
      .selectFrom('structures')
      .selectAll()
      .where('name', '=', 'France Services de Guise')
      .executeTakeFirstOrThrow();
    expect(s.labelled_on).toBe('2026-11-24');
    const cert = await t.app.inject({
      url: `${BASE}/candidatures/${appId}/certificat.pdf`,
      headers: { cookie: [...porteur.cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    expect(cert.statusCode).toBe(200);
    expect(cert.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    const report = (await porteur.get(`${BASE}/candidatures/${appId}`)).body;
    expect(report).toContain('rapport (PDF)');
  });

  it('pipeline by department with filters and CSV; closing with open applications is refused', async () => {
    await porteur.get(BASE);
    await porteur.post(`${BASE}/campagnes/${campaignId}/candidatures`, { departement: '02' });
    const p = await animateur.get(`${BASE}/campagnes/${campaignId}?etat=labellisee`);
    expect(p.status).toBe(200);
    expect(p.body).toContain('France Services de Guise');
    const csv = await national.get(`${BASE}/campagnes/${campaignId}/export.csv?etat=labellisee`);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body).toContain('"labellisee"');
    expect((await porteur.get(`${BASE}/campagnes/${campaignId}`)).status).toBe(404);
    await national.get(`${BASE}/campagnes/${campaignId}`);
    const close = await national.post(`${BASE}/campagnes/${campaignId}/cloture`, {});
    expect(close.status).toBe(409);
    expect(close.body).toContain('encore en cours');
  });

  it('department and nation views list failing pre-checks and due audits', async () => {
    const dep = await animateur.get(`${BASE}/suivi?departement=80`);
    expect(dep.status).toBe(200);
    expect(dep.body).toContain('département 02');
    const nat = await national.get(`${BASE}/suivi`);
    expect(nat.body).toContain('France entière');
    expect((await porteur.get(`${BASE}/suivi`)).status).toBe(404);
  });
});
