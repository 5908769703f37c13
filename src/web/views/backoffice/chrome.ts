import { ROLE_LABELS } from '../../../domain/accounts/roles.js';
import { isOverseasZone, METROPOLITAN_ZONE, type TimeZone } from '../../../domain/shared/time-zone.js';
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
  /** Islands (module scripts); the page works without them. */
  scripts?: readonly string[];
}): string {
  return page({
    title: o.title,
    nav: 'espace',
    scripts: o.scripts,
    // The home of /espace is itself "Mon espace": it ends the trail rather than appearing twice.
    breadcrumb:
      o.title === 'Mon espace'
        ? [{ label: 'Accueil', href: '/' }, { label: o.title }]
        : [
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

const dateTimeFormats = new Map<TimeZone, Intl.DateTimeFormat>();
const dateTimeFormat = (zone: TimeZone) => {
  let f = dateTimeFormats.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeStyle: 'short', timeZone: zone });
    dateTimeFormats.set(zone, f);
  }
  return f;
};
// A date without time: read at noon UTC, it is the same day in every zone we serve (UTC−4 to UTC+4).
const FORMAT_DAY = new Intl.DateTimeFormat('fr-FR', { dateStyle: 'long', timeZone: METROPOLITAN_ZONE });
/**
 * A moment on the clock of the place concerned (a structure's zone), "heure locale" when overseas;
 * metropolitan time for national moments (a login, a mail).
 */
export const frDateTime = (d: Date | string | null | undefined, zone: TimeZone = METROPOLITAN_ZONE) =>
  d ? `${dateTimeFormat(zone).format(new Date(d))}${isOverseasZone(zone) ? ' (heure locale)' : ''}` : '—';
export const frDay = (iso: string | null | undefined) =>
  iso ? FORMAT_DAY.format(new Date(`${iso}T12:00:00Z`)) : '—';
