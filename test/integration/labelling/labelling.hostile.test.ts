import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDueAudits, runPrecheck, runPublishReferentiel } from '../../../src/cli/commands/labelling.js';
import { replaceUnits } from '../../../src/db/repositories/mobile.repository.js';
import { Client, createUser } from '../../support/accounts.js';
import { buildTestApp, type TestApp } from '../../support/app.js';
import { completeContent, DOCUMENT_CODES, makeStructure, PDF } from './support.js';

const BASE = '/espace/labellisation';
const XSS = '<script>alert(1)</script>';
let t: TestApp;

beforeAll(async () => {
  t = await buildTestApp({ config: { dataDir: await mkdtemp(join(tmpdir(), 'maillage-lab-hostile-')) } });
  await runPublishReferentiel(t.ctx);
});
afterAll(async () => {
  await t.close();
});

/** A structure straight in the directory, with given hours (minutes from midnight per day). */
async function structure(
  idFs: string,
  format: string,
  days: Record<string, [number, number][]>,
  labelledOn: string | null = null,
) {
  const all = ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche'];
  const hours = Object.fromEntries(
    all.map((d) => [d, (days[d] ?? []).map(([start, end]) => ({ start, end }))]),
  );
  await t.ctx.db
    .insertInto('structures')
    .values({
      id_fs: idFs,
      name: `Structure ${idFs}`,
      type: 'principal',
      format,
      address: '1 rue de la Paix',
      code_insee: '80021',
      postal_code: '80000',
      commune_name: 'Amiens',
      departement: '80',
      hours: JSON.stringify(hours),
      partners: [
        'caf',
        'assurance_maladie',
        'assurance_retraite',
        'france_travail',
        'la_poste',
        'dgfip',
        'ants',
        'justice',
        'msa',
      ],
      labelled_on: labelledOn,
      source: 'test',
    } as never)
    .execute();
}

describe('CLI: labelling precheck and due-audits on the directory', () => {
  it('reports the JSON of the issue, with the edge cases', async () => {
    const h = (a: number, b: number): [number, number][] => [[a * 60, b * 60]];
    // 24 h exactly over 5 days
    await structure(
      'FS-24H',
      'fixe',
      { lundi: h(9, 14), mardi: h(9, 14), mercredi: h(9, 14), jeudi: h(9, 14), vendredi: h(9, 13) },
      '2022-01-10',
    );
    // 5 days, one of them 30 minutes, overlapping ranges on Monday
    await structure('FS-30MIN', 'fixe', {
      lundi: [
        [480, 780],
        [720, 840],
      ],
      mardi: h(8, 14),
      mercredi: h(8, 14),
      jeudi: h(8, 14),
      vendredi: [[540, 570]],
    });
    // a bus: nothing known of its calendar from the directory alone
    await structure('FS-BUS', 'bus', { lundi: h(9, 17), mardi: h(9, 17), mercredi: h(9, 17) }, '2025-06-01');
    const all = await runPrecheck(t.ctx, {});
    const by = new Map(all.map((r) => [r.idFs, r]));
    expect(Object.keys(by.get('FS-24H') ?? {})).toEqual(['idFs', 'criteria', 'weeklyHours', 'openDays']);
    expect(by.get('FS-24H')).toMatchObject({ weeklyHours: 24, openDays: 5 });
    expect(
      by
        .get('FS-24H')
        ?.criteria.slice(0, 2)
        .map((c) => c.status),
    ).toEqual(['ok', 'ok']);
    expect(by.get('FS-30MIN')).toMatchObject({ weeklyHours: 24.5, openDays: 5 });
    const bus = by.get('FS-BUS');
    expect(bus?.criteria.find((c) => c.code === 'OUV-01')?.status).toBe('ok');
    expect(bus?.criteria.find((c) => c.code === 'OUV-02')?.status).toBe('failed');
    expect(bus?.criteria.find((c) => c.code === 'OUV-04')?.status).toBe('unknown');
    expect((await runPrecheck(t.ctx, { structure: 'FS-BUS' })).map((r) => r.idFs)).toEqual(['FS-BUS']);

    // Once tours are loaded in the mobile module, buses are checked against them.
    await structure('FS-BUS-OLD', 'bus', { lundi: h(9, 17) });
    await structure('FS-BUS-NONE', 'bus', { lundi: h(9, 17) });
    const stop = (id: string, unit: string) => ({
      id,
      unit,
      name: `Arrêt ${id}`,
      kind: 'mairie' as const,
      commune: '80021',
      address: 'Place',
      lat: 49.9,
      lon: 2.3,
    });
    const entry = (id: string, unit: string, stopId: string, from: string, until: string) => ({
      id,
      unit,
      stop: stopId,
      rrule: 'FREQ=WEEKLY;BYDAY=TU',
      start: '09:00',
      end: '12:00',
      from,
      until,
      holidays: 'skip' as const,
      sequence: 0,
    });
    await replaceUnits(t.ctx.db, {
      units: [
        { id: 'u-bus', structureIdFs: 'FS-BUS', name: 'Bus', depot: { lat: 49.9, lon: 2.3 } },
        { id: 'u-old', structureIdFs: 'FS-BUS-OLD', name: 'Bus ancien', depot: { lat: 49.9, lon: 2.3 } },
      ],
      stops: [stop('s1', 'u-bus'), stop('s2', 'u-bus'), stop('s3', 'u-old')],
      entries: [
        entry('e1', 'u-bus', 's1', '2026-11-01', '2027-06-30'),
        entry('e2', 'u-old', 's3', '2025-01-01', '2025-06-30'),
      ],
      exceptions: [],
    } as never);
    const buses = new Map(
      (await runPrecheck(t.ctx, {})).map((r) => [r.idFs, r.criteria.find((c) => c.code === 'OUV-04')]),
    );
    expect(buses.get('FS-BUS')?.status).toBe('ok');
    expect(buses.get('FS-BUS')?.detail).toMatch(/^2 arrêt\(s\), \d+ date\(s\) de passage publiée\(s\)\.$/);
    expect(buses.get('FS-BUS-OLD')).toMatchObject({
      status: 'failed',
      detail: 'Itinérance : le calendrier publié ne contient aucune date de passage.',
    });
    expect(buses.get('FS-BUS-NONE')).toMatchObject({
      status: 'failed',
      detail: 'Itinérance : aucun point d’arrêt déclaré ; calendrier de passage non publié.',
    });
    await expect(runPrecheck(t.ctx, { structure: 'FS-NONE' })).rejects.toThrow(
      'Structure introuvable : FS-NONE',
    );
    // labelled in January 2022, never audited: due in January 2025 with a 36-month cycle
    const due = await runDueAudits(t.ctx, {});
    expect(due.map((d) => [d.idFs, d.dueOn, d.overdue])).toEqual([['FS-24H', '2025-01-10', true]]);
    expect((await runDueAudits(t.ctx, { horizon: 3650 })).map((d) => d.idFs)).toEqual(['FS-24H', 'FS-BUS']);
  });
});

describe('hostile text on every labellisation page', () => {
  it('stores <script> in every free-text field and never renders it as markup', async () => {
    const guise = await makeStructure(t.ctx.db, { departement: '02' });
    const porteurU = await createUser(t.ctx, { role: 'responsable', name: XSS, structureIds: [guise.id] });
    const nationalU = await createUser(t.ctx, { role: 'national' });
    const animU = await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' });
    const audU = await createUser(t.ctx, { role: 'auditeur', name: XSS });
    const service = t.ctx.labelling;
    const asP = (u: { id: string; role: string; departement: string | null }) =>
      ({
        id: u.id,
        role: u.role,
        departement: u.departement,
        structureIds: u.id === porteurU.id ? [guise.id] : [],
      }) as never;
    const campaign = await service.campaigns.openCampaign(asP(nationalU), {
      name: `Campagne ${XSS}`,
      opensOn: '2026-11-01',
      closesOn: '2027-03-31',
      departements: [],
      referentielVersion: '2025-06',
    });
    const app = await service.applications.createApplication(asP(porteurU), campaign.id, {
      departement: '02',
    });
    const content = completeContent({
      porteurName: XSS,
      structureName: `Guise ${XSS}`,
      address: XSS,
      communeName: XSS,
      agents: [
        { name: XSS, trainedOn: '2026-01-01' },
        { name: 'B', trainedOn: '2026-01-01' },
      ],
      referents: { caf: XSS },
    });
    await service.applications.saveContent(asP(porteurU), app.id, content, app.version);
    for (const code of DOCUMENT_CODES)
      await service.applications.uploadDocument(asP(porteurU), app.id, code, PDF, `${XSS}.pdf`);
    await service.transitions.transition(asP(porteurU), app.id, 'deposer');
    await service.transitions.transition(asP(animU), app.id, 'declarer_recevable', { reason: XSS });
    await service.transitions.transition(asP(nationalU), app.id, 'planifier_audit', {
      auditorUserId: audU.id,
      auditDate: '2026-12-01',
    });
    const [audit] = await service.audits.auditsOf(asP(audU));
    if (!audit) throw new Error('audit attendu');
    await service.audits.saveGrid(
      asP(audU),
      audit.id,
      [{ code: 'ACC-01', verdict: 'non_conforme', comment: XSS }],
      0,
    );

    // a corrective action past its deadline shows in the department and nation views
    await t.ctx.db
      .insertInto('labelling_corrective_actions')
      .values({
        audit_id: audit.id,
        application_id: app.id,
        code: 'ACC-01',
        description: XSS,
        due_on: '2026-11-01',
      })
      .execute();
    const late = await service.monitoring.overdueActions(asP(animU));
    expect(late).toMatchObject([{ code: 'ACC-01', dueOn: '2026-11-01', departement: '02' }]);
    expect(await service.monitoring.overdueActions(asP(nationalU), '80')).toEqual([]);

    const pages: [string, string[]][] = [
      [porteurU.email, [BASE, `${BASE}/candidatures/${app.id}`, `${BASE}/candidatures/${app.id}/formulaire`]],
      [
        animU.email,
        [BASE, `${BASE}/candidatures/${app.id}`, `${BASE}/campagnes/${campaign.id}`, `${BASE}/suivi`],
      ],
      [
        nationalU.email,
        [
          BASE,
          `${BASE}/candidatures/${app.id}`,
          `${BASE}/campagnes/${campaign.id}`,
          `${BASE}/suivi`,
          `${BASE}/audits/${audit.id}`,
          `${BASE}/referentiels/2025-06`,
        ],
      ],
      [audU.email, [BASE, `${BASE}/audits/${audit.id}`, `${BASE}/candidatures/${app.id}`]],
    ];
    for (const [email, urls] of pages) {
      const client = new Client(t.app);
      await client.login(email);
      for (const url of urls) {
        const r = await client.get(url);
        expect(r.status, url).toBe(200);
        expect(r.body, url).not.toContain('<script>alert');
        if (!url.includes('/referentiels/'))
          expect(r.body.includes('&lt;script&gt;alert(1)&lt;/script&gt;'), url).toBe(true);
      }
    }
  });

  it('the nation publishes a référentiel from the page; bad JSON and republishing are refused in French', async () => {
    const u = await createUser(t.ctx, { role: 'national' });
    const c = new Client(t.app);
    await c.login(u.email);
    const page = await c.get(`${BASE}/referentiels/2025-06`);
    expect(page.body).toContain('Publier une nouvelle version');
    const bad = await c.post(`${BASE}/referentiels`, {
      version: '2026-01',
      title: 'T',
      source: 'S',
      criteria: '[{',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('La liste des critères n’est pas un JSON valide.');
    const nulls = await c.post(`${BASE}/referentiels`, {
      version: '2026-01',
      title: 'T',
      source: 'S',
      criteria: '[null]',
    });
    expect(nulls.body).toContain('n’est pas un objet');
    const criteria = JSON.stringify([
      { code: 'ACC-01', title: XSS, category: 'accueil', mandatory: true, check: 'on_site' },
    ]);
    const ok = await c.post(`${BASE}/referentiels`, {
      version: '2026-01',
      title: 'Référentiel 2026',
      source: 'Arrêté',
      criteria,
    });
    expect(ok.status).toBe(303);
    const shown = await c.get(ok.location ?? '');
    expect(shown.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    const again = await c.post(`${BASE}/referentiels`, {
      version: '2026-01',
      title: 'Référentiel 2026',
      source: 'Arrêté',
      criteria,
    });
    expect(again.status).toBe(400);
    expect(again.body).toContain('déjà publiée');
    const anim = await createUser(t.ctx, { role: 'animateur_departemental', departement: '02' });
    const ca = new Client(t.app);
    await ca.login(anim.email);
    await ca.get('/espace');
    expect(
      (await ca.post(`${BASE}/referentiels`, { version: '2026-02', title: 'x', source: 'y', criteria }))
        .status,
    ).toBe(404);
  });
});
