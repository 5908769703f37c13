import { randomUUID } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppContext, closeContext } from '../../src/composition.js';
import { createUser, insertStructure } from '../support/accounts.js';
import { buildTestContext } from '../support/app.js';
import { expectAccessible, hasChromium, launchBrowser, serve, signIn } from '../support/browser.js';

describe.skipIf(!hasChromium)('pilotage dashboard in Chromium', () => {
  let ctx: AppContext;
  let server: { url: string; close(): Promise<void> };
  let browser: Browser;
  let email = '';

  beforeAll(async () => {
    ctx = await buildTestContext();
    const s = await insertStructure(ctx, { name: 'France Services de Guise', departement: '02' });
    const items = Array.from({ length: 30 }, (_, i) => ({
      id: randomUUID(),
      id_fs: s.idFs,
      debut: `2026-${String(1 + (i % 10)).padStart(2, '0')}-0${1 + (i % 8)}T09:00:00Z`,
      duree_min: 15,
      canal: i % 3 === 0 ? 'telephone' : 'guichet',
      partenaire: i % 2 === 0 ? 'caf' : 'ants',
      resultat: 'resolu',
    }));
    await ctx.accompagnement.writeBatch({ kind: 'operator' }, items, { mode: 'api', source: 'test' });
    email = (await createUser(ctx, { role: 'animateur_departemental', departement: '02' })).email;
    server = await serve(ctx);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (ctx) await closeContext(ctx);
  });

  it('the department dashboard is axe-clean, its GET form and its errors too', async () => {
    const page = await (await browser.newContext()).newPage();
    await signIn(page, server.url, email);
    await page.goto(`${server.url}/espace/pilotage?territoire=dep:02&du=2026-01-01&au=2026-11-24`);
    await page.getByRole('heading', { level: 1, name: /Aisne/ }).waitFor();
    expect(await page.locator('svg[role="img"]').count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('table').count()).toBeGreaterThanOrEqual(6);
    await expectAccessible(page, 'tableau de bord départemental');
    // The GET form works without JS: a reversed range answers the message linked to its field.
    await page.fill('#f-du', '2026-12-01');
    await page.getByRole('button', { name: 'Afficher' }).click();
    await page.locator('#f-au-erreur').waitFor();
    expect(await page.locator('#f-au').getAttribute('aria-describedby')).toBe('f-au-erreur');
    await expectAccessible(page, 'tableau de bord, erreur');
  });
});
