import type { DemarcheRow, RecordRow } from '../../../db/repositories/accompagnement.repository.js';
import {
  AUTONOMIE_LABELS,
  AUTONOMIES,
  CANAL_LABELS,
  CANAUX,
  type Demarche,
  PARTENAIRE_LABELS,
  PARTENAIRES,
  type Partenaire,
  RESULTAT_LABELS,
  RESULTATS,
  TRANCHE_AGE_LABELS,
  TRANCHES_AGE,
} from '../../../domain/accompagnement/index.js';
import type { TimeZone } from '../../../domain/shared/time-zone.js';
import type { CounterForm } from '../../../services/accompagnement/accompagnement.service.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { html, type SafeHtml } from '../../html.js';
import { field } from '../accounts/forms.js';
import { backOfficePage, frDateTime } from '../backoffice/chrome.js';

interface StructureRef {
  readonly id: string;
  readonly idFs: string;
  readonly name: string;
  /** The structure's own clock: records are shown in its local time. */
  readonly zone: TimeZone;
}
export interface RecentChoice {
  readonly partenaire: string;
  readonly demarche: string | null;
}

const partnerLabel = (p: string) => PARTENAIRE_LABELS[p as Partenaire] ?? p;
const labelOf = (demarches: readonly Demarche[], code: string | null) =>
  code ? (demarches.find((d) => d.code === code)?.label ?? code) : 'démarche non précisée';

function select(
  name: string,
  label: string,
  options: ReadonlyArray<readonly [string, string]>,
  value: string,
  optional = false,
) {
  return html`<div class="fr-select-group">
  <label class="fr-label" for="${name}">${label}</label>
  <select class="fr-select" id="${name}" name="${name}">
    ${optional ? html`<option value="">— non renseigné —</option>` : null}
    ${options.map(([v, l]) => html`<option value="${v}" ${v === value ? html`selected` : null}>${l}</option>`)}
  </select>
</div>`;
}

/**
 * The keyboard-first counter form. The agent's recent cases come first as radio buttons (the first is
 * focused and checked): a repeated case is Space/arrow, then Enter. Everything else has a default
 * (now, 15 minutes, counter, solved). A plain form: it works without JavaScript.
 */
export function counterForm(o: {
  action: string;
  csrf: SafeHtml;
  formId: string;
  recent: readonly RecentChoice[];
  demarches: readonly Demarche[];
  values?: CounterForm;
  submitLabel: string;
  /** The structure's official id, for the offline island (the counter page only). */
  offlineIdFs?: string;
}): SafeHtml {
  const v = o.values ?? {};
  const hasRecent = o.recent.length > 0 && !o.values;
  return html`<form method="post" action="${o.action}" id="form-accompagnement" novalidate${o.offlineIdFs ? html` data-id-fs="${o.offlineIdFs}"` : null}>
${o.csrf}
<input type="hidden" name="id" value="${o.formId}">
${
  hasRecent
    ? html`<fieldset class="fr-fieldset" id="choix-recents">
  <legend class="fr-fieldset__legend">Cas récents (Entrée pour enregistrer)</legend>
  ${o.recent.map(
    (r, i) => html`<div class="fr-fieldset__element"><div class="fr-radio-group">
    <input type="radio" id="choix-${i}" name="choix" value="${r.partenaire}|${r.demarche ?? ''}" ${i === 0 ? html`checked autofocus` : null}>
    <label class="fr-label" for="choix-${i}">${partnerLabel(r.partenaire)} — ${labelOf(o.demarches, r.demarche)}</label>
  </div></div>`,
  )}
  <div class="fr-fieldset__element"><div class="fr-radio-group">
    <input type="radio" id="choix-autre" name="choix" value="autre">
    <label class="fr-label" for="choix-autre">Autre cas (choisir ci-dessous)</label>
  </div></div>
</fieldset>`
    : null
}
${select(
  'partenaire',
  'Partenaire',
  PARTENAIRES.map((p) => [p, PARTENAIRE_LABELS[p]] as const),
  v.partenaire ?? 'caf',
)}
${select(
  'demarche',
  'Démarche',
  o.demarches.map(
    (d) =>
      [d.code, `${partnerLabel(d.partenaire)} — ${d.label}${d.ficheId ? ` (${d.ficheId})` : ''}`] as const,
  ),
  v.demarche ?? '',
  true,
)}
${select(
  'canal',
  'Canal',
  CANAUX.map((c) => [c, CANAL_LABELS[c]] as const),
  v.canal ?? 'guichet',
)}
${select(
  'resultat',
  'Résultat',
  RESULTATS.map((r) => [r, RESULTAT_LABELS[r]] as const),
  v.resultat ?? 'resolu',
)}
<div class="fr-input-group">
  <label class="fr-label" for="duree_min">Durée (minutes, de 1 à 480)</label>
  <input class="fr-input" type="number" id="duree_min" name="duree_min" min="1" max="480" step="1" value="${v.duree_min ?? '15'}" inputmode="numeric">
</div>
<div class="fr-input-group">
  <label class="fr-label" for="heure">Heure de début (vide : maintenant) <span class="fr-hint-text">HH:MM, aujourd’hui</span></label>
  <input class="fr-input" type="time" id="heure" name="heure" value="${v.heure ?? ''}">
</div>
<details class="fr-mb-2w"><summary>La personne (facultatif, anonyme)</summary>
${select(
  'tranche_age',
  'Tranche d’âge',
  TRANCHES_AGE.map((t) => [t, TRANCHE_AGE_LABELS[t]] as const),
  v.tranche_age ?? '',
  true,
)}
<div class="fr-input-group">
  <label class="fr-label" for="commune_usager">Commune de résidence <span class="fr-hint-text">code INSEE, ex. 02361</span></label>
  <input class="fr-input" id="commune_usager" name="commune_usager" maxlength="5" value="${v.commune_usager ?? ''}">
</div>
${select(
  'premiere_visite',
  'Première visite',
  [
    ['oui', 'Oui'],
    ['non', 'Non'],
  ],
  v.premiere_visite ?? '',
  true,
)}
${select(
  'autonomie',
  'Autonomie',
  AUTONOMIES.map((a) => [a, AUTONOMIE_LABELS[a]] as const),
  v.autonomie ?? '',
  true,
)}
<div class="fr-input-group">
  <label class="fr-label" for="note">Note privée <span class="fr-hint-text">2 000 caractères au plus ; jamais dans les statistiques, effacée après 6 mois. Aucun nom ni numéro de dossier.</span></label>
  <textarea class="fr-input" id="note" name="note" maxlength="2000">${v.note ?? ''}</textarea>
</div>
</details>
<button class="fr-btn" type="submit">${o.submitLabel}</button>
</form>`;
}

function recordsTable(
  rows: readonly RecordRow[],
  demarches: readonly Demarche[],
  correctable: boolean,
  zone: TimeZone,
): SafeHtml {
  if (rows.length === 0) return html`<p>Aucun accompagnement.</p>`;
  return html`<div class="fr-table"><table>
<thead><tr><th scope="col">Début</th><th scope="col">Partenaire</th><th scope="col">Démarche</th><th scope="col">Canal</th><th scope="col">Durée</th><th scope="col">Résultat</th>${correctable ? html`<th scope="col">Action</th>` : null}</tr></thead>
<tbody>${rows.map(
    (r) =>
      html`<tr><td>${frDateTime(r.debut, zone)}</td><td>${partnerLabel(r.partenaire)}</td><td>${labelOf(demarches, r.demarche)}</td><td>${CANAL_LABELS[r.canal as keyof typeof CANAL_LABELS] ?? r.canal}</td><td>${r.duree_min} min</td><td>${RESULTAT_LABELS[r.resultat as keyof typeof RESULTAT_LABELS] ?? r.resultat}${
        r.resultat === 'escalade'
          ? html`<br><a class="fr-link fr-text--sm" href="/espace/escalade/nouveau?accompagnement=${r.id}">Transmettre le dossier au référent</a>`
          : null
      }</td>${
        correctable ? html`<td><a href="/espace/accompagnements/${r.id}/corriger">Corriger</a></td>` : null
      }</tr>`,
  )}</tbody></table></div>`;
}

export function counterPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: StructureRef;
  formId: string;
  recent: readonly RecentChoice[];
  demarches: readonly Demarche[];
  today: readonly RecordRow[];
  notice?: string | null;
  error?: { field: string; message: string } | null;
  values?: CounterForm;
  canSeeAll: boolean;
}): string {
  return backOfficePage({
    title: 'Enregistrer un accompagnement',
    user: o.user,
    csrf: o.csrf,
    scripts: ['counter-offline.js'],
    body: html`<h1>Enregistrer un accompagnement</h1>
<p>${o.structure.name} — <a href="/espace/escalade">dossiers transmis aux partenaires</a>${o.canSeeAll ? html` — <a href="/espace/accompagnements/structure?structure=${o.structure.id}">tous les accompagnements de la structure</a> — <a href="/espace/accompagnements/jetons?structure=${o.structure.id}">jetons d’API</a>` : null}</p>
${o.notice ? html`<div class="fr-alert fr-alert--success fr-mb-3w" role="status"><p>${o.notice}</p></div>` : null}
${o.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>Rien n’a été enregistré : ${o.error.message} (champ ${o.error.field})</p></div>` : null}
<p id="file-attente" class="fr-text--sm" aria-live="polite" hidden></p>
${counterForm({
  action: `/espace/accompagnements?structure=${o.structure.id}`,
  csrf: o.csrf,
  formId: o.formId,
  recent: o.recent,
  demarches: o.demarches,
  values: o.values,
  submitLabel: 'Enregistrer',
  offlineIdFs: o.structure.idFs,
})}
<h2 class="fr-mt-5w">Mes accompagnements du jour</h2>
${recordsTable(o.today, o.demarches, true, o.structure.zone)}`,
  });
}

export function correctionPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  row: RecordRow;
  demarches: readonly Demarche[];
  values: CounterForm;
  error?: { field: string; message: string } | null;
}): string {
  return backOfficePage({
    title: 'Corriger un accompagnement',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Accompagnements', href: '/espace/accompagnements' }],
    body: html`<h1>Corriger un accompagnement</h1>
${o.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>Rien n’a été enregistré : ${o.error.message} (champ ${o.error.field})</p></div>` : null}
${counterForm({
  action: `/espace/accompagnements/${o.row.id}/corriger`,
  csrf: o.csrf,
  formId: o.row.id,
  recent: [],
  demarches: o.demarches,
  values: o.values,
  submitLabel: 'Enregistrer la correction',
})}`,
  });
}

export function structureRecordsPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: StructureRef;
  rows: readonly RecordRow[];
  demarches: readonly Demarche[];
  next: string | null;
}): string {
  return backOfficePage({
    title: 'Accompagnements de la structure',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Accompagnements', href: `/espace/accompagnements?structure=${o.structure.id}` }],
    body: html`<h1>Accompagnements — ${o.structure.name}</h1>
${recordsTable(o.rows, o.demarches, false, o.structure.zone)}
${o.next ? html`<p><a class="fr-link" href="${o.next}">Plus anciens</a></p>` : null}`,
  });
}

export function tokensPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  structure: StructureRef;
  tokens: ReadonlyArray<{
    id: string;
    label: string;
    created_at: Date;
    revoked_at: Date | null;
    last_used_at: Date | null;
  }>;
  created?: string | null;
  error?: string | null;
}): string {
  return backOfficePage({
    title: 'Jetons d’API',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Accompagnements', href: `/espace/accompagnements?structure=${o.structure.id}` }],
    body: html`<h1>Jetons d’API — ${o.structure.name}</h1>
<p>Un jeton permet à un logiciel d’envoyer les accompagnements de cette structure à <code>POST /api/v1/accompagnements</code> (en-tête <code>Authorization: Bearer …</code>).</p>
${o.created ? html`<div class="fr-alert fr-alert--success fr-mb-3w" role="status"><p>Copiez ce jeton maintenant : il ne sera plus affiché.</p><p><code>${o.created}</code></p></div>` : null}
${o.error ? html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert"><p>${o.error}</p></div>` : null}
<form method="post" action="/espace/accompagnements/jetons?structure=${o.structure.id}">${o.csrf}
<div class="fr-input-group"><label class="fr-label" for="label">Nom du jeton (ex. « tablette du bus »)</label><input class="fr-input" id="label" name="label" maxlength="80" required></div>
<button class="fr-btn" type="submit">Créer un jeton</button></form>
<div class="fr-table fr-mt-4w"><table><thead><tr><th scope="col">Nom</th><th scope="col">Créé</th><th scope="col">Dernier usage</th><th scope="col">État</th></tr></thead>
<tbody>${o.tokens.map(
      (t) =>
        html`<tr><td>${t.label}</td><td>${frDateTime(t.created_at)}</td><td>${frDateTime(t.last_used_at)}</td><td>${
          t.revoked_at
            ? html`révoqué le ${frDateTime(t.revoked_at)}`
            : html`<form method="post" action="/espace/accompagnements/jetons/${t.id}/revoquer?structure=${o.structure.id}">${o.csrf}<button class="fr-btn fr-btn--secondary fr-btn--sm" type="submit">Révoquer</button></form>`
        }</td></tr>`,
    )}</tbody></table></div>`,
  });
}

/** The national team's démarche catalogue: add one, retire one (old records keep theirs). */
export function cataloguePage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  rows: readonly DemarcheRow[];
  values?: { code?: string; partenaire?: string; label?: string; fiche?: string };
  error?: { field: string; message: string } | null;
  notice?: string | null;
}): string {
  const v = o.values ?? {};
  const e = o.error ?? null;
  const active = o.rows.filter((r) => r.retired_at === null).length;
  return backOfficePage({
    title: 'Catalogue des démarches',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Catalogue des démarches</h1>
<p>${String(active)} démarches actives, ${String(o.rows.length - active)} retirées. Les démarches viennent des fiches « Vos droits et démarches » de service-public.fr ; une démarche retirée n’est plus proposée, et les accompagnements déjà enregistrés la gardent.</p>
${o.notice ? html`<div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status"><p>${o.notice}</p></div>` : null}
${e && !['code', 'partenaire', 'label', 'fiche'].includes(e.field) ? html`<div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert"><p>${e.message}</p></div>` : null}
<h2 class="fr-h4">Ajouter une démarche</h2>
<form method="post" action="/espace/accompagnements/demarches" novalidate>${o.csrf}
${field({ name: 'code', label: 'Code', hint: 'Minuscules, le partenaire puis un point : caf.bourse', value: v.code, error: e?.field === 'code' ? e.message : null, maxlength: 64 })}
${select(
  'partenaire',
  'Partenaire',
  PARTENAIRES.map((p) => [p, PARTENAIRE_LABELS[p]] as const),
  v.partenaire ?? 'caf',
)}
${e?.field === 'partenaire' ? html`<p class="fr-error-text">${e.message}</p>` : null}
${field({ name: 'label', label: 'Libellé', value: v.label, error: e?.field === 'label' ? e.message : null, maxlength: 120 })}
${field({ name: 'fiche', label: 'Fiche service-public.fr (facultatif)', hint: 'Exemple : F1234', value: v.fiche, error: e?.field === 'fiche' ? e.message : null, maxlength: 10 })}
<button class="fr-btn" type="submit">Ajouter</button>
</form>
<h2 class="fr-h4 fr-mt-5w">Toutes les démarches</h2>
<div class="fr-table"><table><caption>Démarches par partenaire</caption>
<thead><tr><th scope="col">Partenaire</th><th scope="col">Démarche</th><th scope="col">Code</th><th scope="col">Fiche</th><th scope="col">État</th></tr></thead>
<tbody>${o.rows.map(
      (r) =>
        html`<tr><td>${partnerLabel(r.partenaire)}</td><td>${r.label}</td><td><code>${r.code}</code></td><td>${
          r.fiche_id
            ? html`<a href="https://www.service-public.fr/particuliers/vosdroits/${r.fiche_id}" target="_blank" rel="noopener" title="Fiche ${r.fiche_id} sur service-public.fr — nouvelle fenêtre">${r.fiche_id}</a>`
            : '—'
        }</td><td>${
          r.retired_at
            ? html`retirée le ${frDateTime(r.retired_at)}`
            : html`<form method="post" action="/espace/accompagnements/demarches/retirer">${o.csrf}<input type="hidden" name="code" value="${r.code}"><button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit" title="Retirer ${r.label}">Retirer</button></form>`
        }</td></tr>`,
    )}</tbody></table></div>`,
  });
}
