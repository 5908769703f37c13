import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext } from '../../src/composition.js';
import { issueToken } from '../../src/services/accounts/auth.service.js';
import { createUser, insertStructure } from '../support/accounts.js';
import { buildTestContext } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve, signIn } from '../support/browser.js';

describe.skipIf(!hasChromium)('structure back office in Chromium', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let structure: { id: string; name: string };
  let agentEmail = '';
  let nationalEmail = '';

  beforeAll(async () => {
    ctx = await buildTestContext();
    structure = await insertStructure(ctx, {
      name: 'France Services de Vervins',
      departement: '02',
      telephone: '03 23 98 00 00',
      email: 'vervins@france-services.example',
    });
    agentEmail = (
      await createUser(ctx, { role: 'agent', structureIds: [structure.id], name: 'Agent Vervins' })
    ).email;
    nationalEmail = (await createUser(ctx, { role: 'national', name: 'Équipe ANCT' })).email;
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  it('an agent signs in, switches to « accueil à distance », and the public page shows it at once', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/espace/connexion`);
    await expectAccessible(page, 'connexion');
    await signIn(page, server.url, agentEmail);
    await expectAccessible(page, 'mon espace');
    await page.getByRole('link', { name: 'France Services de Vervins' }).click();
    await page.waitForURL(`${server.url}/espace/structures/${structure.id}`);
    await expectAccessible(page, 'fiche structure');
    // DSFR draws the radio in the label, which takes the click.
    await page.locator('label[for="status-accueil_a_distance"]').click();
    expect(await page.locator('#status-accueil_a_distance').isChecked()).toBe(true);
    await page.getByRole('button', { name: 'Changer le statut' }).click();
    await page.getByText('Le nouveau statut est enregistré').waitFor();
    await expectAccessible(page, 'fiche structure après changement');

    await page.goto(`${server.url}/structures/${structure.id}`);
    const callout = page.locator('#accueil-a-distance');
    await callout.waitFor();
    expect(await callout.textContent()).toContain('Accueil à distance uniquement');
    expect(await callout.textContent()).toContain('03 23 98 00 00');

    await page.goto(`${server.url}/espace/structures/${structure.id}/historique`);
    expect(await page.locator('main').textContent()).toContain('Agent Vervins');
    await expectAccessible(page, 'historique');
    await page.close();
  }, 180_000);

  it('back-office pages of the national team have no serious or critical axe violation', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, nationalEmail);
    for (const url of [
      '/espace',
      `/espace/structures/${structure.id}`,
      `/espace/structures/${structure.id}/agents`,
      '/espace/departements/02',
      '/espace/national',
      '/espace/inviter',
      '/espace/courriels',
      '/espace/import',
      '/espace/mot-de-passe-oublie',
      '/espace/accompagnements/demarches',
    ]) {
      await page.goto(`${server.url}${url}`);
      await expectAccessible(page, url);
    }
    // A failed save shows its errors accessibly too.
    await page.goto(`${server.url}/espace/structures/${structure.id}`);
    await page.getByLabel('Jeudi').fill('le matin');
    await page.getByRole('button', { name: 'Enregistrer les informations' }).click();
    await page.getByText('Horaires illisibles').first().waitFor();
    await expectAccessible(page, 'erreur de saisie');
    await page.close();
  }, 180_000);

  it('pages reached from e-mailed links, and the page of a dead link, pass axe', async () => {
    // Pages reached from e-mailed links, and the page of a link that no longer works.
    const agent = await ctx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', agentEmail)
      .executeTakeFirstOrThrow();
    const fresh = await (await browser.newContext()).newPage();
    for (const [purpose, url] of [
      ['reset', '/espace/reinitialiser'],
      ['invitation', '/espace/invitation'],
    ] as const) {
      await fresh.goto(`${server.url}${url}?jeton=${await issueToken(ctx, purpose, agent.id)}`);
      await expectAccessible(fresh, url);
    }
    await fresh.goto(`${server.url}/espace/reinitialiser?jeton=ce-lien-nexiste-pas-du-tout`);
    expect(await fresh.locator('main').textContent()).toContain('Demander un nouveau lien');
    await expectAccessible(fresh, 'lien invalide');
  }, 180_000);
});
