import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assetHref, builtAssets, DSFR_ICONS, iconRules, OWN_ASSETS } from './asset-bundle.js';

const VIEWS = join(import.meta.dirname, 'views');

/** Every view and island source: where DSFR classes are written. */
function sources(): { file: string; text: string }[] {
  const views = readdirSync(VIEWS, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))
    .map((f) => join(VIEWS, f));
  const islands = readdirSync(OWN_ASSETS)
    .filter((f) => f.endsWith('.js'))
    .map((f) => join(OWN_ASSETS, f));
  return [...views, ...islands].map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** Class names written whole (not built from a template like `fr-badge--${tone}`). */
const literalClasses = (text: string, pattern: RegExp) =>
  [...text.matchAll(pattern)].map((m) => m[1] as string).filter((c) => !/[-_]$/.test(c));

describe('the site stylesheet', () => {
  const css = builtAssets().get('site.css')?.body.toString() ?? '';

  it('holds a rule for every icon a view uses, and the icon list holds no icon left unused', () => {
    const used = new Set(sources().flatMap(({ text }) => literalClasses(text, /\bfr-icon-([a-z0-9-]+)/g)));
    expect([...used].filter((i) => !(DSFR_ICONS as readonly string[]).includes(i))).toEqual([]);
    expect(DSFR_ICONS.filter((i) => !used.has(i))).toEqual([]);
    for (const icon of DSFR_ICONS) expect(css).toContain(`.fr-icon-${icon}:before`);
  });

  it('defines every DSFR class the views write, so a new component is not forgotten', () => {
    // Classes with no rule of their own in the DSFR's main stylesheets (styled through a parent, as
    // .fr-input-group--error .fr-input, or hooks for its scripts); fr-col-auto is not a DSFR class at all.
    const noRule = new Set([
      'fr-scheme',
      'fr-table__container',
      'fr-header__body',
      'fr-input--error',
      'fr-col-auto',
    ]);
    const missing = new Set<string>();
    for (const { file, text } of sources()) {
      for (const name of literalClasses(text, /(?<![\w-])(fr-[a-z0-9]+(?:[-_]{1,2}[a-z0-9]+)*)/g)) {
        if (name.startsWith('fr-icon-') || noRule.has(name)) continue;
        if (!new RegExp(`\\.${name}(?![a-z0-9_-])`).test(css)) missing.add(`${name} (${file})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it('points fonts and icons at the versioned package paths', () => {
    expect(css).toMatch(/url\(\/assets\/dsfr\/\d+\.\d+\.\d+\/fonts\/Marianne-Regular\.woff2\)/);
    expect(css).not.toMatch(/url\(\.\.?\//);
    // The whole DSFR (728 KB) and its icon sheet (356 KB) were sent before.
    expect(css.length).toBeLessThan(480_000);
  });
});

describe('icon rules', () => {
  it('takes only the listed icons and names the unknown ones', () => {
    const sheet =
      '.fr-icon-a-line:after,.fr-icon-a-line:before{mask-image:url(a.svg)}.fr-icon-b-line:after,.fr-icon-b-line:before{mask-image:url(b.svg)}';
    expect(iconRules(sheet, ['b-line', 'zz'])).toEqual({
      css: '.fr-icon-b-line:after,.fr-icon-b-line:before{mask-image:url(b.svg)}',
      missing: ['zz'],
    });
  });
});

describe('fingerprinted names', () => {
  it('change with the content and refuse unknown names', () => {
    expect(assetHref('map.js')).toMatch(/^\/assets\/v\/map\.[0-9a-f]{12}\.js$/);
    expect(() => assetHref('../secret.js')).toThrow(/inconnu/);
  });
});
