import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import ical from 'node-ical';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMobileLoad } from '../../src/cli/commands/mobile.js';
import { type AppContext, closeContext } from '../../src/composition.js';
import { documentFile, pdfText, sampleDocument } from '../integration/mobile/support.js';
import { buildTestContext } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve } from '../support/browser.js';

// Tuesday 5 May 2026, 10:30 in Paris: the bus is at Guise.
const NOW = '2026-05-05T08:30:00Z';

describe.skipIf(!hasChromium)('France Services mobiles end to end in Chromium', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    ctx = await buildTestContext({ now: NOW });
    await runMobileLoad(ctx, documentFile(sampleDocument()));
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  it('opens the commune page, downloads the .ics and the poster, which hold the dates', async () => {
    const context = await browser.newContext({ acceptDownloads: true, locale: 'fr-FR' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await page.goto(`${server.url}/communes/02361/mobile`);
    await expect(page.locator('h1').innerText()).resolves.toBe('Le bus France Services à Guise');
    const lead = await page.locator('.fr-text--lead').innerText();
    expect(lead).toBe(
      'Le bus France Services passe à Guise le mardi 5 mai 2026 de 9 h à 12 h (Place du marché).',
    );
    await expect(page.getByText('Ouvert maintenant').count()).resolves.toBe(1);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBeGreaterThan(5);
    expect(await rows.nth(1).innerText()).toMatch(/annulé/i);

    // The calendar, through the browser's own download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: /Télécharger le calendrier/ }).click(),
    ]);
    const ics = await readFile((await download.path()) as string, 'utf8');
    const events = Object.values(ical.sync.parseICS(ics)).filter((c) => c?.type === 'VEVENT');
    const master = events.find((e) => e?.type === 'VEVENT' && e.uid === 'mobile-e1@maillage' && e.rrule);
    expect(master).toBeDefined();
    if (master?.type === 'VEVENT') {
      const may = ical.expandRecurringEvent(master, {
        from: new Date('2026-05-01T00:00:00Z'),
        to: new Date('2026-05-31T23:59:00Z'),
      });
      expect(may.map((i) => new Date(i.start).toISOString())).toEqual([
        '2026-05-05T07:00:00.000Z',
        '2026-05-12T07:00:00.000Z',
        '2026-05-19T07:00:00.000Z',
        '2026-05-26T07:00:00.000Z',
      ]);
      expect(may[1]?.event.status).toBe('CANCELLED');
    }

    // The poster, from the link on the page, in the browser's session.
    const href = await page.getByRole('link', { name: /Affiche à imprimer/ }).getAttribute('href');
    const response = await page.request.get(new URL(href ?? '', server.url).toString());
    expect(response.headers()['content-type']).toBe('application/pdf');
    const text = await pdfText(await response.body());
    expect(text).toContain('Le bus France Services');
    expect(text).toContain('Mardi 5 mai 2026');
    expect(text).toContain('Mardi 26 mai 2026');
    expect(text).toContain('Mercredi 3 juin 2026, de 10 h à 13 h');
    expect(text).toContain('ANNULÉ');

    await expectAccessible(page, 'affiche');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('shows the widget inside another site’s iframe, and no other page', async () => {
    // The mairie's site, on another origin.
    const site = createServer((_req, res) => {
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(
        `<!doctype html><html lang="fr"><title>Mairie de Guise</title><iframe title="widget" src="${server.url}/communes/02361/mobile/widget" width="600" height="400"></iframe><iframe title="page" src="${server.url}/communes/02361/mobile" width="600" height="400"></iframe></html>`,
      );
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`http://127.0.0.1:${(site.address() as AddressInfo).port}/`);
    const frame = page.frameLocator('iframe[title="widget"]');
    await expect(frame.locator('h1').innerText({ timeout: 15_000 })).resolves.toBe(
      'Le bus France Services à Guise',
    );
    expect(await frame.locator('a[target="_blank"]').count()).toBe(1);
    await page.waitForTimeout(300);
    // (Chromium shows its own "blocked" page in that frame instead.)
    expect(
      await page.frameLocator('iframe[title="page"]').getByText('Le bus France Services à Guise').count(),
    ).toBe(0);
    await context.close();
    site.close();
  });
});
