import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMobileLoad } from '../../src/cli/commands/mobile.js';
import { runRefLoad } from '../../src/cli/commands/territory.js';
import { type AppContext, closeContext } from '../../src/composition.js';
import { documentFile, sampleDocument } from '../integration/mobile/support.js';
import { buildTestContext } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve } from '../support/browser.js';
import { territoryFixtureDir } from '../support/territory-fixtures.js';

// Tuesday 5 May 2026, 10:30 in Paris: the bus is at Guise.
const NOW = '2026-05-05T08:30:00Z';
/** Screenshots kept as artefacts of the run (git-ignored), to be looked at. */
const ARTEFACTS = join(import.meta.dirname, '..', '..', 'artefacts', 'screenshots');
const WIDTHS = [390, 1280] as const;

/**
 * What the eye checks on a button or a label: its text is rendered (not hidden, not clipped by the
 * element's own box), and fits in the number of lines given.
 */
async function textLayout(target: Locator) {
  return target.evaluate((el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    const text = range.getBoundingClientRect();
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    const lineHeight = Number.parseFloat(style.lineHeight) || Number.parseFloat(style.fontSize) * 1.5;
    const lines = Array.from(range.getClientRects()).reduce<number[]>(
      (tops, r) =>
        r.width > 0 && !tops.some((t) => Math.abs(t - r.top) < lineHeight / 2) ? [...tops, r.top] : tops,
      [],
    ).length;
    return {
      innerText: (el as HTMLElement).innerText.trim(),
      textWidth: text.width,
      boxWidth: box.width,
      clipped: el.scrollWidth > el.clientWidth + 1 && style.overflow !== 'visible',
      lines,
      transparent: style.color === 'rgba(0, 0, 0, 0)',
    };
  });
}

describe.skipIf(!hasChromium)('pages looked at: phone and desktop screenshots, labels that show', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(ARTEFACTS, { recursive: true });
    ctx = await buildTestContext({ now: NOW });
    await runMobileLoad(ctx, documentFile(sampleDocument()));
    expect((await runRefLoad(ctx, territoryFixtureDir())).loaded).toBe(true);
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  async function at(width: number, path: string, name: string): Promise<Page> {
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width, height: width < 600 ? 844 : 900 },
    });
    const page = await context.newPage();
    await page.goto(server.url + path, { waitUntil: 'networkidle' });
    await page.screenshot({ path: join(ARTEFACTS, `${name}-${width}.png`), fullPage: true });
    return page;
  }

  it('shows the calendar button’s label on a bus page, at both widths', async () => {
    for (const width of WIDTHS) {
      const page = await at(width, '/mobile/bus-tso', 'mobile-bus');
      const layout = await textLayout(page.getByRole('link', { name: /Télécharger le calendrier/ }));
      expect(layout.innerText).toBe('Télécharger le calendrier (.ics)');
      expect(layout.transparent).toBe(false);
      expect(layout.clipped, `${width}px`).toBe(false);
      expect(layout.boxWidth, `${width}px`).toBeGreaterThan(layout.textWidth);
      expect(layout.textWidth, `${width}px`).toBeGreaterThan(150);
      await expectAccessible(page, `bus ${width}px`);
      await page.context().close();
    }
  });

  it('shows the print button’s label on a commune’s bus page, at both widths', async () => {
    for (const width of WIDTHS) {
      const page = await at(width, '/communes/02361/mobile', 'commune-bus');
      const layout = await textLayout(page.getByRole('link', { name: /Affiche à imprimer/ }));
      expect(layout.innerText).toBe('Affiche à imprimer (PDF, A4)');
      expect(layout.clipped, `${width}px`).toBe(false);
      expect(layout.boxWidth, `${width}px`).toBeGreaterThan(layout.textWidth);
      expect(layout.textWidth, `${width}px`).toBeGreaterThan(120);
      await expectAccessible(page, `commune ${width}px`);
      await page.context().close();
    }
  });

  it('keeps the planning choice « Les k meilleures communes » on one line, at both widths', async () => {
    for (const width of WIDTHS) {
      const page = await at(width, '/territoires/planification', 'planification');
      const layout = await textLayout(page.locator('label[for="mode-plan"]'));
      expect(layout.innerText).toBe('Les k meilleures communes');
      expect(layout.lines, `${width}px`).toBe(1);
      await page.context().close();
    }
  });
});
