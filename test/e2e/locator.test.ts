import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext } from '../../src/composition.js';
import { importStructures } from '../../src/services/directory/import.service.js';
import { loadGeography } from '../../src/services/geography/load-geography.js';
import { buildTestContext, REAL_DATA, readRealText } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve } from '../support/browser.js';

// Tuesday 24 November 2026, 10:30 in Paris: counters are open.
const NOW = '2026-11-24T09:30:00Z';

describe.skipIf(!hasChromium)('the public locator in Chromium, on the real 2024 list', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let withJs: BrowserContext;
  const cspErrors: string[] = [];

  beforeAll(async () => {
    const geography = loadGeography(REAL_DATA);
    ctx = await buildTestContext({ now: NOW, geography, config: { refDir: REAL_DATA } });
    const report = await importStructures(
      { db: ctx.db, communes: geography.communes },
      Buffer.from(readRealText('france-services-2024-08.csv'), 'utf8'),
      {
        source: 'france-services-2024-08.csv',
      },
    );
    expect(report.created).toBeGreaterThan(2800);
    server = await serve(ctx);
    browser = await launchBrowser();
    withJs = await browser.newContext({ locale: 'fr-FR' });
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  async function open(context: BrowserContext, path: string): Promise<Page> {
    const page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) cspErrors.push(m.text());
    });
    await page.goto(server.url + path);
    return page;
  }

  it('searches a commune, opens a result from the keyboard and shows the week’s hours with today marked', async () => {
    const page = await open(withJs, '/');
    await expectAccessible(page, 'accueil');
    await page.getByLabel('Adresse, commune ou code postal').fill('Guise');
    await Promise.all([page.waitForURL(/\?q=Guise/), page.keyboard.press('Enter')]);
    // The URL holds the search: it can be shared.
    expect(new URL(page.url()).searchParams.get('q')).toBe('Guise');
    await expect.poll(() => page.locator('h2#resultats-titre').textContent()).toContain('près de Guise (02)');
    const results = page.locator('ol.maillage-results > li');
    expect(await results.count()).toBe(10);
    const first = results.first();
    expect(await first.textContent()).toMatch(/à \d+ m · environ \d+ min en voiture/);
    expect(await first.textContent()).toMatch(/Ouvert maintenant · ferme à \d\d:\d\d/);
    // The map island drew one point per result, plus the searched place, on department outlines.
    await page.locator('#carte').waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#carte path.leaflet-interactive').count()).toBe(11);
    // Only the departments of the results (the Aisne, maybe a neighbour), not all 101.
    await expect.poll(() => page.locator('#carte .leaflet-contours-pane path').count()).toBeGreaterThan(0);
    expect(await page.locator('#carte .leaflet-contours-pane path').count()).toBeLessThanOrEqual(4);
    await expectAccessible(page, 'résultats');

    // Keyboard only: tab to the first result's heading link, then Enter.
    const link = first.locator('h3 a');
    const name = (await link.textContent()) as string;
    await page.locator('#q').focus();
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (await link.evaluate((el) => el === document.activeElement)) break;
    }
    expect(await link.evaluate((el) => el === document.activeElement)).toBe(true);
    await Promise.all([page.waitForURL(/\/structures\//), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').textContent()).toBe(name);

    const rows = page.locator('#horaires-tableau tbody tr');
    expect(await rows.count()).toBe(7);
    const today = page.locator('#horaires-tableau tr[aria-current="date"]');
    expect(await today.count()).toBe(1);
    expect(await today.locator('th').textContent()).toContain('Mardi');
    expect(await today.locator('th').textContent()).toContain('aujourd’hui');
    expect(await today.locator('td').textContent()).toMatch(/\d\d:\d\d – \d\d:\d\d/);
    const directions = page.locator('a[href^="https://www.openstreetmap.org/directions"]');
    expect(await directions.getAttribute('rel')).toBe('noopener');
    await expectAccessible(page, 'fiche');
    await page.close();
  });

  it('asks to choose between homonyms, and finds the counters around the browser’s position', async () => {
    const page = await open(withJs, '/?q=Saint-Martin');
    expect(await page.locator('h2#precisez').textContent()).toBe('Précisez votre recherche');
    const choices = page.locator('#precisez ~ ul a');
    expect(await choices.count()).toBeGreaterThan(1);
    await expectAccessible(page, 'choix de commune');
    await Promise.all([page.waitForURL(/lat=/), choices.first().click()]);
    expect(await page.locator('ol.maillage-results > li').count()).toBeGreaterThan(0);
    await page.close();

    const located = await browser.newContext({
      locale: 'fr-FR',
      geolocation: { latitude: 49.9, longitude: 3.63 },
      permissions: ['geolocation'],
    });
    const here = await open(located, '/');
    const button = here.getByRole('button', { name: 'Autour de moi' });
    await button.waitFor({ state: 'visible' });
    await Promise.all([here.waitForURL(/lat=49\.9/), button.click()]);
    expect(await here.locator('h2#resultats-titre').textContent()).toContain('près de votre position');
    expect(await here.locator('ol.maillage-results > li').count()).toBe(10);
    await located.close();
  });

  it('works with JavaScript disabled: search, results, structure page; map and geolocation stay hidden', async () => {
    const noJs = await browser.newContext({ locale: 'fr-FR', javaScriptEnabled: false });
    const page = await open(noJs, '/');
    expect(await page.locator('#autour-de-moi').isVisible()).toBe(false);
    await page.locator('#q').fill('02120');
    // The DSFR draws the box on the label: a person clicks the label.
    await page.locator('label[for="ouvert"]').click();
    expect(await page.locator('#ouvert').isChecked()).toBe(true);
    await Promise.all([page.waitForURL(/q=02120/), page.getByRole('button', { name: 'Rechercher' }).click()]);
    expect(page.url()).toContain('ouvert=1');
    // A postal code goes straight to its most populated commune.
    expect(await page.locator('h2#resultats-titre').textContent()).toContain('près de Guise (02120)');
    const results = page.locator('ol.maillage-results > li');
    expect(await results.count()).toBeGreaterThan(0);
    for (const text of await results.allTextContents()) expect(text).toContain('Ouvert maintenant');
    expect(await page.locator('#carte').isVisible()).toBe(false);
    await Promise.all([page.waitForURL(/\/structures\//), results.first().locator('h3 a').click()]);
    expect(await page.locator('#horaires-tableau tbody tr').count()).toBe(7);
    await noJs.close();
  });

  it('lists a department and serves the embeddable search inside a frame', async () => {
    const page = await open(withJs, '/departements/02');
    const items = page.locator('ul.maillage-results > li');
    expect(await items.count()).toBeGreaterThan(20);
    await expectAccessible(page, 'département');
    await page.close();

    // A partner's site, on another origin, frames /embed.
    const partner = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html lang="fr"><title>Mairie</title><iframe title="Trouver une France Services" src="${server.url}/embed?q=Hirson" width="900" height="700"></iframe></html>`,
      );
    });
    await new Promise<void>((resolve) => partner.listen(0, '127.0.0.1', resolve));
    const host = await withJs.newPage();
    await host.goto(`http://127.0.0.1:${(partner.address() as AddressInfo).port}/`);
    const frame = host.frameLocator('iframe');
    await frame.locator('ol.maillage-results > li').first().waitFor();
    expect(await frame.locator('ol.maillage-results h3 a').first().getAttribute('target')).toBe('_blank');
    // The site's other pages refuse to be framed.
    await host.evaluate((url) => {
      const f = document.createElement('iframe');
      f.src = url;
      f.title = 'accueil';
      document.body.append(f);
    }, `${server.url}/`);
    await host.waitForTimeout(500);
    // (Chromium shows its own error page in the frame instead.)
    expect(await host.frameLocator('iframe[title="accueil"]').locator('#recherche').count()).toBe(0);
    await host.close();
    partner.close();
  });

  it('raised no Content-Security-Policy error on any page', () => {
    expect(cspErrors).toEqual([]);
  });
});
