import { type ApplicationState, STATE_LABELS } from '../../../domain/labelling/index.js';
import { html, type SafeHtml } from '../../html.js';
import { type Crumb, page } from '../layout.js';

export const BASE = '/espace/labellisation';

const BADGE: Partial<Record<ApplicationState, string>> = {
  labellisee: 'fr-badge--success',
  conforme: 'fr-badge--success',
  irrecevable: 'fr-badge--error',
  refusee: 'fr-badge--error',
  label_retire: 'fr-badge--error',
  non_conforme: 'fr-badge--warning',
  contre_visite_planifiee: 'fr-badge--warning',
  brouillon: 'fr-badge--info',
};

export const stateBadge = (s: ApplicationState) =>
  html`<p class="fr-badge fr-badge--sm ${BADGE[s] ?? 'fr-badge--new'}">${STATE_LABELS[s] ?? s}</p>`;

export const frDate = (iso: string | null | undefined) => {
  if (!iso) return '—';
  const [y, m, d] = iso.slice(0, 10).split('-');
  return `${d}/${m}/${y}`;
};

export function labellingPage(o: {
  title: string;
  body: SafeHtml;
  crumbs?: Crumb[];
  scripts?: string[];
}): string {
  return page({
    title: o.title,
    body: o.body,
    nav: 'espace',
    scripts: o.scripts,
    breadcrumb: [
      { label: 'Mon espace', href: '/espace' },
      { label: 'Labellisation', href: BASE },
      ...(o.crumbs ?? []),
    ],
  });
}

export const alert = (
  kind: 'success' | 'error' | 'info' | 'warning',
  title: string,
  text?: string | SafeHtml,
) =>
  html`<div class="fr-alert fr-alert--${kind} fr-mb-3w" role="${kind === 'error' ? 'alert' : 'status'}"><h2 class="fr-alert__title">${title}</h2>${text ? html`<p>${text}</p>` : null}</div>`;
