import { ROLE_LABELS } from '../../../domain/accounts/roles.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, type SafeHtml } from '../../html.js';
import { type Crumb, page } from '../layout.js';

/** The back-office page frame: who is signed in, a sign-out button, the breadcrumb. */
export function backOfficePage(o: {
  title: string;
  user: SessionUser;
  csrf: SafeHtml;
  body: SafeHtml;
  crumbs?: readonly Crumb[];
}): string {
  return page({
    title: o.title,
    nav: 'espace',
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: 'Mon espace', href: '/espace' },
      ...(o.crumbs ?? []),
      { label: o.title },
    ],
    body: html`<div class="fr-grid-row fr-grid-row--middle fr-mb-2w">
  <p class="fr-col fr-mb-0 fr-text--sm">Connecté : <strong>${o.user.displayName || o.user.email}</strong> — ${ROLE_LABELS[o.user.principal.role]}</p>
  <form class="fr-col-auto" method="post" action="/espace/deconnexion">${o.csrf}<button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">Se déconnecter</button></form>
</div>
${o.body}`,
  });
}

const FORMAT_DATE = new Intl.DateTimeFormat('fr-FR', {
  dateStyle: 'long',
  timeStyle: 'short',
  timeZone: 'Europe/Paris',
});
const FORMAT_DAY = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: 'Europe/Paris' });
export const frDateTime = (d: Date | string | null | undefined) =>
  d ? FORMAT_DATE.format(new Date(d)) : '—';
export const frDay = (iso: string | null | undefined) =>
  iso ? FORMAT_DAY.format(new Date(`${iso}T12:00:00Z`)) : '—';
