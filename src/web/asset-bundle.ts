import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The static files the pages load, built once per process from the installed packages and src/web/assets:
 * - one stylesheet: the DSFR core, only the components the views use, only the icons they use, Leaflet's
 *   stylesheet and ours (one render-blocking request, cached for a year);
 * - one DSFR script (core + the interactive components the views use), Leaflet's minified build, our islands.
 * Each file's name carries a hash of its content, so it can be cached as immutable; the layout asks
 * `assetHref()` for the current name. The assets plugin writes them, with .br and .gz twins, to a cache folder.
 */

const require = createRequire(import.meta.url);
const packageDir = (name: string) => dirname(require.resolve(`${name}/package.json`));
const packageVersion = (name: string): string =>
  (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;

export const DSFR_DIST = join(packageDir('@gouvfr/dsfr'), 'dist');
export const LEAFLET_DIST = join(packageDir('leaflet'), 'dist');
export const OWN_ASSETS = join(dirname(fileURLToPath(import.meta.url)), 'assets');
/** Package files (fonts, icon SVGs, Leaflet images) are served under their package version: immutable too. */
export const DSFR_PREFIX = `/assets/dsfr/${packageVersion('@gouvfr/dsfr')}/`;
export const LEAFLET_PREFIX = `/assets/leaflet/${packageVersion('leaflet')}/`;
export const BUILT_PREFIX = '/assets/v/';

/** DSFR components whose classes the views write (src/web/views, src/web/assets). A test checks the list. */
export const DSFR_COMPONENTS = [
  'alert',
  'badge',
  'breadcrumb',
  'button',
  'callout',
  'card',
  'checkbox',
  'connect',
  'footer',
  'form',
  'header',
  'input',
  'link',
  'logo',
  'modal',
  'navigation',
  'radio',
  'select',
  'skiplink',
  'table',
  'upload',
] as const;

/** Components with behaviour: the header's menu (modal, navigation), tables, buttons, checkboxes. */
const DSFR_SCRIPTS = ['button', 'checkbox', 'table', 'navigation', 'modal', 'header', 'breadcrumb'] as const;

/** Icons the views use (`fr-icon-…`). A test fails when a view uses one that is missing here. */
export const DSFR_ICONS = [
  'arrow-right-line',
  'calendar-line',
  'download-line',
  'map-pin-2-line',
  'printer-line',
  'road-map-line',
  'search-line',
] as const;

/** Our stylesheets, appended after the DSFR so they can adjust it. */
const OWN_STYLES = ['app.css', 'directory.css', 'territory.css'] as const;

export interface BuiltAsset {
  /** The name the views use: 'site.css', 'map.js'… */
  readonly logical: string;
  /** The file name served under BUILT_PREFIX: 'site.3f2a9c1b0d.css'. */
  readonly file: string;
  readonly body: Buffer;
}

/** `url(...)` in a stylesheet, made absolute: relative to its source file, under the served prefix. */
function absoluteUrls(css: string, sourceDir: string, distRoot: string, prefix: string): string {
  return css.replace(/url\((['"]?)([^'")]+)\1\)/g, (whole, quote: string, target: string) => {
    if (/^(data:|https?:|\/|#)/.test(target)) return whole;
    const path = relative(distRoot, join(sourceDir, target)).split('\\').join('/');
    if (path.startsWith('..')) return whole;
    return `url(${quote}${prefix}${posix.normalize(path)}${quote})`;
  });
}

/** Only the icon rules of the listed icons, from the DSFR's icon stylesheet. */
export function iconRules(iconsCss: string, icons: readonly string[]): { css: string; missing: string[] } {
  const rules: string[] = [];
  const missing: string[] = [];
  for (const icon of icons) {
    const selector = `.fr-icon-${icon}:after,.fr-icon-${icon}:before{`;
    const start = iconsCss.indexOf(selector);
    if (start < 0) {
      missing.push(icon);
      continue;
    }
    const end = iconsCss.indexOf('}', start);
    rules.push(iconsCss.slice(start, end + 1));
  }
  return { css: rules.join('\n'), missing };
}

function dsfrStylesheet(): string {
  const parts: string[] = [];
  const add = (file: string) => {
    const path = join(DSFR_DIST, file);
    parts.push(absoluteUrls(readFileSync(path, 'utf8'), dirname(path), DSFR_DIST, DSFR_PREFIX));
  };
  add('core/core.main.min.css');
  for (const c of DSFR_COMPONENTS) add(`component/${c}/${c}.main.min.css`);
  const iconsDir = join(DSFR_DIST, 'utility', 'icons');
  const { css, missing } = iconRules(readFileSync(join(iconsDir, 'icons.main.min.css'), 'utf8'), DSFR_ICONS);
  if (missing.length) throw new Error(`Icônes DSFR inconnues : ${missing.join(', ')}`);
  parts.push(absoluteUrls(css, iconsDir, DSFR_DIST, DSFR_PREFIX));
  return parts.join('\n');
}

function siteStylesheet(): string {
  const leaflet = absoluteUrls(
    readFileSync(join(LEAFLET_DIST, 'leaflet.css'), 'utf8'),
    LEAFLET_DIST,
    LEAFLET_DIST,
    LEAFLET_PREFIX,
  );
  const own = OWN_STYLES.map((f) => readFileSync(join(OWN_ASSETS, f), 'utf8'));
  return [dsfrStylesheet(), leaflet, ...own].join('\n');
}

/** The DSFR's module scripts share `window.dsfr`; each is wrapped in a block so their top-level names stay apart. */
function dsfrScript(): string {
  const files = ['core/core.module.min.js', ...DSFR_SCRIPTS.map((c) => `component/${c}/${c}.module.min.js`)];
  return files
    .map((f) => `{\n${readFileSync(join(DSFR_DIST, f), 'utf8').replace(/\/\/# sourceMappingURL=\S+/, '')}\n}`)
    .join('\n');
}

const hashed = (logical: string, body: Buffer): BuiltAsset => {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = logical.lastIndexOf('.');
  return { logical, file: `${logical.slice(0, dot)}.${hash}${logical.slice(dot)}`, body };
};

let built: ReadonlyMap<string, BuiltAsset> | null = null;

/** Every built asset by logical name; computed on first use (about 1 MB read, no compression here). */
export function builtAssets(): ReadonlyMap<string, BuiltAsset> {
  if (built) return built;
  const assets: BuiltAsset[] = [
    hashed('site.css', Buffer.from(siteStylesheet())),
    hashed('nojs.css', readFileSync(join(OWN_ASSETS, 'nojs.css'))),
    hashed('dsfr.js', Buffer.from(dsfrScript())),
    hashed('leaflet.js', readFileSync(join(LEAFLET_DIST, 'leaflet.js'))),
    ...['map.js', 'geolocate.js', 'labelling-grid.js', 'territory-chart.js', 'counter-offline.js'].map((f) =>
      hashed(f, readFileSync(join(OWN_ASSETS, f))),
    ),
  ];
  built = new Map(assets.map((a) => [a.logical, a]));
  return built;
}

/** Classic scripts an island needs first (Leaflet's build sets `window.L`). */
export const ISLAND_NEEDS: Readonly<Record<string, readonly string[]>> = { 'map.js': ['leaflet.js'] };

/** The fingerprinted URL of a built asset; an unknown name is a programming error. */
export function assetHref(logical: string): string {
  const asset = builtAssets().get(logical);
  if (!asset) throw new Error(`Fichier statique inconnu : ${logical}`);
  return BUILT_PREFIX + asset.file;
}

/** Stylesheets that are part of site.css: views may still name them; the layout drops them. */
export const BUNDLED_STYLES = new Set([
  ...OWN_STYLES.map((f) => `/assets/app/${f}`),
  '/assets/leaflet/leaflet.css',
]);
