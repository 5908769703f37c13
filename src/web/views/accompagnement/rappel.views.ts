import type { RappelRow } from '../../../db/repositories/rappel.repository.js';
import {
  CRENEAU_LABELS,
  CRENEAUX,
  type Creneau,
  type Demarche,
  isOverdue,
  PARTENAIRE_LABELS,
  type Partenaire,
  RAPPEL_LIMITS,
  RAPPEL_STATUT_LABELS,
  type RappelStatut,
} from '../../../domain/accompagnement/index.js';
import { isOverseasZone, type TimeZone, wallClock } from '../../../domain/shared/time-zone.js';
import type { CounterForm } from '../../../services/accompagnement/accompagnement.service.js';
import type { Inbox, RappelStructure } from '../../../services/accompagnement/rappel.service.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, errorFor, type FormError, field, topError } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';
import { frenchDateTime } from '../directory/components.js';
import { page } from '../layout.js';
import { counterForm } from './counter.views.js';

/** What the person typed, shown back on an error (never anything else). */
export interface RappelValues {
  readonly nom?: string;
  readonly telephone?: string;
  readonly email?: string;
  readonly partenaire?: string;
  readonly description?: string;
  readonly creneau?: string;
}

const FIELDS = ['nom', 'telephone', 'email', 'partenaire', 'description', 'creneau'];
/** `jeudi 26 novembre 2026 à 10:30` on the structure's clock (and "(heure locale)" overseas). */
const local = (d: Date | string, zone: TimeZone) =>
  `${wallClock(new Date(d), zone).setLocale('fr').toFormat('cccc')} ${frenchDateTime(new Date(d), zone)}${
    isOverseasZone(zone) ? ' (heure locale)' : ''
  }`;
const publicPartnerLabel = (p: Partenaire) =>
  p === 'autre' ? 'Autre, ou je ne sais pas' : PARTENAIRE_LABELS[p];

/**
 * "Être rappelé(e)": a plain form (no JavaScript), with a honeypot field that people never see
 * (hidden from screen readers too) and bots fill in.
 */
export function rappelForm(o: {
  structure: RappelStructure;
  csrf: SafeHtml;
  delaiJours: number;
  values?: RappelValues;
  error?: FormError | null;
  headingLevel?: 2 | 1;
}): SafeHtml {
  const v = o.values ?? {};
  const e = o.error;
  const h = o.headingLevel ?? 2;
  const title = 'Être rappelé(e)';
  const partnerError = errorFor(e, 'partenaire');
  const creneauValue = (v.creneau ?? 'indifferent') as Creneau;
  return html`<section aria-labelledby="etre-rappele" class="fr-mb-4w" id="rappel">
  ${h === 1 ? html`<h1 id="etre-rappele">${title}</h1>` : html`<h2 id="etre-rappele" class="fr-h4">${title}</h2>`}
  <p>Laissez un numéro de téléphone ou une adresse électronique : un conseiller de ${o.structure.name} vous répond dans les ${o.delaiJours} jours ouvrés.</p>
  ${topError(e, FIELDS)}
  <form method="post" action="/structures/${o.structure.id}/rappel" novalidate>
    ${o.csrf}
    <p class="fr-text--sm">Indiquez au moins un moyen de vous joindre. Les champs sont facultatifs sauf mention contraire.</p>
    ${field({ name: 'nom', label: 'Votre nom ou prénom', hint: 'Pour savoir qui demander.', value: v.nom, error: errorFor(e, 'nom'), autocomplete: 'name', maxlength: RAPPEL_LIMITS.nom })}
    ${field({ name: 'telephone', label: 'Téléphone', hint: 'Exemple : 06 12 34 56 78', type: 'tel', value: v.telephone, error: errorFor(e, 'telephone'), autocomplete: 'tel', maxlength: 30 })}
    ${field({ name: 'email', label: 'Adresse électronique', hint: 'Exemple : nom@exemple.fr', type: 'email', value: v.email, error: errorFor(e, 'email'), autocomplete: 'email', maxlength: 254 })}
    <div class="fr-select-group${partnerError ? ' fr-select-group--error' : ''}">
      <label class="fr-label" for="partenaire">Organisme concerné (obligatoire)</label>
      <select class="fr-select" id="partenaire" name="partenaire" required${partnerError ? html` aria-describedby="partenaire-error" aria-invalid="true"` : null}>
        <option value="" ${v.partenaire ? null : html`selected`} disabled>Choisir un organisme</option>
        ${o.structure.partenaires.map((p) => html`<option value="${p}" ${v.partenaire === p ? html`selected` : null}>${publicPartnerLabel(p)}</option>`)}
      </select>
      ${partnerError ? html`<p id="partenaire-error" class="fr-error-text">${partnerError}</p>` : null}
    </div>
    ${field({ name: 'description', label: 'Votre demande (obligatoire)', hint: `En quelques mots, ${RAPPEL_LIMITS.description} caractères au plus. N’indiquez pas de numéro de sécurité sociale ni de mot de passe.`, textarea: true, value: v.description, error: errorFor(e, 'description'), maxlength: RAPPEL_LIMITS.description, required: true })}
    <fieldset class="fr-fieldset" id="creneau-fieldset">
      <legend class="fr-fieldset__legend fr-text--regular">Quand préférez-vous être rappelé(e) ?</legend>
      ${CRENEAUX.map(
        (
          c,
        ) => html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group">
        <input type="radio" id="creneau-${c}" name="creneau" value="${c}" ${c === creneauValue ? html`checked` : null}>
        <label class="fr-label" for="creneau-${c}">${CRENEAU_LABELS[c]}</label>
      </div></div>`,
      )}
    </fieldset>
    <div class="maillage-hp" aria-hidden="true">
      <label for="site_web">Ne pas remplir ce champ</label>
      <input type="text" id="site_web" name="site_web" tabindex="-1" autocomplete="off" value="">
    </div>
    <p class="fr-text--xs">Vos coordonnées servent uniquement à vous répondre. Elles sont effacées 30 jours après le traitement de votre demande.</p>
    <button class="fr-btn" type="submit">Envoyer ma demande</button>
  </form>
</section>`;
}

/** The form alone: on error (400) and for links. */
export function rappelPage(o: {
  structure: RappelStructure;
  csrf: SafeHtml;
  delaiJours: number;
  values?: RappelValues;
  error?: FormError | null;
}): string {
  return page({
    title: `${o.error ? 'Erreur : ' : ''}Être rappelé(e) par ${o.structure.name}`,
    nav: 'recherche',
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: o.structure.name, href: `/structures/${o.structure.id}` },
      { label: 'Être rappelé(e)' },
    ],
    body: rappelForm({ ...o, headingLevel: 1 }),
  });
}

/** The block the public structure page embeds. */
export const rappelBlock = (o: {
  structure: RappelStructure;
  csrf: SafeHtml;
  delaiJours: number;
}): SafeHtml => rappelForm(o);

export function rappelConfirmationPage(o: {
  structure: RappelStructure;
  dueAt: Date;
  by: 'telephone' | 'email';
}): string {
  return page({
    title: 'Demande de rappel envoyée',
    nav: 'recherche',
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: o.structure.name, href: `/structures/${o.structure.id}` },
      { label: 'Demande envoyée' },
    ],
    body: html`<h1>Votre demande est envoyée</h1>
<div class="fr-alert fr-alert--success fr-mb-3w" role="status"><p>${o.structure.name} a bien reçu votre demande.</p></div>
<p class="fr-text--lead">Un conseiller vous ${o.by === 'telephone' ? 'rappellera' : 'répondra par courriel'} au plus tard le <strong>${local(o.dueAt, o.structure.zone)}</strong>.</p>
<p>Les samedis, dimanches et jours fériés ne comptent pas dans ce délai. Si votre situation est urgente, appelez directement la France Services aux heures d’ouverture.</p>
<p><a class="fr-link" href="/structures/${o.structure.id}">Retour à la page de ${o.structure.name}</a></p>`,
  });
}

// --------------------------------------------------------------------- the inbox

const TABS: ReadonlyArray<{
  key: Inbox['tab'];
  label: string;
  count: (c: Inbox['counts']) => number | null;
}> = [
  { key: 'a_prendre', label: 'À prendre', count: (c) => c.aPrendre },
  { key: 'mes_demandes', label: 'Mes demandes', count: (c) => c.mesDemandes },
  { key: 'en_cours', label: 'Toutes en cours', count: (c) => c.enCours },
  { key: 'traitees', label: 'Traitées', count: () => null },
];

function contactCell(r: RappelRow): SafeHtml {
  if (r.contact_efface_le) return html`<em>effacées (30 jours après la clôture)</em>`;
  return html`${r.nom ? html`${r.nom}<br>` : null}${r.telephone ? html`<a href="tel:${r.telephone.replace(/\s/g, '')}">${r.telephone}</a><br>` : null}${r.email ? html`<a href="mailto:${r.email}">${r.email}</a>` : null}`;
}

function actions(r: RappelRow, inbox: Inbox, csrf: SafeHtml): SafeHtml {
  const base = `/espace/rappels/${r.id}`;
  const hidden = html`${csrf}<input type="hidden" name="version" value="${String(r.version)}">`;
  const button = (op: string, label: string, secondary = true) =>
    html`<form method="post" action="${base}/${op}" class="fr-mb-1w">${hidden}<button class="fr-btn fr-btn--sm${secondary ? ' fr-btn--secondary' : ''}" type="submit">${label}</button></form>`;
  if (r.statut === 'nouvelle')
    return html`${button('prendre', 'Je m’en occupe', false)}<a class="fr-link fr-text--sm" href="${base}">Traiter</a>`;
  if (r.statut === 'prise')
    return html`<a class="fr-btn fr-btn--sm fr-mb-1w" href="${base}">Traiter</a>${
      r.agent_id === inbox.viewerId ? button('liberer', 'Remettre dans « À prendre »') : null
    }`;
  return html``;
}

export function inboxPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  inbox: Inbox;
  notice?: string | null;
  error?: string | null;
}): string {
  const { inbox } = o;
  const s = inbox.structure;
  const q = (tab: string) => `/espace/rappels?structure=${s.id}&onglet=${tab}`;
  const closed = inbox.tab === 'traitees';
  return backOfficePage({
    title: 'Demandes de rappel',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Demandes de rappel</h1>
<p>${s.name} — délai de réponse : ${inbox.delaiJours} jour(s) ouvré(s)${inbox.counts.enRetard > 0 ? html` — <strong class="fr-badge fr-badge--error fr-badge--sm">${String(inbox.counts.enRetard)} en retard</strong>` : null}</p>
${o.notice ? alert('success', o.notice) : null}
${o.error ? alert('error', o.error) : null}
<nav class="fr-mb-3w" aria-label="Onglets des demandes"><ul class="fr-btns-group fr-btns-group--inline fr-btns-group--sm">${TABS.map(
      (t) => {
        const n = t.count(inbox.counts);
        return html`<li><a class="fr-btn fr-btn--sm${t.key === inbox.tab ? '' : ' fr-btn--tertiary'}" href="${q(t.key)}"${t.key === inbox.tab ? html` aria-current="page"` : null}>${t.label}${n === null ? '' : ` (${n})`}</a></li>`;
      },
    )}</ul></nav>
${
  inbox.rows.length === 0
    ? html`<p>Aucune demande ici.</p>`
    : html`<div class="fr-table"><table>
<caption>${TABS.find((t) => t.key === inbox.tab)?.label ?? ''}${closed ? ' (les plus récentes d’abord)' : ' (les plus urgentes d’abord)'}</caption>
<thead><tr><th scope="col">${closed ? 'Close le' : 'À traiter avant'}</th><th scope="col">Reçue le</th><th scope="col">Organisme</th><th scope="col">Demande</th><th scope="col">Moment préféré</th><th scope="col">Contact</th><th scope="col">${closed ? 'Issue' : 'Action'}</th></tr></thead>
<tbody>${inbox.rows.map((r) => {
        const late = isOverdue({ statut: r.statut as RappelStatut, due_at: r.due_at }, inbox.now);
        return html`<tr${late ? html` class="maillage-en-retard"` : null}>
<td>${closed ? local(r.clos_le as Date, s.zone) : html`${local(r.due_at, s.zone)}${late ? html`<br><span class="fr-badge fr-badge--error fr-badge--sm">En retard</span>` : null}`}</td>
<td>${local(r.recu_le, s.zone)}</td>
<td>${PARTENAIRE_LABELS[r.partenaire as Partenaire] ?? r.partenaire}</td>
<td>${r.description ?? html`<em>effacée</em>`}</td>
<td>${CRENEAU_LABELS[r.creneau as Creneau] ?? r.creneau}</td>
<td>${contactCell(r)}</td>
<td>${closed ? RAPPEL_STATUT_LABELS[r.statut as RappelStatut] : actions(r, inbox, o.csrf)}</td>
</tr>`;
      })}</tbody></table></div>`
}
${
  inbox.mayConfigure
    ? html`<h2 class="fr-h5 fr-mt-5w" id="delai">Délai de rappel de la structure</h2>
<form method="post" action="/espace/rappels/delai?structure=${s.id}">${o.csrf}
${field({ name: 'delai_jours', label: 'Nombre de jours ouvrés pour rappeler', hint: `De ${RAPPEL_LIMITS.minDays} à ${RAPPEL_LIMITS.maxDays} ; annoncé aux personnes sur la page publique.`, type: 'number', value: String(inbox.delaiJours) })}
<button class="fr-btn fr-btn--secondary" type="submit">Enregistrer le délai</button>
</form>`
    : null
}`,
  });
}

/** Handling a request: the request, then the accompaniment form (by phone or e-mail). */
export function handlePage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  row: RappelRow;
  structure: RappelStructure;
  demarches: readonly Demarche[];
  values: CounterForm;
  now: Date;
  error?: FormError | null;
}): string {
  const r = o.row;
  const open = r.statut === 'nouvelle' || r.statut === 'prise';
  const late = isOverdue({ statut: r.statut as RappelStatut, due_at: r.due_at }, o.now);
  const versionField = html`<input type="hidden" name="version" value="${String(r.version)}">`;
  return backOfficePage({
    title: 'Traiter une demande de rappel',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Demandes de rappel', href: `/espace/rappels?structure=${o.structure.id}` }],
    body: html`<h1>Traiter une demande de rappel</h1>
${o.error ? alert('error', html`Rien n’a été enregistré : ${o.error.message}`) : null}
<dl class="fr-mb-3w">
  <dt><strong>Statut</strong></dt><dd>${RAPPEL_STATUT_LABELS[r.statut as RappelStatut]}${late ? html` <span class="fr-badge fr-badge--error fr-badge--sm">En retard</span>` : null}</dd>
  <dt><strong>À traiter avant</strong></dt><dd>${local(r.due_at, o.structure.zone)}</dd>
  <dt><strong>Organisme</strong></dt><dd>${PARTENAIRE_LABELS[r.partenaire as Partenaire] ?? r.partenaire}</dd>
  <dt><strong>Demande</strong></dt><dd>${r.description ?? html`<em>effacée</em>`}</dd>
  <dt><strong>Moment préféré</strong></dt><dd>${CRENEAU_LABELS[r.creneau as Creneau] ?? r.creneau}</dd>
  <dt><strong>Contact</strong></dt><dd>${contactCell(r)}</dd>
</dl>
${
  open
    ? html`<h2 class="fr-h4">Enregistrer l’accompagnement et clore la demande</h2>
${counterForm({
  action: `/espace/rappels/${r.id}/traiter`,
  csrf: html`${o.csrf}${versionField}`,
  formId: r.id,
  recent: [],
  demarches: o.demarches,
  values: o.values,
  submitLabel: 'Enregistrer et clore la demande',
})}
<h2 class="fr-h5 fr-mt-5w">Personne injoignable, ou demande retirée ?</h2>
<form method="post" action="/espace/rappels/${r.id}/sans-suite">${o.csrf}${versionField}
<button class="fr-btn fr-btn--tertiary" type="submit">Clore sans suite</button></form>`
    : html`<p>Cette demande est close.</p>`
}`,
  });
}
