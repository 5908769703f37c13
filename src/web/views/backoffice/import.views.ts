import type { RowIssue } from '../../../domain/shared/errors.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import type { ImportReport } from '../../../services/directory/import.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert } from '../accounts/forms.js';
import { backOfficePage } from './chrome.js';

/** Rows shown per list: the rest is counted (a whole file of errors must not make a 10 MB page). */
const SHOWN = 200;

/** /espace/import: the national administrator updates the directory from the official CSV (issue 16). */
export function importFormPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  csrfToken: string;
  error?: string | null;
}): string {
  return backOfficePage({
    title: 'Importer la liste officielle',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Importer la liste officielle des France Services</h1>
${o.error ? alert('error', o.error, 'Le fichier n’a pas pu être lu') : null}
<p>Le fichier attendu est la « Liste des structures France services » publiée sur
<a href="https://www.data.gouv.fr/fr/datasets/liste-des-structures-france-services/" rel="noopener">data.gouv.fr</a>
(CSV, séparateur virgule ou point-virgule, UTF-8 ou Windows-1252). Les structures sont rapprochées par leur
identifiant <code>id_fs</code> : les nouvelles sont créées, les autres mises à jour ; aucune n’est supprimée.</p>
<p>L’envoi ne modifie rien : vous verrez d’abord le rapport de vérification, puis vous confirmerez.</p>
<form method="post" enctype="multipart/form-data" action="/espace/import">
  <input type="hidden" name="_csrf" value="${o.csrfToken}">
  <div class="fr-upload-group">
    <label class="fr-label" for="import-file">Fichier CSV
      <span class="fr-hint-text">20 Mo au plus.</span></label>
    <input class="fr-upload" type="file" id="import-file" name="file" accept=".csv,text/csv" required>
  </div>
  <button class="fr-btn fr-mt-3w" type="submit">Vérifier le fichier</button>
</form>`,
  });
}

function issues(caption: string, list: readonly RowIssue[]): SafeHtml | null {
  if (list.length === 0) return null;
  return html`<div class="fr-table"><table>
  <caption>${caption} (${String(list.length)}${list.length > SHOWN ? `, les ${SHOWN} premiers` : ''})</caption>
  <thead><tr><th scope="col">Ligne</th><th scope="col">Champ</th><th scope="col">Message</th></tr></thead>
  <tbody>${list.slice(0, SHOWN).map((r) => html`<tr><td>${String(r.line)}</td><td><code>${r.field}</code></td><td>${r.message}</td></tr>`)}</tbody>
</table></div>`;
}

function summary(report: ImportReport): SafeHtml {
  const rejectedRows = new Set(report.rejected.map((r) => r.line)).size;
  return html`<ul>
  <li><strong>${String(report.created)}</strong> structure(s) créée(s)</li>
  <li><strong>${String(report.updated)}</strong> mise(s) à jour</li>
  <li><strong>${String(report.unchanged)}</strong> inchangée(s)</li>
  <li><strong>${String(rejectedRows)}</strong> ligne(s) rejetée(s)</li>
  <li><strong>${String(report.warnings.length)}</strong> avertissement(s)</li>
</ul>`;
}

/** The dry-run report, with the confirmation form for that very file. */
export function importPreviewPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  source: string;
  draftId: string;
  report: ImportReport;
}): string {
  return backOfficePage({
    title: 'Vérification du fichier',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Importer la liste officielle', href: '/espace/import' }],
    body: html`<h1>Vérification de « ${o.source} »</h1>
${alert('info', 'Rien n’a encore été enregistré. Voici ce que l’import ferait.', 'Simulation')}
${summary(o.report)}
${issues('Lignes rejetées (elles ne seront pas importées)', o.report.rejected)}
${issues('Avertissements (les lignes seront importées)', o.report.warnings)}
<form method="post" action="/espace/import/${o.draftId}/confirmer">${o.csrf}
  <ul class="fr-btns-group fr-btns-group--inline-md">
    <li><button class="fr-btn" type="submit">Confirmer l’import</button></li>
    <li><a class="fr-btn fr-btn--secondary" href="/espace/import">Choisir un autre fichier</a></li>
  </ul>
</form>
<p class="fr-text--sm">La confirmation reste possible pendant une heure.</p>`,
  });
}

export function importDonePage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  source: string;
  report: ImportReport;
}): string {
  return backOfficePage({
    title: 'Import effectué',
    user: o.user,
    csrf: o.csrf,
    crumbs: [{ label: 'Importer la liste officielle', href: '/espace/import' }],
    body: html`<h1>Import de « ${o.source} » effectué</h1>
${alert('success', 'L’annuaire est à jour : le localisateur public sert déjà ces données.')}
${summary(o.report)}
${issues('Lignes rejetées (non importées)', o.report.rejected)}
${issues('Avertissements', o.report.warnings)}
<p><a class="fr-link" href="/espace">Retour à mon espace</a></p>`,
  });
}
