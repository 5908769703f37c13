import type { CantonSite, PlanResult } from '../../../domain/territory/index.js';
import type { MapData } from '../../../services/territory/territory.service.js';
import { html, type SafeHtml } from '../../html.js';
import { page } from '../layout.js';
import { choropleth, legend } from './svg.js';

export interface PlanningForm {
  territoire: string;
  k: string;
  seuil: 'minutes' | 'km';
  valeur: string;
  population: string;
  exact: boolean;
  mode: 'plan' | 'canton';
}

export const DEFAULT_FORM: PlanningForm = {
  territoire: 'dep:02',
  k: '5',
  seuil: 'minutes',
  valeur: '20',
  population: '1000',
  exact: false,
  mode: 'plan',
};

const input = (
  id: string,
  label: string,
  value: string,
  hint?: string,
  attrs?: SafeHtml,
  error?: string | null,
) =>
  html`<div class="fr-input-group${error ? ' fr-input-group--error' : ''}"><label class="fr-label" for="${id}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : null}</label>
<input class="fr-input${error ? ' fr-input--error' : ''}" id="${id}" name="${id}" value="${value}"${attrs ?? null}${error ? html` aria-describedby="${id}-erreur"` : null}>
${error ? html`<p class="fr-error-text" id="${id}-erreur">${error}</p>` : null}</div>`;

export function planningPage(o: {
  form: PlanningForm;
  csrf: SafeHtml;
  signedIn: boolean;
  error?: { field: string | null; message: string } | null;
  result?: {
    plan?: PlanResult;
    canton?: { sites: CantonSite[]; addedPopulation: number; ms: number };
    map?: MapData;
  } | null;
}): string {
  const f = o.form;
  const errorFor = (field: string) => (o.error && o.error.field === field ? o.error.message : null);
  const r = o.result;
  const sites: Array<{ code: string; name: string; addedPopulation: number; canton?: string }> =
    r?.plan?.sites ?? r?.canton?.sites.map((s) => ({ ...s, canton: `${s.cantonName} (${s.canton})` })) ?? [];
  const total = r?.plan?.addedPopulation ?? r?.canton?.addedPopulation ?? 0;
  const body = html`<h1>Où ouvrir les prochaines France Services ?</h1>
<p class="fr-text--lead">Proposer les communes qui mettraient le plus d’habitants nouveaux à portée d’une France Services.
<a href="/territoires/methode">Méthode</a>.</p>
${o.error && !['territoire', 'k', 'valeur', 'population', 'jeton'].includes(o.error.field ?? '') ? html`<div class="fr-alert fr-alert--error fr-mb-4w" role="alert"><p>${o.error.message}</p></div>` : null}
<form method="post" action="/territoires/planification" class="fr-mb-6w">
  ${o.csrf}
  ${
    o.signedIn
      ? null
      : html`<p class="fr-text--sm">Réservé aux équipes : connectez-vous avec un compte national, ou saisissez le jeton d’administration.</p>
  ${input('jeton', 'Jeton d’administration', '', undefined, html` type="password" autocomplete="off" required`, errorFor('jeton'))}`
  }
  ${input('territoire', 'Territoire', f.territoire, 'dep:02, reg:32, canton:0201, epci:SIREN', html` maxlength="40" required`, errorFor('territoire'))}
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Proposition</legend>
    <div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="mode-plan" name="mode" value="plan"${f.mode === 'plan' ? html` checked` : null}><label class="fr-label" for="mode-plan"><span>Les <em>k</em> meilleures communes</span></label></div></div>
    <div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="mode-canton" name="mode" value="canton"${f.mode === 'canton' ? html` checked` : null}><label class="fr-label" for="mode-canton">Une par canton non couvert</label></div></div>
  </fieldset>
  ${input('k', 'Nombre de sites (k)', f.k, 'entier de 1 à 1 000', html` inputmode="numeric"`, errorFor('k'))}
  <fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Seuil</legend>
    <div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="seuil-min" name="seuil" value="minutes"${f.seuil === 'minutes' ? html` checked` : null}><label class="fr-label" for="seuil-min">Temps de trajet estimé (minutes, 1 à 120)</label></div></div>
    <div class="fr-fieldset__element"><div class="fr-radio-group"><input type="radio" id="seuil-km" name="seuil" value="km"${f.seuil === 'km' ? html` checked` : null}><label class="fr-label" for="seuil-km">Distance à vol d’oiseau (km)</label></div></div>
  </fieldset>
  ${input('valeur', 'Valeur du seuil', f.valeur, undefined, html` inputmode="decimal"`, errorFor('valeur'))}
  ${input('population', 'Population minimale des communes candidates', f.population, '1 000 par défaut', html` inputmode="numeric"`, errorFor('population'))}
  <div class="fr-checkbox-group fr-mb-2w"><input type="checkbox" id="exact" name="exact" value="1"${f.exact ? html` checked` : null}><label class="fr-label" for="exact">Vérifier avec l’optimum exact (département ou région)</label></div>
  <button class="fr-btn" type="submit">Proposer</button>
</form>
${
  r
    ? html`<h2>Proposition</h2>
<p><strong>${total.toLocaleString('fr-FR')}</strong> habitants nouvellement à portée${
        r.plan?.exactOptimum !== undefined
          ? html` ; optimum exact : ${r.plan.exactOptimum.toLocaleString('fr-FR')} (écart ${((r.plan.gap ?? 0) * 100).toLocaleString('fr-FR', { maximumFractionDigits: 2 })} %)`
          : null
      } ; calcul en ${r.plan?.ms ?? r.canton?.ms ?? 0} ms.</p>
${
  sites.length
    ? html`<div class="fr-table"><table><caption>Sites proposés</caption><thead><tr><th scope="col">Rang</th><th scope="col">Commune</th><th scope="col">Code INSEE</th>${r.canton ? html`<th scope="col">Canton</th>` : null}<th scope="col">Habitants ajoutés</th></tr></thead>
<tbody>${sites.map((s, i) => html`<tr><td>${i + 1}</td><td>${s.name}</td><td>${s.code}</td>${r.canton ? html`<td>${s.canton ?? ''}</td>` : null}<td>${s.addedPopulation.toLocaleString('fr-FR')}</td></tr>`)}</tbody></table></div>`
    : html`<p>Aucun site n’apporterait d’habitants nouveaux avec ce seuil : tout le territoire est déjà à portée, ou aucune commune candidate n’atteint les habitants restants.</p>`
}
${r.map ? html`${choropleth({ title: 'Sites proposés', areas: r.map.areas, points: r.map.points, breaks: [0.8, 0.9, 0.95, 0.99], format: (v) => `${Math.round(v * 100)} %` })}${legend([], (v) => `${Math.round(v * 100)} %`, ['structure', 'proposed'], false)}` : null}`
    : null
}`;
  return page({
    title: 'Planification',
    body,
    nav: 'territoires',
    styles: ['/assets/app/territory.css'],
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: 'Couverture territoriale', href: '/territoires' },
      { label: 'Planification' },
    ],
  });
}
