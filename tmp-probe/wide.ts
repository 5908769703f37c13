import { buildTestContext } from '../test/support/app.js';
import { launchBrowser, serve } from '../test/support/browser.js';
import { insertStructure } from '../test/support/accounts.js';
const ctx = await buildTestContext();
await insertStructure(ctx, { name: 'France Services de Guise' });
const server = await serve(ctx);
const browser = await launchBrowser();
const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
for (const path of ['/', '/?q=Xyzzyville', '/departements', '/donnees', '/structures/1']) {
  await page.goto(server.url + path);
  const wide = await page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('body *'))) {
      const r = el.getBoundingClientRect();
      if (r.right > 392 && r.width > 0) {
        const parentWide = el.parentElement && el.parentElement.getBoundingClientRect().right > 392;
        out.push(`${parentWide ? '  ' : ''}${el.tagName.toLowerCase()}.${(el.className || '').toString().slice(0, 60)} right=${Math.round(r.right)} w=${Math.round(r.width)} text=${(el.textContent || '').slice(0, 40).replace(/\s+/g, ' ')}`);
      }
    }
    let el: Element | null = document.getElementById('partenaire');
    while (el) { const r = el.getBoundingClientRect(); const cs = getComputedStyle(el); out.push(`${el.tagName}.${el.className} L=${Math.round(r.left)} W=${Math.round(r.width)} minw=${cs.minWidth} w=${cs.width} maxw=${cs.maxWidth} disp=${cs.display} pad=${cs.paddingLeft} mar=${cs.marginLeft}`); el = el.parentElement; }
    return { sw: document.documentElement.scrollWidth, out: out.slice(0, 40) };
  });
  console.log(path, wide.sw);
  for (const l of wide.out) console.log('   ', l);
}
await browser.close();
await server.close();
process.exit(0);
