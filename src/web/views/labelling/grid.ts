import { type Criterion, type GridEntry, VERDICT_LABELS, VERDICTS } from '../../../domain/labelling/index.js';
import { html, type SafeHtml } from '../../html.js';
import { alert, BASE, frDate, labellingPage } from './common.js';

/**
 * The auditor's grid: one fieldset per criterion (verdict radios and a comment), usable on a phone,
 * and without JavaScript (a plain form post). The `labelling-grid.js` island keeps a draft in
 * localStorage on every keystroke and saves to the server in the background; a network drop loses nothing.
 */
export function gridPage(o: {
  audit: {
    id: string;
    kind: string;
    planned_on: string;
    completed_on: string | null;
    version: number;
    application_id: string | null;
  };
  entries: readonly GridEntry[];
  criteria: readonly Criterion[];
  csrf: SafeHtml;
  csrfToken: string;
  canFill: boolean;
  structureName: string;
  message?: SafeHtml | null;
}): string {
  const byCode = new Map(o.criteria.map((c) => [c.code, c]));
  const done = o.entries.filter((e) => e.verdict !== null).length;
  const readOnly = !o.canFill || o.audit.completed_on !== null;
  const kind =
    o.audit.kind === 'contre_visite'
      ? 'Contre-visite'
      : o.audit.kind === 'periodique'
        ? 'Audit périodique'
        : 'Audit initial';
  const body = html`<h1>${kind} — ${o.structureName}</h1>${o.message ?? null}
<p>Prévu le ${frDate(o.audit.planned_on)}. ${o.audit.completed_on ? `Terminé le ${frDate(o.audit.completed_on)}.` : ''} <span id="grid-progress">${done} critère(s) renseigné(s) sur ${o.entries.length}</span>.</p>
<div id="grid-status" class="fr-mb-2w" role="status" aria-live="polite"></div>
<form method="post" action="${BASE}/audits/${o.audit.id}" id="audit-grid" data-audit-id="${o.audit.id}" data-version="${o.audit.version}" data-csrf="${o.csrfToken}">${o.csrf}
<input type="hidden" name="version" value="${o.audit.version}">
${o.entries.map((e) => {
  const c = byCode.get(e.code);
  return html`<fieldset class="fr-fieldset maillage-criterion" id="c-${e.code}" aria-labelledby="l-${e.code}">
<legend class="fr-fieldset__legend" id="l-${e.code}">${e.code} — ${c?.title ?? ''}${c?.mandatory ? html` <span class="fr-badge fr-badge--sm">obligatoire</span>` : null}</legend>
${VERDICTS.map(
  (v) =>
    html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group"><input type="radio" id="v-${e.code}-${v}" name="verdict_${e.code}" value="${v}"${e.verdict === v ? html` checked` : null}${readOnly ? html` disabled` : null}><label class="fr-label" for="v-${e.code}-${v}">${VERDICT_LABELS[v]}</label></div></div>`,
)}
<div class="fr-fieldset__element"><div class="fr-input-group"><label class="fr-label" for="comment_${e.code}">Commentaire</label><textarea class="fr-input" id="comment_${e.code}" name="comment_${e.code}" maxlength="2000" rows="2"${readOnly ? html` disabled` : null}>${e.comment}</textarea></div></div></fieldset>`;
})}
${readOnly ? null : html`<div class="maillage-sticky-actions"><button class="fr-btn" type="submit">Enregistrer</button></div>`}
</form>
${
  !readOnly && o.audit.application_id
    ? html`<h2>Photos et documents</h2><form method="post" enctype="multipart/form-data" action="${BASE}/audits/${o.audit.id}/documents"><input type="hidden" name="_csrf" value="${o.csrfToken}">
<div class="fr-select-group"><label class="fr-label" for="p-code">Critère</label><select class="fr-select" id="p-code" name="criterion">${o.entries.map((e) => html`<option value="${e.code}">${e.code}</option>`)}</select></div>
<div class="fr-upload-group"><label class="fr-label" for="p-file">Photo ou document<span class="fr-hint-text">PDF ou image, 10 Mo au plus.</span></label><input class="fr-upload" type="file" id="p-file" name="file" accept="application/pdf,image/*" capture="environment" required></div>
<button class="fr-btn fr-btn--secondary fr-mt-2w" type="submit">Ajouter</button></form>`
    : null
}
${
  !readOnly && o.audit.kind === 'periodique'
    ? html`<form method="post" action="${BASE}/audits/${o.audit.id}/terminer" class="fr-mt-4w">${o.csrf}<button class="fr-btn fr-btn--secondary" type="submit">Terminer l’audit périodique</button></form>`
    : !readOnly && o.audit.application_id
      ? html`<p class="fr-mt-4w">Une fois la grille complète, terminez l’audit depuis la <a href="${BASE}/candidatures/${o.audit.application_id}">page de la candidature</a>.</p>`
      : null
}
${o.audit.completed_on ? html`<p><a class="fr-link fr-icon-download-line fr-link--icon-left" href="${BASE}/audits/${o.audit.id}/rapport.pdf">Rapport d’audit (PDF)</a></p>` : null}`;
  return labellingPage({
    title: `${kind} — grille`,
    body,
    crumbs: [{ label: 'Audit' }],
    scripts: readOnly ? [] : ['labelling-grid.js'],
  });
}

export const conflictNotice = () =>
  alert(
    'warning',
    'La grille a été modifiée par ailleurs',
    'Quelqu’un a enregistré cette grille après votre chargement. Rien n’a été écrasé : la grille ci-dessous est la version enregistrée, et vos saisies restent dans le brouillon de ce navigateur.',
  );
