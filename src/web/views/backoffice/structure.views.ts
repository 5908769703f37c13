import { type Action, can } from '../../../domain/accounts/policy.js';
import { hoursAsText } from '../../../domain/backoffice/structure-edit.js';
import { WEEKDAYS, type Weekday } from '../../../domain/directory/opening-hours.js';
import {
  type ExceptionalClosure,
  OPERATING_STATUSES,
  PARTNER_LABELS,
  PARTNERS,
  STATUS_LABELS,
} from '../../../domain/directory/structure.js';
import { timeZoneOfPlace } from '../../../domain/shared/time-zone.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import type { StructureRow } from '../../../services/backoffice/structure-admin.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, errorFor, type FormError, field, submit, topError } from '../accounts/forms.js';
import { backOfficePage, frDateTime, frDay } from './chrome.js';

const DAY_LABELS: Record<Weekday, string> = {
  lundi: 'Lundi',
  mardi: 'Mardi',
  mercredi: 'Mercredi',
  jeudi: 'Jeudi',
  vendredi: 'Vendredi',
  samedi: 'Samedi',
  dimanche: 'Dimanche',
};

/** Values typed by the person, kept when the form comes back with an error. */
export interface EditDraft {
  readonly email?: string;
  readonly telephone?: string;
  readonly hours?: Partial<Record<Weekday, string>>;
  readonly closures?: readonly { from?: string; to?: string; message?: string }[];
  readonly partners?: readonly string[];
  readonly appointment?: boolean;
  readonly comment?: string;
  readonly description?: string;
}

const targetOf = (s: StructureRow) => ({ structureId: s.id, departement: s.departement });

export function structureEditPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: StructureRow;
  draft?: EditDraft | null;
  error?: FormError | null;
  statusError?: FormError | null;
  notice?: string | null;
  notices?: readonly string[];
  conflict?: boolean;
}): string {
  const s = o.structure;
  const allowed = (a: Action) => can(o.user.principal, a, targetOf(s));
  const d: EditDraft = o.draft ?? {
    email: s.emails.join(', '),
    telephone: s.telephones.join(', '),
    hours: hoursAsText(s.hours as Record<Weekday, { start: number; end: number }[]>),
    closures: s.closures as ExceptionalClosure[],
    partners: s.partners,
    appointment: s.appointment,
    comment: s.comment ?? '',
    description: s.description ?? '',
  };
  const closures = [...(d.closures ?? []), {}, {}];
  const editable = allowed('structure.edit');
  const e = o.error;

  const editForm = html`<form method="post" action="/espace/structures/${s.id}" novalidate>
  ${o.csrf}<input type="hidden" name="version" value="${String(s.version)}">
  <fieldset class="fr-fieldset" aria-labelledby="contact-legend"${editable ? null : html` disabled`}>
    <legend class="fr-fieldset__legend" id="contact-legend"><h2 class="fr-h4 fr-mb-0">Coordonnées</h2></legend>
    <div class="fr-fieldset__element">${field({ name: 'telephone', label: 'Téléphone', hint: 'Exemple : 03 23 45 67 89. Plusieurs : séparez-les par une virgule.', type: 'tel', autocomplete: 'off', value: d.telephone, error: errorFor(e, 'telephone') })}</div>
    <div class="fr-fieldset__element">${field({ name: 'email', label: 'Adresse électronique', hint: 'Exemple : france-services@mairie.fr. Plusieurs : séparez-les par une virgule.', type: 'text', autocomplete: 'off', value: d.email, error: errorFor(e, 'email') })}</div>
  </fieldset>
  <fieldset class="fr-fieldset" aria-labelledby="hours-legend" aria-describedby="hours-hint"${editable ? null : html` disabled`}>
    <legend class="fr-fieldset__legend" id="hours-legend"><h2 class="fr-h4 fr-mb-0">Horaires de la semaine</h2></legend>
    <p class="fr-hint-text fr-fieldset__element" id="hours-hint">Format officiel : « 09:00 - 12:00 / 13:30 - 17:00 ». Laissez vide un jour de fermeture.</p>
    ${WEEKDAYS.map(
      (w) =>
        html`<div class="fr-fieldset__element">${field({ name: `hours_${w}`, id: `hours-${w}`, label: DAY_LABELS[w], value: d.hours?.[w] ?? '', maxlength: 200, error: errorFor(e, `hours.${w}`) })}</div>`,
    )}
  </fieldset>
  <fieldset class="fr-fieldset" aria-labelledby="closures-legend"${editable ? null : html` disabled`}>
    <legend class="fr-fieldset__legend" id="closures-legend"><h2 class="fr-h4 fr-mb-0">Fermetures exceptionnelles</h2>
      <span class="fr-hint-text">Du … au … inclus, avec un message affiché au public. Videz une ligne pour la supprimer.</span></legend>
    ${closures.map(
      (c, i) => html`<div class="fr-fieldset__element"><div class="fr-grid-row fr-grid-row--gutters">
        <div class="fr-col-12 fr-col-md-3">${field({ name: 'closure_from', id: `closure-from-${i}`, label: `Fermeture ${i + 1} : du`, type: 'date', value: c.from ?? '', error: errorFor(e, `closures.${i}.from`) })}</div>
        <div class="fr-col-12 fr-col-md-3">${field({ name: 'closure_to', id: `closure-to-${i}`, label: `Fermeture ${i + 1} : au`, type: 'date', value: c.to ?? '', error: errorFor(e, `closures.${i}.to`) })}</div>
        <div class="fr-col-12 fr-col-md-6">${field({ name: 'closure_message', id: `closure-message-${i}`, label: `Fermeture ${i + 1} : message au public`, value: c.message ?? '', maxlength: 500, error: errorFor(e, `closures.${i}.message`) })}</div>
      </div></div>`,
    )}
  </fieldset>
  <fieldset class="fr-fieldset" aria-labelledby="partners-legend"${editable ? null : html` disabled`}>
    <legend class="fr-fieldset__legend" id="partners-legend"><h2 class="fr-h4 fr-mb-0">Partenaires présents</h2></legend>
    ${PARTNERS.map(
      (p) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group">
        <input type="checkbox" id="partner-${p}" name="partners" value="${p}"${d.partners?.includes(p) ? html` checked` : null}>
        <label class="fr-label" for="partner-${p}">${PARTNER_LABELS[p]}</label></div></div>`,
    )}
  </fieldset>
  <fieldset class="fr-fieldset" aria-labelledby="service-legend"${editable ? null : html` disabled`}>
    <legend class="fr-fieldset__legend" id="service-legend"><h2 class="fr-h4 fr-mb-0">Rendez-vous et présentation</h2></legend>
    <div class="fr-fieldset__element"><div class="fr-checkbox-group">
      <input type="checkbox" id="appointment" name="appointment" value="oui"${d.appointment ? html` checked` : null}>
      <label class="fr-label" for="appointment">Prise de rendez-vous possible</label></div></div>
    <div class="fr-fieldset__element">${field({ name: 'comment', label: 'Informations pratiques (rendez-vous, accès)', textarea: true, value: d.comment, maxlength: 1000, error: errorFor(e, 'comment') })}</div>
    <div class="fr-fieldset__element">${field({ name: 'description', label: 'Présentation de la structure', textarea: true, value: d.description, maxlength: 2000, error: errorFor(e, 'description') })}</div>
  </fieldset>
  ${editable ? submit('Enregistrer les informations') : html`<p>Votre rôle ne permet pas de modifier ces informations.</p>`}
</form>`;

  const statusForm = allowed('structure.set_status')
    ? html`<form method="post" action="/espace/structures/${s.id}/statut" novalidate>
  ${o.csrf}<input type="hidden" name="version" value="${String(s.version)}">
  ${topError(o.statusError, [])}
  <fieldset class="fr-fieldset" aria-labelledby="status-legend">
    <legend class="fr-fieldset__legend" id="status-legend"><h2 class="fr-h4 fr-mb-0">Statut d’accueil</h2>
      <span class="fr-hint-text">« Accueil à distance » : le public voit d’abord votre téléphone et votre adresse électronique.</span></legend>
    ${OPERATING_STATUSES.filter(
      (st) => st !== 'fermee_definitivement' || allowed('structure.close_permanently') || s.status === st,
    ).map(
      (st) => html`<div class="fr-fieldset__element"><div class="fr-radio-group">
        <input type="radio" id="status-${st}" name="status" value="${st}"${s.status === st ? html` checked` : null}>
        <label class="fr-label" for="status-${st}">${STATUS_LABELS[st]}</label></div></div>`,
    )}
    <div class="fr-fieldset__element">${field({ name: 'until', label: 'Réouverture prévue le (fermeture temporaire)', type: 'date', value: s.status_until ?? '' })}</div>
  </fieldset>
  ${submit('Changer le statut', true)}
</form>`
    : null;

  const links = [
    allowed('structure.history')
      ? html`<li><a class="fr-link" href="/espace/structures/${s.id}/historique">Historique des modifications</a></li>`
      : null,
    allowed('agents.manage')
      ? html`<li><a class="fr-link" href="/espace/structures/${s.id}/agents">Agents de la structure</a></li>`
      : null,
    (s.format === 'bus' || s.format === 'itinerante') && allowed('structure.edit')
      ? html`<li><a class="fr-link" href="/espace/structures/${s.id}/bus">Tournée du bus</a></li>`
      : null,
    html`<li><a class="fr-link" href="/structures/${s.id}">Voir la page publique</a></li>`,
  ];

  return backOfficePage({
    title: s.name,
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>${s.name}</h1>
<p>${s.address}, ${s.postal_code} ${s.commune_name} — France Services n° ${s.id_fs}</p>
<p>Statut actuel : <strong>${STATUS_LABELS[s.status]}</strong>${s.status === 'fermee_temporairement' && s.status_until ? html` (réouverture prévue le ${frDay(s.status_until)})` : null} · Dernière mise à jour : ${frDateTime(s.updated_at, timeZoneOfPlace({ codeInsee: s.code_insee, departement: s.departement }))} · Version ${String(s.version)}</p>
<ul class="fr-links-group">${links}</ul>
${o.conflict && o.error ? alert('error', o.error.message, 'Modification concurrente') : o.error ? alert('error', html`Rien n’a été enregistré : ${o.error.message}`) : null}
${o.notice ? alert('success', o.notice) : null}
${o.notices?.length ? alert('info', html`Horaires normalisés : ${o.notices.join(' ; ')}`) : null}
<div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-lg-8">${editForm}</div>
  <div class="fr-col-12 fr-col-lg-4">${statusForm}</div>
</div>`,
  });
}

const ACTION_LABELS: Record<string, string> = {
  'structure.edit': 'Modification des informations',
  'structure.confirm': 'Informations confirmées sans changement',
  'structure.set_status': 'Changement de statut',
  'access.denied': 'Accès refusé',
};

const show = (v: unknown): string =>
  v === null || v === undefined || v === '' ? '—' : typeof v === 'string' ? v : JSON.stringify(v);

export function historyPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: StructureRow;
  entries: readonly {
    at: Date;
    actor_label: string;
    action: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
  }[];
}): string {
  const s = o.structure;
  return backOfficePage({
    title: `Historique — ${s.name}`,
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: s.name, href: `/espace/structures/${s.id}` }],
    body: html`<h1>Historique de ${s.name}</h1>
${
  o.entries.length === 0
    ? html`<p>Aucune modification n’a encore été faite dans l’espace France Services.</p>`
    : html`<div class="fr-table"><table>
  <caption>Modifications, de la plus récente à la plus ancienne</caption>
  <thead><tr><th scope="col">Date</th><th scope="col">Par</th><th scope="col">Action</th><th scope="col">Champ</th><th scope="col">Avant</th><th scope="col">Après</th></tr></thead>
  <tbody>${o.entries.flatMap((en) => {
    const keys = Object.keys(en.after ?? en.before ?? {});
    const rows = keys.length ? keys : [''];
    return rows.map(
      (k) =>
        html`<tr><td>${frDateTime(en.at)}</td><td>${en.actor_label}</td><td>${ACTION_LABELS[en.action] ?? en.action}</td><td>${k || '—'}</td><td>${show(en.before?.[k])}</td><td>${show(en.after?.[k])}</td></tr>`,
    );
  })}</tbody></table></div>`
}`,
  });
}
