/**
 * Screenshots of every public and back-office page at 390 px and 1280 px, in Debian's Chromium, to be looked at
 * (issue 16: "looked at, not only tested"). Real list and reference folder from ../shared/data, the sample bus
 * tours, a national administrator signed in. PNGs go to artefacts/screenshots/all/ (git-ignored).
 *
 *   npx tsx bench/screenshots.ts [filter]      (filter: only the pages whose name contains it)
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { runMobileLoad } from '../src/cli/commands/mobile.js';
import { runRefLoad } from '../src/cli/commands/territory.js';
import { documentFile, sampleDocument } from '../test/integration/mobile/support.js';
import { createUser, PASSWORD } from '../test/support/accounts.js';
import { SHARED_DATA } from '../test/support/app.js';
import { launchBrowser } from '../test/support/browser.js';
import { startRealSite } from '../test/support/real-site.js';

const OUT = join(import.meta.dirname, '..', 'artefacts', 'screenshots', 'all');
const WIDTHS = (process.env.SCREEN_WIDTHS ?? '390,1280').split(',').map(Number);
const overflowing: string[] = [];
const filter = process.argv[2] ?? '';

mkdirSync(OUT, { recursive: true });
// Tuesday 5 May 2026, 10:30 in Paris: counters open, the sample bus at Guise.
const site = await startRealSite('2026-05-05T08:30:00Z');
await runRefLoad(site.ctx, SHARED_DATA);
const near = await site.ctx.locator.nearest({ lat: 49.9, lon: 3.63, limit: 10 });
const structureId = near[0]?.structure.id ?? '';
// The sample tours, attached to the real bus nearest to Guise.
const bus = near.find((r) => r.structure.format === 'bus');
const tours = sampleDocument();
for (const unit of tours.units) unit.structure = bus?.structure.idFs ?? unit.structure;
await runMobileLoad(site.ctx, documentFile(tours));
const national = await createUser(site.ctx, { role: 'national', name: 'Équipe ANCT' });
const agent = await createUser(site.ctx, { role: 'agent', structureIds: [structureId], name: 'Agent Guise' });

const pages: Array<[name: string, path: string, signedIn?: boolean | 'agent']> = [
  ['accueil', '/'],
  ['recherche-guise', '/?q=Guise'],
  ['recherche-homonymes', '/?q=Saint-Martin'],
  ['recherche-introuvable', '/?q=Xyzzyville'],
  ['recherche-erreur', '/?lat=abc&lon=1'],
  ['structure', `/structures/${structureId}`],
  ['departements', '/departements'],
  ['departement-02', '/departements/02'],
  ['donnees', '/donnees'],
  ['accessibilite', '/accessibilite'],
  ['embed', '/embed?q=Guise'],
  ['introuvable-404', '/structures/inconnue'],
  ['territoires', '/territoires'],
  ['territoires-dep-02', '/territoires/dep/02'],
  ['territoires-methode', '/territoires/methode'],
  ['territoires-planification', '/territoires/planification'],
  ['mobile-bus', '/mobile/bus-tso'],
  ['commune-bus', '/communes/02361/mobile'],
  ['commune-bus-widget', '/communes/02361/mobile/widget'],
  ['connexion', '/espace/connexion'],
  ['mot-de-passe-oublie', '/espace/mot-de-passe-oublie'],
  ['espace', '/espace', true],
  ['espace-national', '/espace/national', true],
  ['espace-departement-02', '/espace/departements/02', true],
  ['espace-structure', `/espace/structures/${structureId}`, true],
  ['espace-structure-agents', `/espace/structures/${structureId}/agents`, true],
  ['espace-structure-historique', `/espace/structures/${structureId}/historique`, true],
  ['espace-inviter', '/espace/inviter', true],
  ['espace-courriels', '/espace/courriels', true],
  ['espace-labellisation', '/espace/labellisation', true],
  ['territoires-planification-connecte', '/territoires/planification', true],
  ['espace-import', '/espace/import', true],
  ['espace-accompagnements', '/espace/accompagnements', 'agent'],
  ['espace-rappels', '/espace/rappels', 'agent'],
  ['espace-demarches', '/espace/accompagnements/demarches', true],
  ['structure-rappel', `/structures/${structureId}/rappel`],
  ['structure-rendez-vous', `/structures/${structureId}/rendez-vous`],
  ['statistiques', '/statistiques'],
  ['espace-pilotage-national', '/espace/pilotage?territoire=FR', true],
  ['espace-pilotage-structure', `/espace/pilotage?territoire=structure:${structureId}`, 'agent'],
  ['espace-escalade-suivi', '/espace/escalade/suivi', true],
  ['espace-escalade-agent', '/espace/escalade', 'agent'],
  ['espace-rendez-vous-agent', '/espace/rendez-vous', 'agent'],
  ['espace-rendez-vous-configuration', `/espace/rendez-vous/configuration?structure=${structureId}`, 'agent'],
  ['espace-rendez-vous-statistiques', '/espace/rendez-vous/statistiques', true],
  ['recherche-rendez-vous-en-ligne', '/?q=Guise&rdv=1'],
];

async function signIn(page: Page, email = national.email) {
  await page.goto(`${site.url}/espace/connexion`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(PASSWORD);
  await Promise.all([
    page.waitForURL(`${site.url}/espace`),
    page.getByRole('button', { name: 'Se connecter' }).click(),
  ]);
}

const browser = await launchBrowser();
try {
  for (const width of WIDTHS) {
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width, height: width < 600 ? 844 : 900 },
    });
    const anonymous = await context.newPage();
    const signed = await (
      await browser.newContext({ locale: 'fr-FR', viewport: { width, height: width < 600 ? 844 : 900 } })
    ).newPage();
    await signIn(signed);
    const asAgent = await (
      await browser.newContext({ locale: 'fr-FR', viewport: { width, height: width < 600 ? 844 : 900 } })
    ).newPage();
    await signIn(asAgent, agent.email);
    for (const [name, path, signedIn] of pages) {
      if (filter && !name.includes(filter)) continue;
      const page = signedIn === 'agent' ? asAgent : signedIn ? signed : anonymous;
      // National figures on the real data take a while on a busy machine: wait, and go on if one page fails.
      try {
        const response = await page.goto(site.url + path, { waitUntil: 'networkidle', timeout: 180_000 });
        const file = join(OUT, `${name}-${width}.png`);
        await page.screenshot({ path: file, fullPage: true });
        // A page wider than the screen scrolls sideways: the one layout fault a screenshot hides.
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scrollWidth > width) overflowing.push(`${name} at ${width}px: ${scrollWidth}px wide`);
        console.log(`${response?.status()} ${width}px ${path} → ${file}`);
      } catch (error) {
        console.log(`ÉCHEC ${width}px ${path} : ${(error as Error).message.split('\n')[0]}`);
      }
    }
  }
} finally {
  await browser.close();
  await site.close();
}
console.log(
  overflowing.length
    ? `Pages plus larges que l’écran :\n${overflowing.join('\n')}`
    : 'Aucune page plus large que l’écran.',
);
