import { STATUS_LABELS, type StatusCounts } from '../../../domain/directory/structure.js';
import type { CrisisWeek, IndicatorDimension } from '../../../domain/pilotage/index.js';
import type { SessionUser } from '../../../services/accounts/auth.service.js';
import { type Dashboard, DIMENSION_LABELS, labelOf } from '../../../services/pilotage/pilotage.service.js';
import { html, type SafeHtml } from '../../html.js';
import { alert } from '../accounts/forms.js';
import { backOfficePage } from '../backoffice/chrome.js';
import { barChart, columnChart, dataTable, frNumber, frPercent } from './charts.js';
import {
  type EscaladeFigures,
  escaladeSection,
  type MissedRate,
  rendezvousSection,
} from './partners.view.js';
import { satisfactionSection } from './survey.view.js';

export interface DashboardForm {
  readonly territoire: string;
  readonly du: string;
  readonly au: string;
}

const FIELDS = [
  ['territoire', 'Territoire', 'FR, reg:32, dep:02 ou structure:<identifiant>'],
  ['du', 'Du (inclus)', 'AAAA-MM-JJ, jour local de la structure'],
  ['au', 'Au (inclus)', 'AAAA-MM-JJ ; cinq ans au plus'],
] as const;
const FIELD_OF: Record<string, string> = { territory: 'territoire', from: 'du', to: 'au' };

/** The query form (GET, no JS), with the error linked to its field. */
function queryForm(values: DashboardForm, error: { field: string | null; message: string } | null): SafeHtml {
  const errField = error?.field ? (FIELD_OF[error.field] ?? error.field) : null;
  return html`<form method="get" action="/espace/pilotage" class="fr-mb-4w">
<fieldset class="fr-fieldset"><legend class="fr-fieldset__legend">Territoire et période</legend>
<div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
${FIELDS.map(([name, label, hint]) => {
  const err = errField === name ? (error?.message ?? null) : null;
  return html`<div class="fr-col-12 fr-col-md-3"><div class="fr-input-group${err ? ' fr-input-group--error' : ''}">
<label class="fr-label" for="f-${name}">${label}<span class="fr-hint-text">${hint}</span></label>
<input class="fr-input${err ? ' fr-input--error' : ''}" id="f-${name}" name="${name}" maxlength="80" value="${values[name]}"${err ? html` aria-describedby="f-${name}-erreur" aria-invalid="true"` : null}>
${err ? html`<p id="f-${name}-erreur" class="fr-error-text">${err}</p>` : null}</div></div>`;
})}
<div class="fr-col-12 fr-col-md-3"><button class="fr-btn" type="submit">Afficher</button></div>
</div></fieldset></form>`;
}

export const csvLink = (values: DashboardForm, table: string, label: string) =>
  html`<p><a class="fr-link fr-link--download" href="/espace/pilotage/export.csv?territoire=${encodeURIComponent(values.territoire)}&amp;du=${values.du}&amp;au=${values.au}&amp;tableau=${table}" download>Télécharger « ${label} » (CSV)</a></p>`;

const SECTION_TITLES: Record<IndicatorDimension, string> = {
  mois: 'Activité par mois',
  partenaire: 'Activité par partenaire',
  demarche: 'Activité par démarche',
  canal: 'Activité par canal',
  resultat: 'Activité par résultat',
};

function dimensionSection(d: Dashboard, by: IndicatorDimension, values: DashboardForm): SafeHtml {
  const rows = d.tables[by];
  const chart =
    by === 'mois'
      ? columnChart({
          id: `g-${by}`,
          title: SECTION_TITLES[by],
          rows: rows.map((r) => ({ label: r.key, value: r.count })),
          unit: 'accompagnements',
        })
      : barChart({
          id: `g-${by}`,
          title: SECTION_TITLES[by],
          rows: rows.map((r) => ({ label: r.label, value: r.count })),
          unit: 'accompagnements',
        });
  return html`<section class="fr-mb-6w" aria-labelledby="t-${by}"><h2 id="t-${by}">${SECTION_TITLES[by]}</h2>
${chart}
${dataTable({
  caption: `${SECTION_TITLES[by]} — ${d.territory.label}, du ${d.from} au ${d.to}`,
  head: [DIMENSION_LABELS[by], 'Accompagnements', 'Part', 'Temps passé (min)'],
  rows: rows.map((r) => [r.label, r.count, frPercent(r.share), r.minutes]),
  foot: ['Total', d.total, rows.length ? '100 %' : '—', d.minutes.total],
})}
${csvLink(values, by, SECTION_TITLES[by])}</section>`;
}

function crisisSection(
  weeks: readonly CrisisWeek[],
  statuses: StatusCounts | null,
  values: DashboardForm,
): SafeHtml {
  return html`<section class="fr-mb-6w" aria-labelledby="t-crise"><h2 id="t-crise">Indicateurs de crise, par semaine</h2>
<p>Part des structures actives : parmi les structures qui reçoivent le public en fin de semaine (ouvertes ou en accueil à distance), celles qui ont enregistré au moins un accompagnement dans la semaine. Part à distance : accompagnements par téléphone, courriel ou visio. Semaines entières, du lundi au dimanche.</p>
${
  statuses
    ? dataTable({
        caption: `Statuts des structures à la fin de la période (${values.au})`,
        head: ['Statut', 'Structures'],
        rows: (Object.keys(statuses.byStatus) as Array<keyof StatusCounts['byStatus']>).map((k) => [
          STATUS_LABELS[k],
          statuses.byStatus[k],
        ]),
        foot: ['Total', statuses.total],
      })
    : null
}
${columnChart({
  id: 'g-actives',
  title: 'Part des structures actives, par semaine',
  rows: weeks.map((w) => ({ label: w.semaine.slice(5), value: w.partActives ?? 0 })),
  unit: '',
  max: 1,
  format: frPercent,
})}
${dataTable({
  caption: 'Indicateurs de crise par semaine (semaine du lundi…)',
  head: [
    'Semaine du',
    'Structures recevant le public',
    'Structures actives',
    'Part active',
    'Accompagnements',
    'À distance',
    'Part à distance',
  ],
  rows: weeks.map((w) => [
    w.semaine,
    w.structuresOuvertes,
    w.structuresActives,
    w.partActives === null ? '—' : frPercent(w.partActives),
    w.accompagnements,
    w.aDistance,
    w.partDistance === null ? '—' : frPercent(w.partDistance),
  ]),
})}
${csvLink(values, 'crise', 'Indicateurs de crise')}</section>`;
}

/** Links down the levels: regions of France, departments of a region. */
function drillDown(
  links: ReadonlyArray<{ code: string; label: string }>,
  values: DashboardForm,
  title: string,
): SafeHtml | null {
  if (links.length === 0) return null;
  return html`<nav class="fr-mb-4w" aria-label="${title}"><h2 class="fr-h6">${title}</h2><ul class="fr-tags-group">${links.map(
    (l) =>
      html`<li><a class="fr-tag" href="/espace/pilotage?territoire=${encodeURIComponent(l.code)}&amp;du=${values.du}&amp;au=${values.au}">${l.label}</a></li>`,
  )}</ul></nav>`;
}

export function dashboardPage(o: {
  user: SessionUser;
  csrf: SafeHtml;
  values: DashboardForm;
  dashboard: Dashboard | null;
  crisis: { weeks: readonly CrisisWeek[]; statuses: StatusCounts | null } | null;
  satisfaction: Parameters<typeof satisfactionSection>[0] | null;
  escalades: readonly EscaladeFigures[] | null;
  rendezvous: MissedRate | null;
  surveyLink: string | null;
  error: { field: string | null; message: string } | null;
  links: ReadonlyArray<{ code: string; label: string }>;
  linksTitle: string;
}): string {
  const d = o.dashboard;
  return backOfficePage({
    title: d ? `Pilotage : ${d.territory.label}` : 'Pilotage',
    user: o.user,
    csrf: o.csrf,
    body: html`<h1>Tableau de bord de pilotage${d ? html` — ${d.territory.label}` : null}</h1>
${o.error && !o.error.field ? alert('error', o.error.message) : null}
${o.error?.field ? html`<p class="fr-sr-only" role="alert">${o.error.message}</p>` : null}
${queryForm(o.values, o.error)}
${
  d
    ? html`${drillDown(o.links, o.values, o.linksTitle)}
${
  d.recalculating.length > 0
    ? alert(
        'info',
        `Des accompagnements viennent d’être importés pour ${d.recalculating.map((m) => labelOf('mois', m.slice(0, 7), new Map())).join(', ')} : les chiffres de ces mois sont en cours de recalcul (moins d’une minute) et peuvent être incomplets. Rechargez la page dans un instant.`,
      )
    : null
}
<section class="fr-mb-6w" aria-labelledby="t-synthese"><h2 id="t-synthese">Synthèse du ${d.from} au ${d.to}</h2>
<ul class="fr-grid-row fr-grid-row--gutters maillage-kpis">
<li class="fr-col-12 fr-col-md-4"><p class="fr-text--lead fr-mb-0">${frNumber(d.total)}</p><p>accompagnements</p></li>
<li class="fr-col-12 fr-col-md-4"><p class="fr-text--lead fr-mb-0">${d.total ? frPercent(d.remote.share) : '—'}</p><p>à distance (téléphone, courriel, visio) : ${frNumber(d.remote.count)}</p></li>
<li class="fr-col-12 fr-col-md-4"><p class="fr-text--lead fr-mb-0">${frNumber(Math.round(d.minutes.total / 60))} h</p><p>de temps passé, ${d.minutes.mean.toLocaleString('fr-FR')} min en moyenne</p></li>
</ul>
${(['mois', 'partenaire', 'demarche', 'canal', 'resultat'] as const).map((by) => dimensionSection(d, by, o.values))}
${o.crisis ? crisisSection(o.crisis.weeks, o.crisis.statuses, o.values) : null}
${o.escalades ? escaladeSection(o.escalades, d, o.values) : null}
${o.rendezvous ? rendezvousSection(o.rendezvous, d, o.values) : null}
${o.satisfaction ? satisfactionSection(o.satisfaction) : null}
${o.surveyLink ? html`<p><a class="fr-btn fr-btn--secondary" href="${o.surveyLink}">Remettre une enquête de satisfaction (QR code)</a></p>` : null}`
    : null
}`,
  });
}
