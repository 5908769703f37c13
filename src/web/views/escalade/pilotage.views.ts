import type { CountRow } from '../../../db/repositories/escalade.repository.js';
import { type Figures, partnerLabel } from '../../../domain/escalade/index.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import type { PartnerReferents } from '../../../services/accounts/referents.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, type FormError, field, submit, topError } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';
import { errorOf, partnerOptions, select } from './common.js';

const CRUMBS = [{ label: 'Escalade', href: '/espace/escalade' }];

/** Per partner, the current référents of a department; the invitation form for those who may invite. */
export function referentsPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  departement: string;
  partners: readonly PartnerReferents[];
  mayInvite: boolean;
  mayNameCoordinator: boolean;
  notice?: string | null;
  error?: FormError | null;
  values?: { email?: string; partenaire?: string; departements?: string };
}): string {
  const missing = o.partners.filter((p) => p.referents.length === 0);
  const v = o.values ?? {};
  return backOfficePage({
    title: `Référents des partenaires — ${o.departement}`,
    user: o.user,
    csrf: o.csrf,
    crumbs: CRUMBS,
    body: html`<h1>Référents des partenaires, département ${o.departement}</h1>
${o.notice ? alert('success', o.notice) : null}
<form method="get" action="/espace/escalade/referents" class="fr-grid-row fr-grid-row--bottom fr-mb-3w">
  <div class="fr-col-auto">${field({ name: 'departement', id: 'choix-departement', label: 'Département', value: o.departement, maxlength: 3 })}</div>
  <div class="fr-col-auto fr-ml-1w fr-mb-3w"><button class="fr-btn fr-btn--secondary" type="submit">Afficher</button></div>
</form>
${
  missing.length > 0
    ? html`<div class="fr-alert fr-alert--warning fr-mb-3w"><h2 class="fr-alert__title">${String(missing.length)} partenaire(s) sans référent dans ce département</h2><p>${missing.map((p) => p.label).join(' · ')}. Les dossiers de ces partenaires vont à leur coordinateur national, s’il y en a un.</p></div>`
    : html`<p>Chaque partenaire a au moins un référent dans ce département.</p>`
}
<div class="fr-table"><table>
  <caption>Référents actuels par partenaire</caption>
  <thead><tr><th scope="col">Partenaire</th><th scope="col">Référents du département</th><th scope="col">Coordination nationale</th></tr></thead>
  <tbody>${o.partners.map(
    (p) => html`<tr><th scope="row">${p.label}</th>
    <td>${p.referents.length ? p.referents.map((r, i) => html`${i ? html`<br>` : null}${r.name} — <a href="mailto:${r.email}">${r.email}</a>`) : html`<p class="fr-badge fr-badge--warning fr-badge--sm">Aucun référent</p>`}</td>
    <td>${p.coordinators.length ? p.coordinators.map((r, i) => html`${i ? html`<br>` : null}${r.name} — <a href="mailto:${r.email}">${r.email}</a>`) : '—'}</td></tr>`,
  )}</tbody></table></div>
${
  o.mayInvite
    ? html`<h2>Nommer un référent</h2>
${topError(o.error, ['email', 'partenaire', 'departements'])}
<form method="post" action="/espace/escalade/referents" novalidate>${o.csrf}
  ${field({ name: 'email', label: 'Adresse électronique du référent', type: 'email', autocomplete: 'off', value: v.email, error: errorOf(o.error, 'email') })}
  ${select({ name: 'partenaire', label: 'Partenaire', options: partnerOptions, value: v.partenaire, error: errorOf(o.error, 'partenaire'), placeholder: '— Choisir —' })}
  ${field({ name: 'departements', label: 'Départements', hint: 'Codes séparés par des virgules, par exemple 02, 80', value: v.departements ?? o.departement, maxlength: 200, error: errorOf(o.error, 'departements') })}
  ${
    o.mayNameCoordinator
      ? html`<div class="fr-checkbox-group fr-mb-3w"><input type="checkbox" id="coordinateur" name="coordinateur" value="oui"><label class="fr-label" for="coordinateur">Coordinateur national du partenaire (tous les départements, chiffres et alertes de retard)</label></div>`
      : null
  }
  ${submit('Envoyer l’invitation')}
</form>`
    : null
}`,
  });
}

/** Counts only, per department and partner, and the departments without référents (animateur, national). */
export function countsPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  departement: string | null;
  counts: readonly CountRow[];
  missing: readonly { departement: string; partners: string[] }[];
  mayFigures: boolean;
}): string {
  const scope = o.departement ? `département ${o.departement}` : 'France entière';
  const total = o.counts.reduce(
    (a, c) => ({ open: a.open + c.open, late: a.late + c.late, closed: a.closed + c.closed }),
    {
      open: 0,
      late: 0,
      closed: 0,
    },
  );
  return backOfficePage({
    title: `Escalade : suivi (${scope})`,
    user: o.user,
    csrf: o.csrf,
    crumbs: CRUMBS,
    body: html`<h1>Dossiers transmis aux partenaires — ${scope}</h1>
<p>Des nombres seulement : le contenu des dossiers n’est visible que de la France Services et des référents concernés.</p>
<p class="fr-text--lead"><strong>${String(total.open)}</strong> dossier(s) ouverts, dont <strong>${String(total.late)}</strong> en retard ; ${String(total.closed)} clos.</p>
${o.mayFigures ? html`<p><a class="fr-link" href="/espace/escalade/chiffres">Délais de réponse par partenaire et département</a></p>` : null}
${
  o.counts.length
    ? html`<div class="fr-table"><table><caption>Dossiers par département et partenaire</caption>
  <thead><tr><th scope="col">Département</th><th scope="col">Partenaire</th><th scope="col">Ouverts</th><th scope="col">En retard</th><th scope="col">Clos</th></tr></thead>
  <tbody>${o.counts.map((c) => html`<tr${c.late ? html` class="maillage-late"` : null}><td>${c.departement}</td><td>${partnerLabel(c.partenaire)}</td><td>${String(c.open)}</td><td>${String(c.late)}${c.late ? html` <span>(en retard)</span>` : null}</td><td>${String(c.closed)}</td></tr>`)}</tbody></table></div>`
    : html`<p>Aucun dossier.</p>`
}
<h2>Départements sans référent</h2>
${
  o.missing.length
    ? html`<div class="fr-alert fr-alert--warning fr-mb-3w"><p>${String(o.missing.length)} département(s) ont au moins un partenaire sans référent.</p></div>
<div class="fr-table"><table><caption>Partenaires sans référent, par département</caption>
  <thead><tr><th scope="col">Département</th><th scope="col">Partenaires sans référent</th></tr></thead>
  <tbody>${o.missing.map((m) => html`<tr><td><a href="/espace/escalade/referents?departement=${m.departement}">${m.departement}</a></td><td>${m.partners.map(partnerLabel).join(' · ')}</td></tr>`)}</tbody></table></div>`
    : html`<p>Chaque département a un référent pour chaque partenaire.</p>`
}`,
  });
}

const hours = (h: number | null) => (h === null ? '—' : `${h.toLocaleString('fr-FR')} h`);
const share = (s: number | null) => (s === null ? '—' : `${Math.round(s * 100)} %`);

export function figuresPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  from: string;
  to: string;
  partenaire: string | null;
  partnerFixed: boolean;
  figures: readonly Figures[];
  error?: string | null;
}): string {
  return backOfficePage({
    title: 'Escalade : délais de réponse',
    user: o.user,
    csrf: o.csrf,
    crumbs: CRUMBS,
    body: html`<h1>Délais de réponse des partenaires</h1>
${o.error ? alert('error', o.error) : null}
<p>Dossiers transmis du ${o.from} au ${o.to}. « Répondu » : premier message ou premier changement de statut par un référent, jamais une réorientation. Les heures sont des heures ouvrées (24 par jour ouvré à la commune de la structure).</p>
<form method="get" action="/espace/escalade/chiffres" class="fr-grid-row fr-grid-row--bottom fr-grid-row--gutters">
  <div class="fr-col-auto">${field({ name: 'du', label: 'Du', type: 'date', value: o.from })}</div>
  <div class="fr-col-auto">${field({ name: 'au', label: 'Au', type: 'date', value: o.to })}</div>
  ${o.partnerFixed ? null : html`<div class="fr-col-auto">${select({ name: 'partenaire', label: 'Partenaire', options: partnerOptions, value: o.partenaire ?? '', placeholder: 'Tous' })}</div>`}
  <div class="fr-col-auto fr-mb-3w"><button class="fr-btn fr-btn--secondary" type="submit">Afficher</button></div>
</form>
${
  o.figures.length
    ? html`<div class="fr-table"><table><caption>Par partenaire et département</caption>
  <thead><tr><th scope="col">Partenaire</th><th scope="col">Dépt</th><th scope="col">Dossiers</th><th scope="col">Répondus sous 72 h ouvrées</th><th scope="col">Délai médian de première réponse</th><th scope="col">Délai médian de clôture</th></tr></thead>
  <tbody>${o.figures.map((f) => html`<tr><td>${partnerLabel(f.partenaire)}</td><td>${f.departement}</td><td>${String(f.cases)}</td><td>${share(f.shareWithin72)} (${String(f.answeredWithin72)} sur ${String(f.settled)})</td><td>${hours(f.medianFirstAnswerBh)}</td><td>${hours(f.medianCloseBh)}</td></tr>`)}</tbody></table></div>`
    : html`<p>Aucun dossier sur cette période.</p>`
}`,
  });
}
