import { existsSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import type { AppContext } from '../../src/composition.js';
import { buildApp } from '../../src/http/app.js';
import { PASSWORD } from './accounts.js';

/** Debian's Chromium, never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.MAILLAGE_REQUIRE_E2E === '1') {
  throw new Error(`End-to-end tests need Debian's Chromium at ${CHROMIUM} (apt-get install chromium).`);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine has no network: background services would only fail and slow the start.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Serve a context on a free loopback port, for the browser. */
export async function serve(ctx: AppContext): Promise<{ url: string; close(): Promise<void> }> {
  const app = await buildApp(ctx);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** axe-core on the page as it is now: no serious or critical violation (the RGAA target). */
export async function expectAccessible(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page }).analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}) : ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad, label).toEqual([]);
}

/** Sign in through the real form (test accounts share one password) and wait to leave it. */
export async function signIn(page: Page, base: string, email: string, password = PASSWORD): Promise<void> {
  await page.goto(`${base}/espace/connexion`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.endsWith('/connexion')),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
}
