import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext, openContext } from '../../src/composition.js';
import { packageGeography, testConfig } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve, signIn } from '../support/browser.js';
import { freshDatabase } from '../support/database.js';
import { bookingFixture } from '../support/rendezvous.js';
import { type LocalSmtp, startSmtp } from '../support/smtp.js';

/**
 * Issue 15 in Chromium, axe-clean: a person books without an account, gets the mail with its .ics, and
 * cancels through the link; an agent sees the agenda, books for someone and marks attendance.
 */
describe.skipIf(!hasChromium)('rendez-vous in Chromium', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let smtp: LocalSmtp;
  let f: Awaited<ReturnType<typeof bookingFixture>>;
  let now = new Date('2026-11-24T09:30:00Z'); // Tuesday, 10:30 in Saint-Quentin

  beforeAll(async () => {
    smtp = await startSmtp();
    ctx = await openContext(testConfig({ smtpUrl: smtp.url }), {
      database: await freshDatabase(),
      geography: packageGeography(),
      clock: { now: () => new Date(now) },
    });
    f = await bookingFixture(ctx);
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
    await smtp?.close();
  });

  it('a person books, receives the .ics, and cancels through the link', async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.url}/structures/${f.structure.id}`);
    await page.getByRole('link', { name: 'Prendre rendez-vous en ligne' }).click();
    await expectAccessible(page, 'motifs');
    await page.getByRole('link', { name: 'Aide pour une démarche en ligne' }).click();
    await page.getByText('Étape 2 sur 3').waitFor();
    await expectAccessible(page, 'créneaux');
    await page.locator('label[for="creneau-1"]').click(); // the first slot of the week: Tuesday 11:30
    await page.getByRole('button', { name: 'Continuer' }).click();
    await page.getByText('Étape 3 sur 3').waitFor();
    await expectAccessible(page, 'coordonnées');
    await page.getByLabel('Nom et prénom').fill('Marie Dupont');
    await page.getByLabel('Adresse électronique').fill('pas-une-adresse');
    await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await page.getByText('Adresse électronique invalide').waitFor();
    await expectAccessible(page, 'coordonnées en erreur');
    await page.getByLabel('Adresse électronique').fill('marie@example.fr');
    await page.getByRole('button', { name: 'Confirmer le rendez-vous' }).click();
    await page.getByText('Votre rendez-vous est confirmé').waitFor();
    expect(await page.textContent('main')).toContain('mardi 24 novembre 2026 à 11:30');
    await expectAccessible(page, 'confirmation');

    const mail = smtp.mails.find((m) => m.to.includes('marie@example.fr'));
    expect(mail?.raw).toContain('filename=rendez-vous.ics');
    expect(mail?.raw).toContain('Content-Type: text/calendar');
    const link = new URL(smtp.linkTo('marie@example.fr', '/rendez-vous/gerer') ?? '');
    await page.goto(`${server.url}${link.pathname}${link.search}`);
    await page.getByRole('button', { name: 'Annuler le rendez-vous' }).click();
    await page.getByText('Votre rendez-vous est annulé.').waitFor();
    await expectAccessible(page, 'annulation');
    const row = await ctx.db.selectFrom('rendezvous').select('statut').executeTakeFirstOrThrow();
    expect(row.statut).toBe('annule');
  });

  it('an agent sees the agenda, books for someone and marks attendance', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, f.agentUser.email);
    await page.getByRole('link', { name: /Rendez-vous : agenda/ }).click();
    await page.getByRole('heading', { name: /Rendez-vous — / }).waitFor();
    await expectAccessible(page, 'agenda');
    await page.getByRole('link', { name: 'Prendre un rendez-vous pour quelqu’un' }).click();
    await page.getByLabel('Motif').selectOption(f.motif.id);
    await page.getByRole('button', { name: 'Voir les créneaux' }).click();
    await page.locator('input[value="2026-11-24T11:00:00+01:00"]').waitFor({ state: 'attached' });
    await expectAccessible(page, 'réserver pour quelqu’un');
    await page.locator('label', { hasText: '11:00' }).first().click();
    await page.getByLabel('Nom et prénom de la personne').fill('Jeanne Martin');
    await page.getByLabel('Téléphone').fill('06 11 22 33 44');
    await page.getByRole('button', { name: 'Réserver' }).click();
    await page.getByText('Rendez-vous réservé.').waitFor();
    expect(await page.textContent('main')).toContain('Jeanne Martin');
    now = new Date('2026-11-24T10:10:00Z'); // 11:10 local: the appointment has started
    await page.reload();
    await page.getByLabel('Présence de Jeanne Martin').selectOption('honore');
    await page.getByRole('button', { name: 'Enregistrer la présence' }).click();
    await page.getByText('Présence enregistrée.').waitFor();
    await expectAccessible(page, 'agenda après présence');
    await page.getByRole('link', { name: 'Saisir l’accompagnement' }).click();
    await page.waitForURL((u) => u.pathname === '/espace/accompagnements');
    expect(await page.locator('#canal').inputValue()).toBe('guichet');
    expect(await page.locator('#duree_min').inputValue()).toBe('30');
  });
});
