import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, insertStructure } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';

/** Dashboards (issue 14, steps 3–4): each role its scope, charts with tables, CSV, hostile input. */
let t: TestApp;
let s02: { id: string; idFs: string };
let s75: { id: string; idFs: string };
const clients: Record<string, Client> = {};

beforeAll(async () => {
  t = await buildTestApp({ now: '2026-11-24T09:30:00Z' });
  s02 = await insertStructure(t.ctx, { departement: '02' });
  s75 = await insertStructure(t.ctx, { departement: '75' });
  const items = (idFs: string, n: number, canal: string, partenaire: string) =>
    Array.from({ length: n }, (_, i) => ({
      id: randomUUID(),
      id_fs: idFs,
      debut: `2026-0${3 + (i % 3)}-1${i % 7}T09:00:00Z`,
      duree_min: 10 + i,
      canal,
      partenaire,
      resultat: 'resolu',
    }));
  for (const batch of [
    items(s02.idFs, 12, 'guichet', 'caf'),
    items(s02.idFs, 4, 'telephone', 'ants'),
    items(s75.idFs, 9, 'visio', 'dgfip'),
  ])
    await t.ctx.accompagnement.writeBatch({ kind: 'operator' }, batch, { mode: 'api', source: 'test' });
  const users = {
    agent: await createUser(t.ctx, { role: 'agent', structureIds: [s02.id] }),
    responsable: await createUser(t.ctx, { role: 'responsable', structureIds: [s02.id] }),
    animateur: await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' }),
    national: await createUser(t.ctx, { role: 'national' }),
    auditeur: await createUser(t.ctx, { role: 'auditeur' }),
  };
  let ip = 20;
  for (const [k, u] of Object.entries(users)) {
    clients[k] = new Client(t.app, `192.0.2.${ip++}`);
    await clients[k]?.login(u.email);
  }
});
afterAll(async () => t.close());

const c = (k: string) => clients[k] as Client;
const range = 'du=2026-01-01&au=2026-11-24';

describe('dashboards by role', () => {
  it('a manager lands on their structure: charts with their tables, remote share, time spent', async () => {
    const r = await c('responsable').get(`/espace/pilotage?${range}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatch(/<title>[^<]*Pilotage/);
    expect(r.body).toContain('role="img"');
    expect(r.body).toMatch(/<svg[^>]+aria-labelledby="g-partenaire-titre-\d+ g-partenaire-desc-\d+"/);
    expect(r.body).toMatch(/<caption>Activité par partenaire/);
    expect(r.body).toContain('25 %'); // 4 telephone of 16
    expect(r.body).toMatch(/16<\/p><p>accompagnements/);
    expect(r.body).toContain('Indicateurs de crise, par semaine');
    expect(r.body).not.toContain('dgfip'); // the other department's structure is not there
  });

  it('an agent sees their structure, not the department; an auditor sees nothing', async () => {
    expect((await c('agent').get(`/espace/pilotage?${range}`)).status).toBe(200);
    expect((await c('agent').get(`/espace/pilotage?territoire=dep:02&${range}`)).status).toBe(404);
    expect(
      (await c('auditeur').get(`/espace/pilotage?territoire=structure:${s02.idFs}&${range}`)).status,
    ).toBe(404);
    expect((await c('auditeur').get(`/espace/pilotage?${range}`)).status).toBe(404);
  });

  it('an animateur sees their department, not another, not a region', async () => {
    const r = await c('animateur').get(`/espace/pilotage?${range}`);
    expect(r.status).toBe(200);
    expect(r.body).toContain('Aisne (02)');
    expect((await c('animateur').get(`/espace/pilotage?territoire=dep:75&${range}`)).status).toBe(404);
    expect((await c('animateur').get(`/espace/pilotage?territoire=reg:32&${range}`)).status).toBe(404);
    expect(
      (await c('animateur').get(`/espace/pilotage?territoire=structure:${s75.idFs}&${range}`)).status,
    ).toBe(404);
  });

  it('the national team sees France with links to regions, and a region with its departments', async () => {
    const fr = await c('national').get(`/espace/pilotage?${range}`);
    expect(fr.status).toBe(200);
    expect(fr.body).toContain('France entière');
    expect(fr.body).toMatch(/>25<\/p><p>accompagnements/);
    expect(fr.body).toContain('territoire=reg%3A32');
    const reg = await c('national').get(`/espace/pilotage?territoire=reg:32&${range}`);
    expect(reg.body).toContain('Hauts-de-France');
    expect(reg.body).toContain('territoire=dep%3A02');
  });

  it('links from /espace and the national dashboard', async () => {
    expect((await c('national').get('/espace')).body).toContain('href="/espace/pilotage"');
    expect((await c('national').get('/espace/national')).body).toContain('/espace/pilotage?territoire=FR');
    expect((await c('auditeur').get('/espace')).body).not.toContain('/espace/pilotage');
  });
});

describe('escalation and appointment sections', () => {
  it("count only the territory's cases and appointments, with the 72-hour share and the missed rate", async () => {
    const responsable = (
      await t.ctx.db
        .selectFrom('users')
        .select('id')
        .where('role', '=', 'responsable')
        .executeTakeFirstOrThrow()
    ).id;
    const motif = await t.ctx.rendezvous.createMotif(
      { id: responsable, role: 'responsable', structureIds: [s02.id], departement: null },
      s02.id,
      {
        label: 'Aide en ligne',
        durationMin: 30,
        channel: 'sur_place',
        partner: '',
        minNoticeMin: 60,
        maxNoticeDays: 56,
        bookableOnline: false,
      },
    );
    const dossier = (
      structureId: string,
      departement: string,
      partenaire: string,
      firstAnswerBh: number | null,
    ) =>
      sql`insert into dossiers (structure_id, commune, departement, partenaire, statut, filed_at, reminder_due,
            first_answer_due, resolution_due, first_answer_at, first_answer_bh, updated_at)
          values (${structureId}, '02691', ${departement}, ${partenaire}, 'repondu', '2026-05-04T08:00:00Z',
            '2026-05-06T08:00:00Z', '2026-05-07T08:00:00Z', '2026-06-01T08:00:00Z',
            ${firstAnswerBh === null ? null : '2026-05-05T08:00:00Z'}, ${firstAnswerBh}, now())`.execute(
        t.ctx.db,
      );
    await dossier(s02.id, '02', 'caf', 10); // within 72 business hours
    await dossier(s02.id, '02', 'caf', 90); // late
    await dossier(s02.id, '02', 'dgfip', 30);
    await dossier(s75.id, '75', 'caf', 5); // another department: never counted for 02
    const rdv = (structureId: string, statut: string, day: string) =>
      sql`insert into rendezvous (structure_id, motif_id, agent_id, debut, fin, statut, origine)
          values (${structureId}, ${motif.id}, ${responsable}, ${`${day}T08:00:00Z`}, ${`${day}T08:30:00Z`}, ${statut}, 'agent')`.execute(
        t.ctx.db,
      );
    for (const [statut, day] of [
      ['honore', '2026-06-01'],
      ['honore', '2026-06-02'],
      ['absent', '2026-06-03'],
      ['excuse', '2026-06-04'],
      ['annule', '2026-06-05'], // cancelled: not counted
      ['confirme', '2026-12-10'], // still to come: not counted
    ] as const)
      await rdv(s02.id, statut, day);
    await rdv(s75.id, 'absent', '2026-06-01'); // another department

    const page = (await c('animateur').get(`/espace/pilotage?territoire=dep:02&${range}`)).body;
    expect(page).toContain('Escalades vers les partenaires');
    expect(page).toMatch(/3<\/p><p>dossiers transmis/);
    expect(page).toMatch(/66,7 %<\/p><p>de premières réponses en 72 h ouvrées \(2 sur 3\)/);
    expect(page).toMatch(
      /<th scope="row">Caisse d’allocations familiales \(CAF\)<\/th><td>2<\/td><td>2<\/td><td>1<\/td><td>50 %<\/td><td>50 h<\/td>/,
    );
    expect(page).toContain('Rendez-vous selon la présence');
    expect(page).toMatch(/4<\/p><p>rendez-vous/);
    expect(page).toMatch(/25 %<\/p><p>d’absence sans prévenir/); // 1 absent of 4 recorded
    expect(page).toContain('moins de 30 rendez-vous renseignés');

    const national = (await c('national').get(`/espace/pilotage?territoire=FR&${range}`)).body;
    expect(national).toMatch(/4<\/p><p>dossiers transmis/);
    expect(national).toMatch(/5<\/p><p>rendez-vous/);

    const csv = await c('animateur').get(
      `/espace/pilotage/export.csv?territoire=dep:02&${range}&tableau=escalade`,
    );
    expect(csv.status).toBe(200);
    expect(csv.body).toContain('partenaire,libelle,dossiers,delai_echu_ou_repondu,repondus_72h_ouvrees');
    expect(csv.body).toMatch(/ensemble,Tous partenaires,3,3,2,0\.66/);
    const rdvCsv = await c('animateur').get(
      `/espace/pilotage/export.csv?territoire=dep:02&${range}&tableau=rendez_vous`,
    );
    expect(rdvCsv.body).toContain('absent,Absents sans prévenir,1');
    expect(
      (await c('animateur').get(`/espace/pilotage/export.csv?territoire=dep:75&${range}&tableau=escalade`))
        .status,
    ).toBe(404);
  });
});

describe('CSV exports', () => {
  it('every table exports, in scope only', async () => {
    const r = await c('national').get(`/espace/pilotage/export.csv?territoire=FR&${range}&tableau=canal`);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/text\/csv/);
    expect(r.body).toContain('canal,libelle,accompagnements,part,minutes');
    expect(r.body).toMatch(/guichet,Au guichet,12,/);
    const crisis = await c('national').get(
      `/espace/pilotage/export.csv?territoire=FR&${range}&tableau=crise`,
    );
    expect(crisis.body.split('\n')[0]).toContain('semaine,structures_recevant_public,structures_actives');
    expect(
      (await c('animateur').get(`/espace/pilotage/export.csv?territoire=dep:75&${range}&tableau=canal`))
        .status,
    ).toBe(404);
    expect(
      (await c('national').get(`/espace/pilotage/export.csv?territoire=FR&${range}&tableau=note`)).status,
    ).toBe(400);
  });
});

describe('hostile input', () => {
  it('pages answer a French message linked to the field, never a 500', async () => {
    const reversed = await c('national').get('/espace/pilotage?territoire=FR&du=2026-05-01&au=2026-01-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatch(/aria-describedby="f-au-erreur"/);
    expect(reversed.body).toMatch(/class="fr-error-text">La date de fin précède/);
    const long = await c('national').get('/espace/pilotage?territoire=FR&du=2019-01-01&au=2026-01-01');
    expect(long.status).toBe(400);
    expect(long.body).toContain('5 ans au plus');
    const script = await c('national').get(
      '/espace/pilotage?territoire=%3Cscript%3Ealert(1)%3C%2Fscript%3E&du=2026-01-01&au=2026-02-01',
    );
    expect(script.status).toBe(400);
    expect(script.body).not.toContain('<script>alert(1)');
    expect((await c('national').get(`/espace/pilotage?territoire=dep:99&${range}`)).status).toBe(400);
    expect(
      (await c('national').get(`/espace/pilotage?territoire=FR&du=${'9'.repeat(500)}&au=x`)).status,
    ).toBe(400);
    expect((await c('national').get('/espace/pilotage?territoire=FR&du=Infinity&au=NaN')).status).toBe(400);
    expect((await c('national').get('/espace/pilotage?du=2026-01-01&du=2026-02-01')).status).toBeLessThan(
      500,
    );
  });

  it('the API answers {error, field, message}, 401 without a session, 404 out of scope', async () => {
    const ok = await c('national').get(
      `/api/v1/pilotage/indicateurs?territory=FR&from=2026-01-01&to=2026-11-24&by=canal`,
    );
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ territory: 'FR', total: 25 });
    const cases: Array<[string, string]> = [
      ['territory=FR&from=2026-05-01&to=2026-01-01&by=canal', 'to'],
      ['territory=FR&from=2019-01-01&to=2026-01-01&by=canal', 'to'],
      ['territory=pays:XX&from=2026-01-01&to=2026-01-02&by=canal', 'territory'],
      ['territory=FR&from=2026-01-01&to=2026-01-02&by=age', 'by'],
      ['territory=FR&from=Infinity&to=2026-01-02&by=canal', 'from'],
    ];
    for (const [q, field] of cases) {
      const r = await c('national').get(`/api/v1/pilotage/indicateurs?${q}`);
      expect(r.status, q).toBe(400);
      expect(JSON.parse(r.body)).toMatchObject({ error: 'invalid', field, message: expect.any(String) });
    }
    const anon = await t.app.inject({
      url: '/api/v1/pilotage/indicateurs?territory=FR&from=2026-01-01&to=2026-01-02&by=canal',
    });
    expect(anon.statusCode).toBe(401);
    const out = await c('animateur').get(
      '/api/v1/pilotage/indicateurs?territory=dep:75&from=2026-01-01&to=2026-01-02&by=canal',
    );
    expect(out.status).toBe(404);
  });
});
