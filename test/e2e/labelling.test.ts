import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPublishReferentiel } from '../../src/cli/commands/labelling.js';
import { type AppContext, closeContext } from '../../src/composition.js';
import { loadGeography } from '../../src/services/geography/load-geography.js';
import { completeContent, DOCUMENT_CODES, makeStructure, PDF } from '../integration/labelling/support.js';
import { createUser } from '../support/accounts.js';
import { buildTestContext, REAL_DATA } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve, signIn } from '../support/browser.js';

const BASE = '/espace/labellisation';

describe.skipIf(!hasChromium)('labellisation end to end in Chromium', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  const emails: Record<string, string> = {};
  let applicationUrl = '';

  beforeAll(async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'maillage-lab-e2e-'));
    const geography = loadGeography(REAL_DATA);
    ctx = await buildTestContext({ geography, config: { refDir: REAL_DATA, dataDir } });
    await runPublishReferentiel(ctx);
    // The porteur's own structure in the Aisne: applications are filed in its department (finding 2, issue 9).
    const guise = await makeStructure(ctx.db, {
      departement: '02',
      name: 'France services de Guise (existante)',
    });
    for (const [key, role, dep] of [
      ['porteur', 'responsable', null],
      ['animateur', 'animateur_departemental', '02'],
      ['national', 'national', null],
      ['auditeur', 'auditeur', null],
    ] as const) {
      const u = await createUser(ctx, {
        role,
        departement: dep,
        name: `E2E ${key}`,
        structureIds: key === 'porteur' ? [guise.id] : [],
      });
      emails[key] = u.email;
    }
    const national = await ctx.db
      .selectFrom('users')
      .select(['id'])
      .where('email', '=', emails.national as string)
      .executeTakeFirstOrThrow();
    await ctx.labelling.campaigns.openCampaign(
      { id: national.id, role: 'national', departement: null, structureIds: [] },
      {
        name: 'Campagne de l’Aisne',
        opensOn: '2026-11-01',
        closesOn: '2027-03-31',
        departements: ['02'],
        referentielVersion: '2025-06',
      },
    );
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  async function signInAs(
    who: string,
    options: Parameters<Browser['newContext']>[0] = {},
  ): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale: 'fr-FR', ...options });
    const page = await context.newPage();
    await signIn(page, server.url, emails[who] as string);
    return { context, page };
  }

  async function act(page: Page, button: string, fill: (p: Page) => Promise<void> = async () => {}) {
    await page.goto(server.url + applicationUrl);
    await fill(page);
    await Promise.all([
      page.waitForURL(/\?ok=/),
      page.getByRole('button', { name: button, exact: true }).click(),
    ]);
  }

  async function auditorGrid(page: Page, linkText: RegExp): Promise<void> {
    await page.goto(`${server.url}${BASE}`);
    await page.getByRole('link', { name: linkText }).first().click();
    await page.locator('#audit-grid').waitFor();
  }

  it('a porteur files, the department and the nation review, the auditor audits twice, the préfet proposes, the nation labels, the public finds it', async () => {
    // The porteur fills the form and uploads the documents, without any script needed.
    const porteur = await signInAs('porteur');
    const p = porteur.page;
    await p.goto(`${server.url}${BASE}`);
    await p.getByLabel('Département de la structure').selectOption('02');
    await p
      .getByLabel('Nature de la candidature')
      .selectOption({ label: 'Nouvelle structure France Services' });
    await Promise.all([
      p.waitForURL(/formulaire$/),
      p.getByRole('button', { name: 'Commencer une candidature' }).click(),
    ]);
    const c = completeContent({ structureName: 'France Services de Guise E2E' });
    await p.selectOption('#porteurKind', 'commune');
    for (const [id, v] of Object.entries({
      porteurName: c.porteurName,
      structureName: c.structureName,
      address: c.address,
      codeInsee: c.codeInsee,
      postalCode: c.postalCode,
      communeName: c.communeName,
      lat: String(c.lat),
      lon: String(c.lon),
      email: c.email,
      telephone: c.telephone,
    })) {
      await p.fill(`#${id}`, v);
    }
    for (const [d, v] of Object.entries(c.hours)) await p.fill(`#hours_${d}`, v);
    for (const [i, a] of c.agents.entries()) {
      await p.fill(`#agent_name_${i}`, a.name);
      await p.fill(`#agent_trained_${i}`, a.trainedOn);
    }
    for (const partner of c.partners) {
      await p.locator(`label[for="partner_${partner}"]`).click();
      await p.fill(`#referent_${partner}`, (c.referents as Record<string, string>)[partner] as string);
    }
    await Promise.all([
      p.waitForURL(/candidatures\/[0-9a-f-]+$/),
      p.getByRole('button', { name: 'Enregistrer le brouillon' }).click(),
    ]);
    applicationUrl = new URL(p.url()).pathname;
    expect(await p.locator('main').textContent()).toContain('la pièce justificative LOC-02');
    await expectAccessible(p, 'suivi de candidature');
    for (const code of DOCUMENT_CODES) {
      await p.selectOption('#doc-code', code);
      await p.setInputFiles('#doc-file', { name: `${code}.pdf`, mimeType: 'application/pdf', buffer: PDF });
      await Promise.all([
        p.waitForURL(/ok=depot/),
        p.getByRole('button', { name: 'Ajouter la pièce' }).click(),
      ]);
    }
    expect(await p.locator('main').textContent()).toContain('Rien : la candidature est complète');
    await act(p, 'Déposer la candidature');

    // The department declares it recevable; the nation assigns the audit.
    const animateur = await signInAs('animateur');
    await act(animateur.page, 'Déclarer recevable');
    const national = await signInAs('national');
    await act(national.page, 'Planifier l’audit', async (page) => {
      await page.fill('#t-planifier_audit-date', '2026-12-01');
    });

    // The auditor, on a phone, fills the grid: one non-conformity.
    const auditor = await signInAs('auditeur', {
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    const a = auditor.page;
    await auditorGrid(a, /Audit initial/);
    await expectAccessible(a, 'grille d’audit');
    const codes = await a.$$eval('input[type=radio][value=conforme]', (els) =>
      els.map((e) => (e as HTMLInputElement).name.slice(8)),
    );
    expect(codes.length).toBeGreaterThan(25);
    for (const code of codes) {
      await a.locator(`label[for="v-${code}-${code === 'LOC-01' ? 'non_conforme' : 'conforme'}"]`).click();
    }
    // The network drops while the auditor types: the comment stays on the device.
    await auditor.context.setOffline(true);
    await a.fill('#comment_LOC-01', 'Aucun bureau fermé pour les entretiens');
    await expect
      .poll(() => a.locator('#grid-status').textContent(), { timeout: 10_000 })
      .toContain('Hors connexion');
    await a.close();
    await auditor.context.setOffline(false);
    const a2 = await auditor.context.newPage();
    await a2.goto(`${server.url}${BASE}`);
    await a2
      .getByRole('link', { name: /Audit initial/ })
      .first()
      .click();
    await a2.locator('#audit-grid').waitFor();
    await expect.poll(() => a2.locator('#grid-status').textContent()).toContain('Brouillon restauré');
    expect(await a2.inputValue('#comment_LOC-01')).toBe('Aucun bureau fermé pour les entretiens');
    expect(await a2.isChecked('#v-LOC-01-non_conforme')).toBe(true);
    await a2.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect.poll(() => a2.locator('#grid-status').textContent()).toContain('Enregistré');
    const saved = await ctx.db
      .selectFrom('labelling_audits')
      .select(['grid'])
      .where('kind', '=', 'initial')
      .executeTakeFirstOrThrow();
    expect(
      (saved.grid as { code: string; verdict: string; comment: string }[]).find((e) => e.code === 'LOC-01'),
    ).toMatchObject({
      verdict: 'non_conforme',
      comment: 'Aucun bureau fermé pour les entretiens',
    });
    await act(a2, 'Terminer l’audit');
    await act(a2, 'Déclarer non conforme', async (page) => {
      await page.fill('#t-declarer_non_conforme-reason', 'LOC-01 : pas d’espace confidentiel');
    });

    // Contre-visite: the nation plans it, the auditor finds the action done.
    await act(national.page, 'Planifier la contre-visite', async (page) => {
      await page.fill('#t-planifier_contre_visite-date', '2027-01-10');
    });
    await auditorGrid(a2, /contre-visite/);
    await a2.locator('label[for="v-LOC-01-conforme"]').click();
    await a2.fill('#comment_LOC-01', 'Bureau cloisonné installé');
    await a2.getByRole('button', { name: 'Enregistrer', exact: true }).click();
    await expect.poll(() => a2.locator('#grid-status').textContent()).toContain('Enregistré');
    await act(a2, 'Terminer l’audit');
    await act(a2, 'Déclarer conforme');

    // The préfet proposes, the nation labels.
    await act(animateur.page, 'Proposer à la labellisation (préfet)');
    await act(national.page, 'Labelliser');
    expect(await national.page.locator('main').textContent()).toContain('Labellisée le 24/11/2026');

    // The public locator finds it at once.
    const visitor = await browser.newContext({ locale: 'fr-FR' });
    const pub = await visitor.newPage();
    await pub.goto(`${server.url}/?q=Guise`);
    await expect.poll(() => pub.locator('main').textContent()).toContain('France Services de Guise E2E');
    await visitor.close();
    for (const ctxs of [porteur, animateur, national, auditor]) await ctxs.context.close();
  }, 240_000);
});
