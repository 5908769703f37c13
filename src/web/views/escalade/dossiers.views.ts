import type { DossierListRow } from '../../../db/repositories/escalade.repository.js';
import {
  CONSENT_TEXT,
  CONSENT_VERSION,
  ESCALADE_PARTNERS,
  FILE_NUMBER_LABELS,
  type Lateness,
  partnerLabel,
  STATUT_LABELS,
  type Statut,
} from '../../../domain/escalade/index.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import type { DossierView } from '../../../services/escalade/escalade.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, type FormError, field, submit, topError } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';
import { at, errorOf, lateBadge, partnerOptions, select } from './common.js';

const CRUMBS = [{ label: 'Escalade', href: '/espace/escalade' }];
const who = (p: { nom: string | null; prenom: string | null }) =>
  p.nom ? `${p.prenom ?? ''} ${p.nom}`.trim() : 'Identité effacée (conservation échue)';

/** The list of cases of an agent's structures or a référent's scope, most urgent first. */
export function dossiersPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  rows: readonly (DossierListRow & Lateness)[];
  side: 'agent' | 'referent';
  notice?: string | null;
  digest?: boolean | null;
}): string {
  const late = o.rows.filter((r) => r.late).length;
  return backOfficePage({
    title: 'Dossiers transmis aux partenaires',
    user: o.user,
    csrf: o.csrf,
    crumbs: [],
    body: html`<h1>Dossiers transmis aux partenaires</h1>
${o.notice ? alert('success', o.notice) : null}
<p>${
      o.side === 'agent'
        ? html`Les dossiers bloqués que votre structure a transmis au référent d’un partenaire. <a class="fr-link" href="/espace/escalade/nouveau">Transmettre un nouveau dossier</a> · <a class="fr-link" href="/espace/escalade/referents">Voir les référents de mon département</a>`
        : html`Les dossiers que les France Services vous ont transmis. Une première réponse est attendue sous 72 heures ouvrées, la résolution sous 15 jours ouvrés.`
    }</p>
<p>${o.rows.length} dossier(s), dont <strong>${late}</strong> en retard. Les plus urgents d’abord.</p>
${
  o.rows.length === 0
    ? html`<p>Aucun dossier pour le moment.</p>`
    : html`<div class="fr-table"><table>
  <caption>Dossiers, du plus urgent au moins urgent</caption>
  <thead><tr><th scope="col">N°</th><th scope="col">Personne et objet</th><th scope="col">Partenaire</th><th scope="col">Dépt</th><th scope="col">Statut</th><th scope="col">Échéance</th><th scope="col">Retard</th></tr></thead>
  <tbody>${o.rows.map(
    (r) => html`<tr${r.late ? html` class="maillage-late"` : null}>
    <td><a href="/espace/escalade/${r.id}">${String(r.numero)}</a></td>
    <td>${who(r)}<br><span class="fr-text--sm">${r.objet ?? ''}</span></td>
    <td>${partnerLabel(r.partenaire)}</td><td>${r.departement}</td>
    <td>${STATUT_LABELS[r.statut]}</td>
    <td>${r.nextDue ? html`${r.closed_at ? 'Clos' : r.first_answer_at ? 'Résolution' : 'Première réponse'} : ${at(r.nextDue, r.commune)}` : html`Clos le ${at(r.closed_at, r.commune)}`}</td>
    <td>${r.late ? lateBadge(true) : 'Non'}</td></tr>`,
  )}</tbody></table></div>`
}
${
  o.side === 'referent' && o.digest !== null && o.digest !== undefined
    ? html`<h2>Mes rappels par courriel</h2>
<form method="post" action="/espace/escalade/preferences">${o.csrf}
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Comment être prévenu(e) des dossiers sans réponse ?</legend>
  <div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="digest-non" name="digest" value="non"${o.digest ? null : html` checked`}><label class="fr-label" for="digest-non">Un courriel par dossier (après 48 heures ouvrées sans réponse)</label></div></div>
  <div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="digest-oui" name="digest" value="oui"${o.digest ? html` checked` : null}><label class="fr-label" for="digest-oui">Un seul récapitulatif par jour</label></div></div>
</fieldset>${submit('Enregistrer ce choix', true)}</form>`
    : null
}`,
  });
}

export interface NewDossierValues {
  structure?: string;
  accompagnement?: string;
  partenaire?: string;
  nom?: string;
  prenom?: string;
  date_naissance?: string;
  numero_partenaire?: string;
  objet?: string;
  message?: string;
  consentement?: string;
}

/** The consent screen and the case form, on one page that works without JavaScript. */
export function newDossierPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structures: readonly { id: string; name: string; communeName: string }[];
  values: NewDossierValues;
  errors?: readonly FormError[];
}): string {
  const errs = o.errors ?? [];
  const e = (name: string) => errs.find((x) => x.field === name)?.message ?? null;
  const v = o.values;
  const first = errs[0] ?? null;
  return backOfficePage({
    title: 'Transmettre un dossier à un partenaire',
    user: o.user,
    csrf: o.csrf,
    crumbs: CRUMBS,
    body: html`<h1>Transmettre un dossier au référent d’un partenaire</h1>
${
  errs.length > 0
    ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><h2 class="fr-alert__title">Le dossier n’a pas été transmis</h2><ul>${errs.map((x) => html`<li><a href="#${(x.field ?? 'contenu').replace(/_/g, '-')}">${x.message}</a></li>`)}</ul></div>`
    : null
}
${topError(first && !first.field ? first : null, [])}
<form method="post" action="/espace/escalade/nouveau" novalidate>
  ${o.csrf}
  ${v.accompagnement ? html`<input type="hidden" name="accompagnement" value="${v.accompagnement}">` : null}
  <div class="fr-callout fr-mb-4w">
    <h2 class="fr-callout__title">${CONSENT_TEXT.title}</h2>
    <p class="fr-callout__text">À lire à la personne, ou à lui montrer, avant de saisir quoi que ce soit.</p>
    <dl>
      <dt><strong>Ce qui est recueilli</strong></dt><dd>${CONSENT_TEXT.collected}</dd>
      <dt><strong>Pourquoi</strong></dt><dd>${CONSENT_TEXT.why}</dd>
      <dt><strong>Combien de temps</strong></dt><dd>${CONSENT_TEXT.retention}</dd>
      <dt><strong>Ses droits</strong></dt><dd>${CONSENT_TEXT.rights}</dd>
    </dl>
  </div>
  <input type="hidden" name="consent_version" value="${CONSENT_VERSION}">
  <div class="fr-checkbox-group${e('consentement') ? ' fr-checkbox-group--error' : ''} fr-mb-4w">
    <input type="checkbox" id="consentement" name="consentement" value="oui"${v.consentement === 'oui' ? html` checked` : null}${e('consentement') ? html` aria-describedby="consentement-error"` : null}>
    <label class="fr-label" for="consentement">J’atteste que la personne a été informée et accepte la transmission de ces informations au partenaire.</label>
    ${e('consentement') ? html`<p id="consentement-error" class="fr-error-text">${e('consentement')}</p>` : null}
  </div>
  ${select({ name: 'structure', label: 'Structure', options: o.structures.map((s) => [s.id, `${s.name} (${s.communeName})`] as const), value: v.structure, error: e('structure') })}
  ${select({ name: 'partenaire', label: 'Partenaire concerné', options: partnerOptions, value: v.partenaire, error: e('partenaire'), placeholder: '— Choisir —' })}
  <h2 class="fr-h4">La personne</h2>
  ${field({ name: 'nom', label: 'Nom', value: v.nom, error: e('nom'), autocomplete: 'off', maxlength: 100 })}
  ${field({ name: 'prenom', label: 'Prénom', value: v.prenom, error: e('prenom'), autocomplete: 'off', maxlength: 100 })}
  ${field({ name: 'date_naissance', id: 'date-naissance', label: 'Date de naissance', type: 'date', value: v.date_naissance, error: e('date_naissance'), hint: 'Format AAAA-MM-JJ' })}
  ${field({
    name: 'numero_partenaire',
    id: 'numero-partenaire',
    label: 'Référence du dossier chez le partenaire (facultatif)',
    value: v.numero_partenaire,
    error: e('numero_partenaire'),
    autocomplete: 'off',
    maxlength: 40,
    hint: `Jamais le numéro de sécurité sociale. ${ESCALADE_PARTNERS.map((p) => FILE_NUMBER_LABELS[p])
      .slice(0, 2)
      .join(', ')}…`,
  })}
  <h2 class="fr-h4">Le blocage</h2>
  ${field({ name: 'objet', label: 'Objet, en une ligne', value: v.objet, error: e('objet'), maxlength: 200 })}
  ${field({ name: 'message', label: 'Message au référent', value: v.message, error: e('message'), textarea: true, maxlength: 5000, hint: 'Ce qui a été tenté, depuis quand, ce qui est attendu. Texte simple, 5 000 caractères au plus.' })}
  ${submit('Transmettre au référent')}
</form>`,
  });
}

const STATUS_NOTICES: Record<string, string> = {
  cree: 'Dossier transmis au référent du partenaire.',
  message: 'Message envoyé.',
  note: 'Note enregistrée.',
  piece: 'Pièce jointe ajoutée.',
  statut: 'Statut modifié.',
  reassigne: 'Dossier réorienté : il a quitté votre liste.',
};
export const noticeOf = (k: string | undefined) => (k ? (STATUS_NOTICES[k] ?? null) : null);

/** One case: identity, deadlines, thread, notes of the viewer's side, attachments, status and reassignment. */
export function dossierPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  view: DossierView;
  notice?: string | null;
  error?: (FormError & { form: 'message' | 'note' | 'piece' | 'statut' | 'reassigner' }) | null;
  values?: { message?: string; note?: string };
}): string {
  const { dossier: d, side } = o.view;
  const errFor = (form: string, name: string) =>
    o.error && o.error.form === form ? (errorOf(o.error, name) ?? o.error.message) : null;
  const statutOptions = o.view.nextStatuts.map((s: Statut) => [s, STATUT_LABELS[s]] as const);
  return backOfficePage({
    title: `Dossier n° ${d.numero}`,
    user: o.user,
    csrf: o.csrf,
    crumbs: CRUMBS,
    body: html`<h1>Dossier n° ${String(d.numero)} — ${partnerLabel(d.partenaire)}</h1>
${o.notice ? alert('success', o.notice) : null}
<div class="fr-grid-row fr-grid-row--gutters">
<div class="fr-col-12 fr-col-md-6">
<h2 class="fr-h4">La personne</h2>
<ul>
  <li>${who(d)}</li>
  ${d.date_naissance ? html`<li>Née ou né le ${d.date_naissance.split('-').reverse().join('/')}</li>` : null}
  ${d.numero_partenaire ? html`<li>Référence partenaire : ${d.numero_partenaire}</li>` : null}
  <li>Consentement recueilli le ${at(d.consent_at, d.commune)} (texte ${d.consent_version ?? '—'})</li>
</ul>
<p><strong>Objet :</strong> ${d.objet ?? '—'}</p>
</div>
<div class="fr-col-12 fr-col-md-6">
<h2 class="fr-h4">Suivi</h2>
<ul>
  <li>Statut : <strong>${STATUT_LABELS[d.statut]}</strong> ${lateBadge(d.late)}</li>
  <li>Structure : ${o.view.structure.name} (${o.view.structure.communeName}), département ${d.departement}</li>
  <li>Transmis le ${at(d.filed_at, d.commune)}</li>
  <li>Première réponse attendue avant le ${at(d.first_answer_due, d.commune)}${d.first_answer_at ? html` — répondu le ${at(d.first_answer_at, d.commune)}` : null}${d.answerLate ? html` <span class="maillage-late">(en retard)</span>` : null}</li>
  <li>Résolution attendue avant le ${at(d.resolution_due, d.commune)}${d.closed_at ? html` — clos le ${at(d.closed_at, d.commune)}` : null}${d.resolutionLate ? html` <span class="maillage-late">(en retard)</span>` : null}</li>
</ul>
</div></div>

<h2>Échanges</h2>
${
  o.view.messages.length === 0
    ? html`<p>Aucun message.</p>`
    : html`<ol class="fr-raw-list">${o.view.messages.map(
        (
          m,
        ) => html`<li class="fr-mb-3w"><p class="fr-mb-1v"><strong>${m.side === 'agent' ? 'France Services' : 'Référent'}</strong> — ${m.author_label}, le ${at(m.at, d.commune)}</p>
<p class="maillage-thread fr-p-2w">${m.body}</p></li>`,
      )}</ol>`
}
${
  d.statut === 'clos'
    ? html`<p>Ce dossier est clos.</p>`
    : html`<form method="post" action="/espace/escalade/${d.id}/messages" novalidate>${o.csrf}
  ${field({ name: 'message', id: 'nouveau-message', label: side === 'agent' ? 'Écrire au référent' : 'Répondre à la France Services', textarea: true, maxlength: 5000, value: o.error?.form === 'message' ? (o.values?.message ?? '') : '', error: errFor('message', 'message') })}
  ${submit('Envoyer le message')}</form>`
}

<h2>Pièces jointes</h2>
${
  o.view.attachments.length === 0
    ? html`<p>Aucune pièce.</p>`
    : html`<ul>${o.view.attachments.map((a) => html`<li><a href="/espace/escalade/${d.id}/pieces/${a.id}" download>${a.name}</a> (${String(Math.max(1, Math.round(a.size / 1024)))} Ko, ${a.side === 'agent' ? 'France Services' : 'référent'})</li>`)}</ul>`
}
${
  d.statut === 'clos'
    ? null
    : html`<form method="post" action="/espace/escalade/${d.id}/pieces" enctype="multipart/form-data">${o.csrf}
  <div class="fr-upload-group${errFor('piece', 'file') ? ' fr-upload-group--error' : ''}">
    <label class="fr-label" for="piece">Ajouter une pièce<span class="fr-hint-text">PDF, PNG, JPEG ou WebP. Le type est lu dans le contenu du fichier.</span></label>
    <input class="fr-upload" type="file" id="piece" name="file" accept=".pdf,.png,.jpg,.jpeg,.webp"${errFor('piece', 'file') ? html` aria-describedby="piece-error"` : null}>
    ${errFor('piece', 'file') ? html`<p id="piece-error" class="fr-error-text">${errFor('piece', 'file')}</p>` : null}
  </div>
  ${submit('Joindre la pièce', true)}</form>`
}

<h2>Statut</h2>
${
  statutOptions.length === 0
    ? html`<p>${d.statut === 'clos' ? 'Ce dossier est clos.' : 'Aucun changement de statut possible de votre côté.'}</p>`
    : html`<form method="post" action="/espace/escalade/${d.id}/statut" novalidate>${o.csrf}
  <input type="hidden" name="version" value="${String(d.version)}">
  ${select({ name: 'statut', label: 'Nouveau statut', options: statutOptions, error: errFor('statut', 'statut') })}
  ${submit('Changer le statut', true)}</form>`
}
${
  o.view.mayReassign
    ? html`<h2>Réorienter</h2>
<p>Vers un autre partenaire ou un autre département : le dossier quittera votre liste.</p>
<form method="post" action="/espace/escalade/${d.id}/reassigner" novalidate>${o.csrf}
  <input type="hidden" name="version" value="${String(d.version)}">
  ${select({ name: 'partenaire', label: 'Partenaire destinataire', options: partnerOptions, value: d.partenaire, error: errFor('reassigner', 'partenaire') })}
  ${field({ name: 'departement', id: 'reassigner-departement', label: 'Département', value: d.departement, maxlength: 3, hint: 'Code, par exemple 02, 2A ou 971', error: errFor('reassigner', 'departement') })}
  ${submit('Réorienter le dossier', true)}</form>`
    : null
}

<h2>Notes internes ${side === 'agent' ? 'de la France Services' : 'des référents'}</h2>
<p class="fr-text--sm">Visibles de votre côté seulement.</p>
${o.view.notes.length === 0 ? html`<p>Aucune note.</p>` : html`<ul>${o.view.notes.map((n) => html`<li><span class="maillage-thread">${n.body}</span> — ${n.author_label}, ${at(n.at, d.commune)}</li>`)}</ul>`}
<form method="post" action="/espace/escalade/${d.id}/notes" novalidate>${o.csrf}
  ${field({ name: 'note', id: 'nouvelle-note', label: 'Ajouter une note interne', textarea: true, maxlength: 5000, value: o.error?.form === 'note' ? (o.values?.note ?? '') : '', error: errFor('note', 'note') })}
  ${submit('Enregistrer la note', true)}</form>

<h2>Historique</h2>
<ul>${o.view.events.map(
      (ev) =>
        html`<li>${at(ev.at, d.commune)} — ${
          ev.kind === 'creation'
            ? 'Transmis par la France Services'
            : ev.kind === 'reassignation'
              ? `Réorienté de ${partnerLabel(ev.from_partenaire ?? '')} (${ev.from_departement}) vers ${partnerLabel(ev.to_partenaire ?? '')} (${ev.to_departement})`
              : `Statut : ${STATUT_LABELS[(ev.from_statut ?? 'nouveau') as Statut]} → ${STATUT_LABELS[(ev.to_statut ?? 'nouveau') as Statut]} (${ev.side === 'agent' ? 'France Services' : 'référent'})`
        }</li>`,
    )}</ul>`,
  });
}
