import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRefLoad } from '../../src/cli/commands/territory.js';
import { type AppContext, closeContext } from '../../src/composition.js';
import { insertStructures } from '../../src/db/repositories/directory.repository.js';
import { buildTestContext } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve } from '../support/browser.js';
import { aStructure } from '../support/structures.js';
import { territoryFixtureDir } from '../support/territory-fixtures.js';

describe.skipIf(!hasChromium)('territorial dashboard in Chromium (hand-written geography)', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    ctx = await buildTestContext();
    expect((await runRefLoad(ctx, territoryFixtureDir())).loaded).toBe(true);
    await insertStructures(ctx.db, [
      aStructure({
        idFs: 'FS1',
        codeInsee: '02001',
        departement: '02',
        lat: 49.0,
        lon: 3.0,
        labelledOn: '2020-01-15',
      }),
      aStructure({
        idFs: 'FS2',
        codeInsee: '02004',
        departement: '02',
        lat: 49.5,
        lon: 3.0,
        labelledOn: '2021-03-01',
      }),
    ]);
    server = await serve(ctx);
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  it('works without JavaScript: map, tiles, tables sorted by their header links', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${server.url}/territoires/dep/02`);
    await expect(page.locator('h1').textContent()).resolves.toContain('Aisne');
    expect(await page.locator('svg.maillage-choropleth circle').count()).toBeGreaterThan(3);
    await page.getByRole('link', { name: /^Population \(communes entières\)/ }).click();
    expect(page.url()).toContain('tri=cantons-non-couverts%3Apopulation%3Aasc');
    await page
      .getByRole('link', { name: /^Structures/ })
      .first()
      .click();
    expect(await page.locator('#territoires th[aria-sort]').textContent()).toContain('Structures');
    await context.close();
  });

  it('the timeline island reads the cumulative count with the keyboard', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/territoires`);
    const readout = page.locator('.maillage-timeline__readout');
    await expect(readout.textContent()).resolves.toContain('2021-03 : 2 structures');
    await page.locator('svg.maillage-timeline').focus();
    await page.keyboard.press('ArrowLeft');
    await expect(readout.textContent()).resolves.toContain('2020-01 : 1 structures');
    await page.close();
  });

  it('has no serious or critical accessibility violation', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    for (const path of [
      '/territoires',
      '/territoires/dep/02',
      '/territoires/canton/0202',
      '/territoires/methode',
      '/territoires/planification',
    ]) {
      await page.goto(`${server.url}${path}`);
      await expectAccessible(page, path);
    }
    await context.close();
  });
});
