import { assetHref, BUNDLED_STYLES, DSFR_PREFIX, ISLAND_NEEDS } from '../asset-bundle.js';
import { html, type SafeHtml } from '../html.js';

export interface Crumb {
  readonly label: string;
  readonly href?: string;
}

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  readonly description?: string;
  readonly breadcrumb?: readonly Crumb[];
  /** Module scripts under /assets/app/ (small islands: map, charts). Pages work without them. */
  readonly scripts?: readonly string[];
  readonly styles?: readonly string[];
  /** Current navigation entry, for aria-current. */
  readonly nav?: 'recherche' | 'departements' | 'territoires' | 'api' | 'espace';
  /** Page shown inside an iframe: no header or footer. */
  readonly embed?: boolean;
  /** Extra navigation entries (e.g. the back office when signed in). */
  readonly extraNav?: readonly { readonly label: string; readonly href: string; readonly key: string }[];
}

const SERVICE_NAME = 'France Services';
const SERVICE_TAGLINE = 'Trouver de l’aide pour vos démarches administratives près de chez vous';

const NAV: ReadonlyArray<{ key: PageOptions['nav']; label: string; href: string }> = [
  { key: 'recherche', label: 'Trouver une France Services', href: '/' },
  { key: 'departements', label: 'Par département', href: '/departements' },
  { key: 'territoires', label: 'Couverture territoriale', href: '/territoires' },
  { key: 'api', label: 'Données et API', href: '/donnees' },
  { key: 'espace', label: 'Espace agents', href: '/espace' },
];

/** Stylesheets beyond site.css (which already holds the DSFR, Leaflet's and ours). */
const extraStyles = (o: PageOptions) => (o.styles ?? []).filter((s) => !BUNDLED_STYLES.has(s));

const head = (o: PageOptions) => html`<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1, shrink-to-fit=no">
<meta name="format-detection" content="telephone=no">
<title>${o.title} — ${SERVICE_NAME}</title>
${o.description ? html`<meta name="description" content="${o.description}">` : null}
<link rel="stylesheet" href="${assetHref('site.css')}">
<noscript><link rel="stylesheet" href="${assetHref('nojs.css')}"></noscript>
${extraStyles(o).map((s) => html`<link rel="stylesheet" href="${s}">`)}
<link rel="icon" href="${DSFR_PREFIX}favicon/favicon.svg" type="image/svg+xml">`;

/**
 * Our islands by name (fingerprinted), each after the classic scripts it needs; all run after parsing.
 * Low fetch priority: on a slow line the stylesheet and fonts of the first paint go first.
 */
function scripts(o: PageOptions): SafeHtml {
  const islands = o.scripts ?? [];
  const needs = [...new Set(islands.flatMap((s) => ISLAND_NEEDS[s] ?? []))];
  return html`<script type="module" src="${assetHref('dsfr.js')}"></script>
${needs.map((s) => html`<script defer fetchpriority="low" src="${assetHref(s)}"></script>`)}
${islands.map((s) => html`<script type="module" fetchpriority="low" src="${assetHref(s)}"></script>`)}`;
}

function header(o: PageOptions): SafeHtml {
  const entries = [...NAV, ...(o.extraNav ?? [])];
  return html`<header role="banner" class="fr-header">
  <div class="fr-header__body"><div class="fr-container"><div class="fr-header__body-row">
    <div class="fr-header__brand fr-enlarge-link">
      <div class="fr-header__brand-top">
        <div class="fr-header__logo"><p class="fr-logo">République<br>Française</p></div>
        <div class="fr-header__navbar">
          <button class="fr-btn--menu fr-btn" data-fr-opened="false" aria-controls="menu-principal" aria-haspopup="dialog" id="bouton-menu" title="Menu">Menu</button>
        </div>
      </div>
      <div class="fr-header__service">
        <a href="/" title="Accueil — ${SERVICE_NAME}"><p class="fr-header__service-title">${SERVICE_NAME}</p></a>
        <p class="fr-header__service-tagline">${SERVICE_TAGLINE}</p>
      </div>
    </div>
  </div></div></div>
  <div class="fr-header__menu fr-modal" id="menu-principal" aria-labelledby="bouton-menu"><div class="fr-container">
    <button class="fr-btn--close fr-btn" aria-controls="menu-principal" title="Fermer">Fermer</button>
    <div class="fr-header__menu-links"></div>
    <nav class="fr-nav" id="navigation" role="navigation" aria-label="Menu principal">
      <ul class="fr-nav__list">
        ${entries.map(
          (e) =>
            html`<li class="fr-nav__item"><a class="fr-nav__link" href="${e.href}"${o.nav === e.key ? html` aria-current="page"` : null}>${e.label}</a></li>`,
        )}
      </ul>
    </nav>
  </div></div>
</header>`;
}

function breadcrumb(crumbs: readonly Crumb[]): SafeHtml {
  return html`<nav role="navigation" class="fr-breadcrumb" aria-label="vous êtes ici :">
  <ol class="fr-breadcrumb__list">
    ${crumbs.map((c, i) =>
      i === crumbs.length - 1 || !c.href
        ? html`<li><a class="fr-breadcrumb__link" aria-current="page">${c.label}</a></li>`
        : html`<li><a class="fr-breadcrumb__link" href="${c.href}">${c.label}</a></li>`,
    )}
  </ol>
</nav>`;
}

const footer = html`<footer class="fr-footer" role="contentinfo" id="pied-de-page">
  <div class="fr-container">
    <div class="fr-footer__body">
      <div class="fr-footer__brand fr-enlarge-link">
        <a href="/" title="Retour à l’accueil — ${SERVICE_NAME}"><p class="fr-logo">République<br>Française</p></a>
      </div>
      <div class="fr-footer__content">
        <p class="fr-footer__content-desc">Le réseau France Services est piloté par l’Agence nationale de la cohésion des territoires (ANCT) avec les préfectures. Les données viennent de la liste officielle publiée sur data.gouv.fr, sous Licence Ouverte.</p>
      </div>
    </div>
    <div class="fr-footer__bottom">
      <ul class="fr-footer__bottom-list">
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/accessibilite">Accessibilité : partiellement conforme</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/donnees">Données et API</a></li>
        <li class="fr-footer__bottom-item"><a class="fr-footer__bottom-link" href="/api/docs">Documentation de l’API</a></li>
      </ul>
    </div>
  </div>
</footer>`;

const skiplinks = html`<div class="fr-skiplinks">
  <nav class="fr-container" role="navigation" aria-label="Accès rapide">
    <ul class="fr-skiplinks__list">
      <li><a class="fr-link" href="#contenu">Contenu</a></li>
      <li><a class="fr-link" href="#navigation">Menu</a></li>
      <li><a class="fr-link" href="#pied-de-page">Pied de page</a></li>
    </ul>
  </nav>
</div>`;

/** A whole page, in French, with the State design system. */
export function page(o: PageOptions): string {
  if (o.embed) {
    return `<!doctype html>${html`<html lang="fr" data-fr-scheme="light">
<head>${head(o)}</head>
<body class="maillage-embed">
<main id="contenu" role="main" tabindex="-1" class="fr-p-2w">${o.body}</main>
${scripts(o)}
</body></html>`}`;
  }
  return `<!doctype html>${html`<html lang="fr" data-fr-scheme="light">
<head>${head(o)}</head>
<body>
${skiplinks}
${header(o)}
<main id="contenu" role="main" tabindex="-1" class="fr-container fr-pb-6w">
${o.breadcrumb ? breadcrumb(o.breadcrumb) : html`<div class="fr-mt-4w"></div>`}
${o.body}
</main>
${footer}
${scripts(o)}
</body></html>`}`;
}

/** A plain French message page (errors, empty states). */
export function messagePage(title: string, message: SafeHtml | string, actions?: SafeHtml): string {
  return page({
    title,
    body: html`<h1>${title}</h1><p class="fr-text--lead">${message}</p>${actions ?? null}`,
  });
}
