import type { Principal } from '../../../domain/accounts/index.js';
import { WEEKDAYS } from '../../../domain/directory/opening-hours.js';
import {
  FORMAT_LABELS,
  PARTNER_LABELS,
  PARTNERS,
  STRUCTURE_FORMATS,
} from '../../../domain/directory/structure.js';
import {
  type ApplicationContent,
  type ApplicationState,
  CHECK_LABELS,
  PORTEUR_KINDS,
  PORTEUR_LABELS,
  type PrecheckReport,
  type Referentiel,
  ruleFor,
  STATE_LABELS,
  STATES,
  type TransitionAction,
} from '../../../domain/labelling/index.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, BASE, frDate, labellingPage, stateBadge } from './common.js';

type Csrf = SafeHtml;
interface CampaignLike {
  id: string;
  name: string;
  opensOn: string;
  closesOn: string;
  departements: readonly string[];
  referentielVersion: string;
  status: string;
}
interface AppLike {
  id: string;
  state: ApplicationState;
  departement: string;
  content: ApplicationContent;
  updatedAt: Date;
  version: number;
  campaignId: string;
  /** Set when the application renews an existing structure (chosen at creation). */
  renewsStructureId?: string | null;
}

/** The structure an application renews, as every review page shows it. */
export interface RenewedStructure {
  id: string;
  idFs: string;
  name: string;
  communeName: string;
  departement: string;
}

/** What the application will do to the directory: shown to the porteur and to every reviewer. */
export function natureNotice(a: AppLike, renews: RenewedStructure | null): SafeHtml {
  if (!a.renewsStructureId)
    return html`<p class="fr-badge fr-badge--info fr-badge--no-icon">Nouvelle structure</p>
<p>Candidature pour une <strong>nouvelle structure</strong> : une nouvelle fiche sera créée dans l’annuaire à la labellisation ; aucune structure existante n’est modifiée.</p>`;
  return html`<p class="fr-badge fr-badge--warning fr-badge--no-icon">Renouvellement</p>
<p>Candidature de <strong>renouvellement</strong> de la structure existante ${
    renews
      ? html`« ${renews.name} » (n° ${renews.idFs}, ${renews.communeName}, département ${renews.departement})`
      : html`(introuvable dans l’annuaire)`
  } : à la labellisation, sa fiche prendra le contenu de cette candidature (nom, adresse, horaires, contacts), en gardant son identifiant et son département.</p>`;
}

// ----- home -----------------------------------------------------------------------------------

export function homePage(o: {
  user: Principal;
  csrf: Csrf;
  campaigns: CampaignLike[];
  applications: AppLike[];
  audits: {
    id: string;
    kind: string;
    planned_on: string;
    completed_on: string | null;
    application_id: string | null;
  }[];
  referentiels: Referentiel[];
  can: { manage: boolean; file: boolean; review: boolean; dashboard: boolean };
  /** The structures the user may file for (a responsable's own, open ones). */
  filing: RenewedStructure[];
  today: string;
}): string {
  const deps = [...new Set(o.filing.map((s) => s.departement))].sort();
  const open = o.campaigns.filter(
    (c) => c.status === 'ouverte' && c.opensOn <= o.today && o.today <= c.closesOn,
  );
  const body = html`<h1>Labellisation France Services</h1>
<p class="fr-text--lead">Campagnes, candidatures, audits de certification et suivi du label.</p>
${
  o.can.file && o.user.role === 'responsable'
    ? html`<h2>Déposer une candidature</h2>
${
  o.filing.length === 0
    ? html`<p>Votre compte n’est rattaché à aucune structure ouverte : une candidature se dépose dans le département d’une de vos structures. Demandez à votre animateur départemental de vous y rattacher.</p>`
    : open.length === 0
      ? html`<p>Aucune campagne n’est ouverte aux dépôts aujourd’hui.</p>`
      : open.map(
          (
            c,
          ) => html`<form method="post" action="${BASE}/campagnes/${c.id}/candidatures" class="fr-mb-3w">${o.csrf}
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">${c.name} — dépôts jusqu’au ${frDate(c.closesOn)}</legend>
<div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="dep-${c.id}">Département de la structure <span class="fr-hint-text">Celui d’une de vos structures</span></label>
<select class="fr-select" id="dep-${c.id}" name="departement">${deps.map((d) => html`<option value="${d}">${d}</option>`)}</select></div></div>
<div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="ren-${c.id}">Nature de la candidature <span class="fr-hint-text">Un renouvellement reprend la fiche existante de la structure, dans son département</span></label>
<select class="fr-select" id="ren-${c.id}" name="renouvellement"><option value="">Nouvelle structure France Services</option>${o.filing.map((s) => html`<option value="${s.id}">Renouvellement : ${s.name} (n° ${s.idFs}, ${s.communeName}, ${s.departement})</option>`)}</select></div></div>
<div class="fr-fieldset__element"><button class="fr-btn" type="submit">Commencer une candidature</button></div></fieldset></form>`,
        )
}`
    : null
}
${
  o.applications.length > 0
    ? html`<h2>${o.user.role === 'responsable' ? 'Mes candidatures' : 'Candidatures'}</h2>
<div class="fr-table"><table><caption class="fr-sr-only">Candidatures</caption><thead><tr><th scope="col">Structure</th><th scope="col">Département</th><th scope="col">État</th><th scope="col">Mise à jour</th></tr></thead><tbody>
${o.applications.map(
  (a) =>
    html`<tr><td><a href="${BASE}/candidatures/${a.id}">${a.content.structureName || 'Candidature sans nom'}</a></td><td>${a.departement}</td><td>${stateBadge(a.state)}</td><td>${frDate(a.updatedAt.toISOString())}</td></tr>`,
)}</tbody></table></div>`
    : null
}
${
  o.audits.length > 0
    ? html`<h2>Mes audits</h2><ul>${o.audits.map(
        (a) =>
          html`<li><a href="${BASE}/audits/${a.id}">Audit ${a.kind === 'contre_visite' ? 'de contre-visite' : a.kind === 'periodique' ? 'périodique' : 'initial'} du ${frDate(a.planned_on)}</a> ${a.completed_on ? html`— terminé le ${frDate(a.completed_on)}` : html`— <strong>à renseigner</strong>`}</li>`,
      )}</ul>`
    : null
}
${
  o.can.review || o.can.manage
    ? html`<h2>Campagnes</h2>
<ul>${o.campaigns.map(
        (c) =>
          html`<li><a href="${BASE}/campagnes/${c.id}">${c.name}</a> (${frDate(c.opensOn)} – ${frDate(c.closesOn)}, référentiel ${c.referentielVersion}, ${c.status === 'ouverte' ? 'ouverte' : 'clôturée'})</li>`,
      )}</ul>`
    : null
}
${o.can.dashboard ? html`<p><a class="fr-link" href="${BASE}/suivi">Structures en écart et audits à prévoir</a></p>` : null}
${o.can.manage ? campaignForm(o.csrf, o.referentiels) : null}
<h2>Référentiels publiés</h2>
<ul>${o.referentiels.map((r) => html`<li><a href="${BASE}/referentiels/${r.version}">${r.title}</a> — version ${r.version}, ${r.criteria.length} critères</li>`)}</ul>`;
  return labellingPage({ title: 'Labellisation', body });
}

function campaignForm(csrf: Csrf, refs: Referentiel[]): SafeHtml {
  return html`<h2>Ouvrir une campagne</h2>
<form method="post" action="${BASE}/campagnes">${csrf}
<div class="fr-input-group"><label class="fr-label" for="c-name">Nom de la campagne</label><input class="fr-input" id="c-name" name="name" required maxlength="200"></div>
<div class="fr-input-group"><label class="fr-label" for="c-open">Ouverture des dépôts</label><input class="fr-input" type="date" id="c-open" name="opensOn" required></div>
<div class="fr-input-group"><label class="fr-label" for="c-close">Clôture des dépôts</label><input class="fr-input" type="date" id="c-close" name="closesOn" required></div>
<div class="fr-input-group"><label class="fr-label" for="c-deps">Départements couverts <span class="fr-hint-text">Codes séparés par des virgules ; vide : toute la France</span></label><input class="fr-input" id="c-deps" name="departements" maxlength="2000"></div>
<div class="fr-select-group"><label class="fr-label" for="c-ref">Version du référentiel</label><select class="fr-select" id="c-ref" name="referentielVersion">${refs.map((r) => html`<option value="${r.version}">${r.version} — ${r.title}</option>`)}</select></div>
<button class="fr-btn" type="submit">Ouvrir la campagne</button></form>`;
}

export function referentielPage(
  ref: Referentiel,
  publish: { csrf: Csrf } | null = null,
  error: string | null = null,
): string {
  const body = html`<h1>${ref.title}</h1><p>Version ${ref.version}, publiée le ${frDate(ref.publishedAt)}. Source : ${ref.source}</p>
<div class="fr-table"><table><caption>Critères (${ref.criteria.length})</caption><thead><tr><th scope="col">Code</th><th scope="col">Critère</th><th scope="col">Catégorie</th><th scope="col">Obligatoire</th><th scope="col">Contrôle</th></tr></thead><tbody>
${ref.criteria.map((c) => html`<tr><td>${c.code}</td><td>${c.title}${c.onlyFor === 'mobile' ? ' (itinérance)' : ''}</td><td>${c.category}</td><td>${c.mandatory ? 'Oui' : 'Non'}</td><td>${CHECK_LABELS[c.check]}</td></tr>`)}
</tbody></table></div>
${
  publish
    ? html`<h2>Publier une nouvelle version</h2>
${error ? alert('error', 'La version n’a pas été publiée', error) : null}
<p>Une version publiée ne change plus ; les campagnes ouvertes gardent la leur. Partez de cette version et modifiez la liste des critères (JSON : code, title, category, mandatory, check, onlyFor).</p>
<form method="post" action="${BASE}/referentiels">${publish.csrf}
<div class="fr-input-group"><label class="fr-label" for="r-version">Nouvelle version <span class="fr-hint-text">AAAA-MM, par exemple 2026-01</span></label><input class="fr-input" id="r-version" name="version" required maxlength="20"></div>
<div class="fr-input-group"><label class="fr-label" for="r-title">Titre</label><input class="fr-input" id="r-title" name="title" required maxlength="300" value="${ref.title}"></div>
<div class="fr-input-group"><label class="fr-label" for="r-source">Source (texte officiel)</label><input class="fr-input" id="r-source" name="source" required maxlength="1000" value="${ref.source}"></div>
<div class="fr-input-group"><label class="fr-label" for="r-criteria">Critères (JSON)</label><textarea class="fr-input" id="r-criteria" name="criteria" rows="20" maxlength="200000">${JSON.stringify(ref.criteria, null, 2)}</textarea></div>
<button class="fr-btn" type="submit">Publier</button></form>`
    : null
}`;
  return labellingPage({
    title: `Référentiel ${ref.version}`,
    body,
    crumbs: [{ label: `Référentiel ${ref.version}` }],
  });
}

// ----- pipeline -------------------------------------------------------------------------------

export function pipelinePage(o: {
  campaign: CampaignLike;
  counts: { departement: string; state: ApplicationState; n: number }[];
  rows: AppLike[];
  filter: { departement: string | null; state: string | null };
  lockedDepartement: boolean;
  canManage: boolean;
  csrf: Csrf;
  message?: SafeHtml | null;
}): string {
  const deps = [...new Set(o.counts.map((c) => c.departement))].sort();
  const used = STATES.filter((s) => o.counts.some((c) => c.state === s));
  const qs = new URLSearchParams();
  if (o.filter.departement) qs.set('departement', o.filter.departement);
  if (o.filter.state) qs.set('etat', o.filter.state);
  const body = html`<h1>${o.campaign.name}</h1>${o.message ?? null}
<p>Dépôts du ${frDate(o.campaign.opensOn)} au ${frDate(o.campaign.closesOn)} — référentiel ${o.campaign.referentielVersion} — ${o.campaign.departements.length ? `départements ${o.campaign.departements.join(', ')}` : 'toute la France'} — ${o.campaign.status === 'ouverte' ? 'ouverte' : 'clôturée'}.</p>
<h2>Candidatures par état et par département</h2>
${
  deps.length === 0
    ? html`<p>Aucune candidature.</p>`
    : html`<div class="fr-table"><table><caption class="fr-sr-only">Nombre de candidatures par département et par état</caption><thead><tr><th scope="col">Département</th>${used.map((s) => html`<th scope="col">${STATE_LABELS[s]}</th>`)}<th scope="col">Total</th></tr></thead><tbody>
${deps.map((d) => {
  const of = (s: string) => o.counts.find((c) => c.departement === d && c.state === s)?.n ?? 0;
  return html`<tr><th scope="row">${d}</th>${used.map((s) => html`<td><a href="?departement=${d}&amp;etat=${s}">${of(s)}</a></td>`)}<td>${used.reduce((t, s) => t + of(s), 0)}</td></tr>`;
})}</tbody></table></div>`
}
<h2>Liste</h2>
<form method="get" class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom fr-mb-2w">
${
  o.lockedDepartement
    ? null
    : html`<div class="fr-col-12 fr-col-md-3"><div class="fr-input-group"><label class="fr-label" for="f-dep">Département</label><input class="fr-input" id="f-dep" name="departement" maxlength="3" value="${o.filter.departement ?? ''}"></div></div>`
}
<div class="fr-col-12 fr-col-md-4"><div class="fr-select-group"><label class="fr-label" for="f-state">État</label><select class="fr-select" id="f-state" name="etat"><option value="">Tous</option>${STATES.map((s) => html`<option value="${s}"${o.filter.state === s ? html` selected` : null}>${STATE_LABELS[s]}</option>`)}</select></div></div>
<div class="fr-col-12 fr-col-md-3"><button class="fr-btn fr-btn--secondary" type="submit">Filtrer</button></div></form>
<p><a class="fr-link fr-icon-download-line fr-link--icon-left" href="${BASE}/campagnes/${o.campaign.id}/export.csv?${qs.toString()}">Exporter cette liste (CSV)</a></p>
<div class="fr-table"><table><caption class="fr-sr-only">Candidatures filtrées</caption><thead><tr><th scope="col">Structure</th><th scope="col">Nature</th><th scope="col">Commune</th><th scope="col">Département</th><th scope="col">État</th><th scope="col">Mise à jour</th></tr></thead><tbody>
${o.rows.map((a) => html`<tr><td><a href="${BASE}/candidatures/${a.id}">${a.content.structureName || 'Sans nom'}</a></td><td>${a.renewsStructureId ? 'Renouvellement' : 'Nouvelle structure'}</td><td>${a.content.communeName}</td><td>${a.departement}</td><td>${stateBadge(a.state)}</td><td>${frDate(a.updatedAt.toISOString())}</td></tr>`)}
</tbody></table></div>
${
  o.canManage && o.campaign.status === 'ouverte'
    ? html`<form method="post" action="${BASE}/campagnes/${o.campaign.id}/cloture">${o.csrf}<button class="fr-btn fr-btn--tertiary" type="submit">Clôturer la campagne</button></form>`
    : null
}`;
  return labellingPage({ title: o.campaign.name, body, crumbs: [{ label: o.campaign.name }] });
}

// ----- application form -----------------------------------------------------------------------

const input = (
  id: string,
  label: string,
  value: string | number | null,
  extra: { type?: string; hint?: string; required?: boolean; max?: number; auto?: string } = {},
) =>
  html`<div class="fr-input-group"><label class="fr-label" for="${id}">${label}${extra.hint ? html`<span class="fr-hint-text">${extra.hint}</span>` : null}</label><input class="fr-input" id="${id}" name="${id}" type="${extra.type ?? 'text'}" value="${value ?? ''}" maxlength="${extra.max ?? 300}"${extra.auto ? html` autocomplete="${extra.auto}"` : null}${extra.type === 'number' ? html` step="any"` : null}></div>`;

export function applicationFormPage(o: {
  app: AppLike;
  renews: RenewedStructure | null;
  csrf: Csrf;
  error?: string | null;
  field?: string | null;
}): string {
  const c = o.app.content;
  const agents = [
    ...c.agents,
    ...Array.from({ length: Math.max(0, 4 - c.agents.length) }, () => ({ name: '', trainedOn: null })),
  ];
  const body = html`<h1>Candidature : ${c.structureName || 'nouvelle structure'}</h1>
${o.error ? alert('error', 'La candidature n’a pas été enregistrée', `${o.field ? `${o.field} : ` : ''}${o.error}`) : null}
${natureNotice(o.app, o.renews)}
<p>Les champs peuvent être enregistrés à tout moment ; la candidature n’est transmise qu’au dépôt, depuis la <a href="${BASE}/candidatures/${o.app.id}">page de suivi</a>.</p>
<form method="post" action="${BASE}/candidatures/${o.app.id}/formulaire">${o.csrf}
<input type="hidden" name="version" value="${o.app.version}">
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Porteur</legend>
<div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="porteurKind">Type de porteur</label><select class="fr-select" id="porteurKind" name="porteurKind"><option value="">Choisir</option>${PORTEUR_KINDS.map((k) => html`<option value="${k}"${c.porteurKind === k ? html` selected` : null}>${PORTEUR_LABELS[k]}</option>`)}</select></div></div>
<div class="fr-fieldset__element">${input('porteurName', 'Nom du porteur', c.porteurName)}</div></fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Structure</legend>
<div class="fr-fieldset__element">${input('structureName', 'Nom de la structure', c.structureName)}</div>
<div class="fr-fieldset__element"><div class="fr-select-group"><label class="fr-label" for="format">Format</label><select class="fr-select" id="format" name="format">${STRUCTURE_FORMATS.map((f) => html`<option value="${f}"${c.format === f ? html` selected` : null}>${FORMAT_LABELS[f]}</option>`)}</select></div></div>
<div class="fr-fieldset__element">${input('address', 'Adresse', c.address, { auto: 'street-address' })}</div>
<div class="fr-fieldset__element">${input('codeInsee', 'Code INSEE de la commune', c.codeInsee, { max: 5, hint: 'Par exemple 02361' })}</div>
<div class="fr-fieldset__element">${input('postalCode', 'Code postal', c.postalCode, { max: 5, auto: 'postal-code' })}</div>
<div class="fr-fieldset__element">${input('communeName', 'Commune', c.communeName, { max: 120 })}</div>
<div class="fr-fieldset__element">${input('lat', 'Latitude', c.lat, { type: 'number', max: 20, hint: 'Par exemple 49.9012' })}</div>
<div class="fr-fieldset__element">${input('lon', 'Longitude', c.lon, { type: 'number', max: 20, hint: 'Par exemple 3.6301' })}</div>
<div class="fr-fieldset__element">${input('email', 'Adresse électronique de contact', c.email, { type: 'email', max: 200, auto: 'email' })}</div>
<div class="fr-fieldset__element">${input('telephone', 'Téléphone', c.telephone, { type: 'tel', max: 20, auto: 'tel' })}</div></fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Horaires d’ouverture <span class="fr-hint-text">Au format « 09:00 - 12:00 / 13:30 - 17:00 » ; laisser vide si fermé</span></legend>
${WEEKDAYS.map((d) => html`<div class="fr-fieldset__element">${input(`hours_${d}`, d[0]?.toUpperCase() + d.slice(1), c.hours[d] ?? '', { max: 100 })}</div>`)}</fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Agents France Services <span class="fr-hint-text">Au moins deux agents formés</span></legend>
${agents.map(
  (a, i) =>
    html`<div class="fr-fieldset__element fr-grid-row fr-grid-row--gutters"><div class="fr-col-12 fr-col-md-6">${input(`agent_name_${i}`, `Agent ${i + 1} : nom`, a.name, { max: 120 })}</div><div class="fr-col-12 fr-col-md-6">${input(`agent_trained_${i}`, `Agent ${i + 1} : date de formation`, a.trainedOn ?? '', { type: 'date', max: 10 })}</div></div>`,
)}</fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Partenaires nationaux et référents</legend>
${PARTNERS.map(
  (
    p,
  ) => html`<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="partner_${p}" name="partner_${p}" value="1"${c.partners.includes(p) ? html` checked` : null}><label class="fr-label" for="partner_${p}">${PARTNER_LABELS[p]}</label></div>
${input(`referent_${p}`, `Référent ${PARTNER_LABELS[p]}`, c.referents[p] ?? '', { max: 120 })}</div>`,
)}</fieldset>
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Itinérance (bus uniquement)</legend>
<div class="fr-fieldset__element">${input('mobile_stops', 'Nombre de points d’arrêt', c.mobile?.stops ?? '', { type: 'number', max: 5 })}</div>
<div class="fr-fieldset__element">${input('mobile_dates', 'Nombre de dates de passage publiées', c.mobile?.calendarDates ?? '', { type: 'number', max: 5 })}</div>
<div class="fr-fieldset__element"><div class="fr-checkbox-group"><input type="checkbox" id="mobile_published" name="mobile_published" value="1"${c.mobile?.calendarPublished ? html` checked` : null}><label class="fr-label" for="mobile_published">Le calendrier de passage est publié</label></div></div></fieldset>
<button class="fr-btn" type="submit">Enregistrer le brouillon</button></form>`;
  return labellingPage({
    title: 'Formulaire de candidature',
    body,
    crumbs: [{ label: 'Candidature', href: `${BASE}/candidatures/${o.app.id}` }, { label: 'Formulaire' }],
  });
}

// ----- follow-up ------------------------------------------------------------------------------

export interface FollowUpData {
  renews: RenewedStructure | null;
  application: AppLike & {
    auditorUserId: string | null;
    structureId: string | null;
    labelledOn: string | null;
    porteurUserId: string;
  };
  campaign: CampaignLike;
  referentiel: Referentiel;
  documents: {
    id: string;
    name: string;
    criterion_code: string | null;
    size: number;
    audit_id: string | null;
  }[];
  missing: string[];
  prechecks: PrecheckReport | null;
  transitions: {
    action: string;
    from_state: string;
    to_state: string;
    by_role: string;
    at: Date;
    reason: string | null;
  }[];
  audits: {
    id: string;
    kind: string;
    planned_on: string;
    completed_on: string | null;
    outcome: string | null;
  }[];
  actions: { code: string; description: string; due_on: string; closed_on: string | null }[];
  available: TransitionAction[];
}

const STATUS_ICON = { ok: 'Conforme', failed: 'En écart', unknown: 'Inconnu' } as const;

export function followUpPage(o: {
  data: FollowUpData;
  user: Principal;
  csrf: Csrf;
  auditors: { id: string; label: string }[];
  csrfToken: string;
  message?: SafeHtml | null;
  today: string;
}): string {
  const d = o.data;
  const a = d.application;
  const mine = o.user.id === a.porteurUserId;
  const docCriteria = d.referentiel.criteria.filter((c) => c.check === 'document');
  const body = html`<h1>${a.content.structureName || 'Candidature sans nom'}</h1>${o.message ?? null}
<p>${stateBadge(a.state)} Campagne « ${d.campaign.name} », département ${a.departement}.${a.labelledOn ? ` Labellisée le ${frDate(a.labelledOn)}.` : ''}</p>
${natureNotice(a, d.renews)}
${a.state === 'labellisee' ? html`<p><a class="fr-link fr-icon-download-line fr-link--icon-left" href="${BASE}/candidatures/${a.id}/certificat.pdf">Certificat de labellisation (PDF)</a></p>` : null}
${
  a.state === 'brouillon'
    ? html`<h2>Ce qui manque pour déposer</h2>${
        d.missing.length === 0
          ? html`<p>Rien : la candidature est complète et peut être déposée.</p>`
          : html`<ul>${d.missing.map((m) => html`<li>${m}</li>`)}</ul>`
      }${mine ? html`<p><a class="fr-btn fr-btn--secondary" href="${BASE}/candidatures/${a.id}/formulaire">Compléter le formulaire</a></p>` : null}`
    : null
}
${actionsBlock(o, docCriteria.length)}
${
  d.prechecks
    ? html`<h2>Pré-contrôles automatiques</h2><p>${d.prechecks.weeklyHours} h d’ouverture par semaine sur ${d.prechecks.openDays} jour(s).</p>
<ul>${d.prechecks.criteria.map((c) => html`<li><strong>${c.code}</strong> — ${STATUS_ICON[c.status]} : ${c.detail}</li>`)}</ul>`
    : null
}
<h2>Pièces justificatives</h2>
${d.documents.length === 0 ? html`<p>Aucune pièce déposée.</p>` : html`<ul>${d.documents.map((doc) => html`<li><a href="${BASE}/documents/${doc.id}">${doc.name}</a> ${doc.criterion_code ? `(${doc.criterion_code})` : ''} — ${Math.ceil(doc.size / 1024)} Ko</li>`)}</ul>`}
${
  mine && a.state === 'brouillon'
    ? html`<form method="post" enctype="multipart/form-data" action="${BASE}/candidatures/${a.id}/documents"><input type="hidden" name="_csrf" value="${o.csrfToken}">
<div class="fr-select-group"><label class="fr-label" for="doc-code">Critère concerné</label><select class="fr-select" id="doc-code" name="criterion">${docCriteria.map((c) => html`<option value="${c.code}">${c.code} — ${c.title}</option>`)}</select></div>
<div class="fr-upload-group"><label class="fr-label" for="doc-file">Fichier<span class="fr-hint-text">PDF ou image (PNG, JPEG, WebP), 10 Mo au plus.</span></label><input class="fr-upload" type="file" id="doc-file" name="file" accept="application/pdf,image/png,image/jpeg,image/webp" required></div>
<button class="fr-btn fr-btn--secondary fr-mt-2w" type="submit">Ajouter la pièce</button></form>`
    : null
}
${
  d.actions.length > 0
    ? html`<h2>Actions correctives</h2><ul>${d.actions.map((x) => html`<li><strong>${x.code}</strong> : ${x.description} — échéance ${frDate(x.due_on)} — ${x.closed_on ? `levée le ${frDate(x.closed_on)}` : x.due_on < o.today ? 'en retard' : 'ouverte'}</li>`)}</ul>`
    : null
}
${
  d.audits.length > 0
    ? html`<h2>Audits</h2><ul>${d.audits.map((x) => html`<li><a href="${BASE}/audits/${x.id}">${x.kind === 'contre_visite' ? 'Contre-visite' : 'Audit initial'} du ${frDate(x.planned_on)}</a> — ${x.completed_on ? `terminé le ${frDate(x.completed_on)} (${x.outcome === 'conforme' ? 'conforme' : 'non conforme'})` : 'à venir'}${x.completed_on ? html` — <a href="${BASE}/audits/${x.id}/rapport.pdf">rapport (PDF)</a>` : null}</li>`)}</ul>`
    : null
}
<h2>Historique</h2>
${
  d.transitions.length === 0
    ? html`<p>Aucune étape pour l’instant.</p>`
    : html`<ol>${d.transitions.map((t) => html`<li>${frDate(t.at.toISOString())} — ${STATE_LABELS[t.from_state as ApplicationState] ?? t.from_state} → <strong>${STATE_LABELS[t.to_state as ApplicationState] ?? t.to_state}</strong> (${t.by_role})${t.reason ? ` — motif : ${t.reason}` : ''}</li>`)}</ol>`
}`;
  return labellingPage({
    title: `Candidature — ${a.content.structureName || 'sans nom'}`,
    body,
    crumbs: [{ label: 'Candidature' }],
  });
}

function actionsBlock(
  o: { data: FollowUpData; csrf: Csrf; auditors: { id: string; label: string }[] },
  _docs: number,
): SafeHtml | null {
  const d = o.data;
  if (d.available.length === 0) return null;
  return html`<h2>Étape suivante</h2>${d.available.map((action) => {
    const rule = ruleFor(action);
    const needsAudit = action === 'planifier_audit' || action === 'planifier_contre_visite';
    const id = `t-${action}`;
    return html`<form method="post" action="${BASE}/candidatures/${d.application.id}/transition" class="fr-mb-3w">${o.csrf}
<input type="hidden" name="action" value="${action}"><input type="hidden" name="version" value="${d.application.version}">
${
  needsAudit
    ? html`<div class="fr-select-group"><label class="fr-label" for="${id}-aud">Auditeur</label><select class="fr-select" id="${id}-aud" name="auditorUserId" required>${o.auditors.map((x) => html`<option value="${x.id}">${x.label}</option>`)}</select></div>
<div class="fr-input-group"><label class="fr-label" for="${id}-date">Date de l’audit sur place</label><input class="fr-input" type="date" id="${id}-date" name="auditDate" required></div>`
    : null
}
${
  rule.reasonRequired || action === 'declarer_recevable' || action === 'proposer' || action === 'labelliser'
    ? html`<div class="fr-input-group"><label class="fr-label" for="${id}-reason">Motif ${rule.reasonRequired ? '(obligatoire)' : '(facultatif)'}</label><textarea class="fr-input" id="${id}-reason" name="reason" maxlength="2000"${rule.reasonRequired ? html` required` : null}></textarea></div>`
    : null
}
<button class="fr-btn${rule.to === 'irrecevable' || rule.to === 'refusee' || rule.to === 'label_retire' ? ' fr-btn--secondary' : ''}" type="submit">${rule.label}</button></form>`;
  })}`;
}

// ----- department and nation views ------------------------------------------------------------

export function monitoringPage(o: {
  departement: string | null;
  locked: boolean;
  failing: {
    structureId: string;
    name: string;
    departement: string;
    labelledOn: string | null;
    report: PrecheckReport;
  }[];
  due: {
    id: string;
    id_fs: string;
    name: string;
    departement: string;
    dueOn: string;
    daysOverdue: number;
    overdue: boolean;
  }[];
  cycleMonths: number;
  overdue: {
    code: string;
    description: string;
    dueOn: string;
    applicationId: string;
    departement: string;
    structureName: string;
  }[];
  canAssign: boolean;
  auditors: { id: string; label: string }[];
  csrf: Csrf;
  message?: SafeHtml | null;
}): string {
  const body = html`<h1>Suivi du label${o.departement ? ` — département ${o.departement}` : ' — France entière'}</h1>${o.message ?? null}
${o.locked ? null : html`<form method="get" class="fr-mb-3w"><div class="fr-input-group"><label class="fr-label" for="m-dep">Département <span class="fr-hint-text">Vide : toute la France</span></label><input class="fr-input" id="m-dep" name="departement" maxlength="3" value="${o.departement ?? ''}"></div><button class="fr-btn fr-btn--secondary" type="submit">Afficher</button></form>`}
<h2>Audits périodiques à prévoir (cycle de ${o.cycleMonths} mois)</h2>
${
  o.due.length === 0
    ? html`<p>Aucun audit dû dans les 60 prochains jours.</p>`
    : html`<div class="fr-table"><table><caption class="fr-sr-only">Audits dus</caption><thead><tr><th scope="col">Structure</th><th scope="col">Département</th><th scope="col">Échéance</th><th scope="col">Retard</th>${o.canAssign ? html`<th scope="col">Planifier</th>` : null}</tr></thead><tbody>
${o.due.map(
  (s) =>
    html`<tr><td>${s.name} (${s.id_fs})</td><td>${s.departement}</td><td>${frDate(s.dueOn)}</td><td>${s.overdue ? `${s.daysOverdue} jour(s)` : 'à venir'}</td>${
      o.canAssign
        ? html`<td><form method="post" action="${BASE}/structures/${s.id}/audit-periodique">${o.csrf}<label class="fr-label" for="pa-${s.id}">Auditeur</label><select class="fr-select" id="pa-${s.id}" name="auditorUserId">${o.auditors.map((x) => html`<option value="${x.id}">${x.label}</option>`)}</select><label class="fr-label" for="pd-${s.id}">Date</label><input class="fr-input" type="date" id="pd-${s.id}" name="plannedOn" required><button class="fr-btn fr-btn--sm fr-mt-1w" type="submit">Planifier</button></form></td>`
        : null
    }</tr>`,
)}</tbody></table></div>`
}
<h2>Actions correctives en retard</h2>
${
  o.overdue.length === 0
    ? html`<p>Aucune.</p>`
    : html`<ul>${o.overdue.map((x) => html`<li><a href="${BASE}/candidatures/${x.applicationId}">${x.structureName || 'Candidature'}</a> (${x.departement}) — ${x.code} : ${x.description} — échéance ${frDate(x.dueOn)}</li>`)}</ul>`
}
<h2>Structures dont les pré-contrôles échouent</h2>
${
  o.failing.length === 0
    ? html`<p>Aucune.</p>`
    : html`<div class="fr-table"><table><caption class="fr-sr-only">Structures en écart</caption><thead><tr><th scope="col">Structure</th><th scope="col">Département</th><th scope="col">Écarts</th></tr></thead><tbody>
${o.failing.map((f) => html`<tr><td>${f.name} (${f.report.idFs})</td><td>${f.departement}</td><td><ul>${f.report.criteria.filter((c) => c.status === 'failed').map((c) => html`<li>${c.code} : ${c.detail}</li>`)}</ul></td></tr>`)}
</tbody></table></div>`
}`;
  return labellingPage({ title: 'Suivi du label', body, crumbs: [{ label: 'Suivi' }] });
}
