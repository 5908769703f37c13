import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, hasChromium, launchBrowser } from '../support/browser.js';
import { measureTransfer, type RealSite, startRealSite } from '../support/real-site.js';

/** Issue 16 budgets for /?q=Guise, in bytes transferred. */
const FIRST_VISIT_BUDGET = 350 * 1024;
const REPEAT_VISIT_BUDGET = 30 * 1024;
/** Screenshots kept as artefacts (git-ignored). */
const ARTEFACTS = join(import.meta.dirname, '..', '..', 'artefacts', 'screenshots');

describe.skipIf(!hasChromium)('light pages: /?q=Guise on the real list', () => {
  let site: RealSite;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    site = await startRealSite();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
  });

  it('stays within 350 KB on a first visit and 30 KB on a repeat visit, compressed and cached', async () => {
    const context = await browser.newContext({ locale: 'fr-FR', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const url = `${site.url}/?q=Guise`;
    const first = await measureTransfer(page, async () => {
      await page.goto(url, { waitUntil: 'networkidle' });
      await page.locator('#carte .leaflet-contours-pane path').first().waitFor();
    });
    const report = first.byUrl.map((r) => `${r.bytes}\t${r.url}`).join('\n');
    expect(first.bytes, report).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
    // The map shows the Aisne and its neighbours only, not the 101 departments.
    const outlines = await page.locator('#carte .leaflet-contours-pane path').count();
    expect(outlines).toBeGreaterThanOrEqual(1);
    expect(outlines).toBeLessThanOrEqual(4);
    expect(first.byUrl.some((r) => r.url.includes('/geo/departements.geojson?dep=02'))).toBe(true);

    const repeat = await measureTransfer(page, async () => {
      await page.goto(url, { waitUntil: 'networkidle' });
      await page.locator('#carte .leaflet-contours-pane path').first().waitFor();
    });
    expect(repeat.bytes, repeat.byUrl.map((r) => `${r.bytes}\t${r.url}`).join('\n')).toBeLessThanOrEqual(
      REPEAT_VISIT_BUDGET,
    );
    // Only the page itself came back over the wire: every asset came from the cache.
    expect(repeat.byUrl.filter((r) => r.bytes > 0 && r.url.includes('/assets/'))).toEqual([]);
    await context.close();
  });

  it('serves fingerprinted, precompressed assets cached for a year, and pages that are not cached long', async () => {
    const page = await fetch(`${site.url}/?q=Guise`, { headers: { 'accept-encoding': 'br, gzip' } });
    expect(page.headers.get('content-encoding')).toBe('br');
    expect(page.headers.get('cache-control')).toBe('no-cache');
    const body = await page.text();
    const css = body.match(/href="(\/assets\/v\/site\.[0-9a-f]{12}\.css)"/)?.[1];
    const leaflet = body.match(/src="(\/assets\/v\/leaflet\.[0-9a-f]{12}\.js)"/)?.[1];
    expect(css).toBeDefined();
    expect(leaflet).toBeDefined();
    for (const [encoding, expected] of [
      ['br', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const res = await fetch(site.url + css, { headers: { 'accept-encoding': encoding } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(expected);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(await res.text()).toContain('.fr-header');
    }
    // Leaflet's minified build, not its 400 KB source.
    const js = await fetch(site.url + leaflet, { headers: { 'accept-encoding': 'identity' } });
    expect((await js.arrayBuffer()).byteLength).toBeLessThan(160_000);
  });

  it('puts the first result within the first screen of a phone, with the menu and the filters folded', async () => {
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    await page.goto(`${site.url}/?q=Guise`, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(ARTEFACTS, 'recherche-guise-390.png') });
    const top = (await page.locator('#resultat-1').boundingBox())?.y ?? Number.POSITIVE_INFINITY;
    expect(top).toBeLessThan(700);
    // The navigation sits behind the DSFR "Menu" button, which opens it.
    const nav = page.getByRole('link', { name: 'Par département' });
    expect(await nav.isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Menu' }).click();
    await nav.waitFor({ state: 'visible' });
    await page.getByRole('button', { name: 'Fermer' }).click();
    await nav.waitFor({ state: 'hidden' });
    // Filters fold under "Affiner la recherche" and open with a tap.
    const partner = page.getByLabel('Partenaire dont vous avez besoin');
    expect(await partner.isVisible()).toBe(false);
    await page.getByText('Affiner la recherche').click();
    expect(await partner.isVisible()).toBe(true);
    await expectAccessible(page, 'résultats à 390 px');
    await context.close();
  });

  it('works without JavaScript on a phone: the menu shows in place, the filters still fold and open', async () => {
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 390, height: 844 },
      javaScriptEnabled: false,
    });
    const page = await context.newPage();
    await page.goto(`${site.url}/?q=Guise`);
    await page.screenshot({ path: join(ARTEFACTS, 'recherche-guise-390-sans-js.png'), fullPage: true });
    expect(await page.getByRole('link', { name: 'Par département' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Menu' }).isVisible()).toBe(false);
    expect(await page.locator('ol.maillage-results > li').count()).toBe(10);
    await page.getByText('Affiner la recherche').click();
    await page.getByText('Ouvert maintenant', { exact: true }).click();
    await Promise.all([
      page.waitForURL(/ouvert=1/),
      page.getByRole('button', { name: 'Appliquer les filtres' }).click(),
    ]);
    expect(await page.locator('summary').textContent()).toContain('1 filtre actif');
    await context.close();
  });
});
