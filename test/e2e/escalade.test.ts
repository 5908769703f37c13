import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext } from '../../src/composition.js';
import { insertPartnerScope } from '../../src/db/repositories/accounts.repository.js';
import { createUser, insertStructure } from '../support/accounts.js';
import { buildTestContext } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve, signIn } from '../support/browser.js';

/** Issue 13 in Chromium: an agent escalates a case to the CAF, the CAF's référent answers. The pages load no island script: plain forms. */
describe.skipIf(!hasChromium)('escalade in Chromium', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let agentEmail = '';
  let referentEmail = '';

  beforeAll(async () => {
    ctx = await buildTestContext();
    const structure = await insertStructure(ctx, { name: 'France Services de Bohain', departement: '02' });
    agentEmail = (
      await createUser(ctx, { role: 'agent', structureIds: [structure.id], name: 'Agent Bohain' })
    ).email;
    const referent = await createUser(ctx, { role: 'referent_partenaire', name: 'Référente CAF de l’Aisne' });
    await insertPartnerScope(ctx.db, referent.id, {
      partenaire: 'caf',
      departements: ['02'],
      coordinateur: false,
    });
    referentEmail = referent.email;
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  it('an agent escalates a case with the person’s consent; the référent answers it', async () => {
    const agent = await (await browser.newContext()).newPage();
    await signIn(agent, server.url, agentEmail);
    await agent.getByRole('link', { name: 'Dossiers transmis aux partenaires (escalade)' }).click();
    await expectAccessible(agent, 'liste agent vide');
    await agent.getByRole('link', { name: 'Transmettre un nouveau dossier' }).click();
    await expectAccessible(agent, 'formulaire et consentement');
    // Submitted without the consent box: nothing is sent, the error is linked to the box.
    await agent.locator('#partenaire').selectOption('caf');
    await agent.locator('#nom').fill('Durand');
    await agent.locator('#prenom').fill('Josiane');
    await agent.locator('#date-naissance').fill('1957-02-11');
    await agent.locator('#objet').fill('Pension de réversion non versée');
    await agent.locator('#message').fill('Demande déposée en juin, aucune nouvelle depuis.');
    await agent.getByRole('button', { name: 'Transmettre au référent' }).click();
    await agent.locator('#consentement-error').waitFor();
    await expectAccessible(agent, 'formulaire en erreur');
    await agent.locator('label[for="consentement"]').click();
    await agent.getByRole('button', { name: 'Transmettre au référent' }).click();
    await agent.getByText('Dossier transmis au référent du partenaire.').waitFor();
    await expectAccessible(agent, 'dossier côté agent');

    const referent = await (await browser.newContext()).newPage();
    await signIn(referent, server.url, referentEmail);
    await referent.getByRole('link', { name: 'Dossiers transmis aux partenaires (escalade)' }).click();
    await expectAccessible(referent, 'liste référent');
    await referent.getByRole('link', { name: /^\d+$/ }).first().click();
    await referent.locator('#nouveau-message').fill('Le dossier est débloqué : versement le 5.');
    await referent.getByRole('button', { name: 'Envoyer le message' }).click();
    await referent.getByText('Message envoyé.').waitFor();
    await referent.locator('#statut').selectOption('repondu');
    await referent.getByRole('button', { name: 'Changer le statut' }).click();
    await referent.getByText('Statut modifié.').waitFor();
    await expectAccessible(referent, 'dossier côté référent');

    await agent.reload();
    expect(await agent.locator('main').textContent()).toContain('Le dossier est débloqué : versement le 5.');
    expect(await agent.locator('main').textContent()).toContain('Répondu');
    await agent.goto(`${server.url}/espace/escalade/referents`);
    await expectAccessible(agent, 'référents du département');
  }, 180_000);
});
