import type { CoverageIndicators } from '../../../domain/territory/index.js';
import type { MapData, TerritoryReport } from '../../../services/territory/territory.service.js';
import { html, type SafeHtml } from '../../html.js';
import { type Crumb, page } from '../layout.js';
import { choropleth, legend, timelineChart } from './svg.js';
import { href, parseSort, reportTables, sortableTable } from './tables.js';

const pct = (part: number, total: number) =>
  total ? `${((part / total) * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %` : '—';
const n = (v: number) => v.toLocaleString('fr-FR');

function tile(label: string, value: string, detail?: string): SafeHtml {
  return html`<div class="fr-col-12 fr-col-sm-6 fr-col-lg-3"><div class="maillage-kpi">
  <p class="maillage-kpi__value">${value}</p>
  <p class="maillage-kpi__label">${label}</p>
  ${detail ? html`<p class="fr-text--xs fr-mb-0">${detail}</p>` : null}
</div></div>`;
}

export function indicatorTiles(c: CoverageIndicators): SafeHtml {
  return html`<div class="fr-grid-row fr-grid-row--gutters fr-mb-4w">
${tile('France Services', n(c.structures.total), `${n(c.structures.fixed)} sites fixes, ${n(c.structures.antennes)} antennes, ${n(c.structures.mobile)} itinérantes`)}
${tile('Cantons couverts', `${n(c.cantons.covered)} / ${n(c.cantons.total)}`, `${pct(c.cantons.covered, c.cantons.total)} des cantons ont au moins une structure`)}
${tile('Population à moins de 20 min', pct(c.population.within20, c.population.total), `30 min : ${pct(c.population.within30, c.population.total)} · 10 min : ${pct(c.population.within10, c.population.total)}`)}
${tile('Distance moyenne', `${c.distanceKm.mean.toLocaleString('fr-FR')} km`, `95 % des habitants à moins de ${c.distanceKm.p95.toLocaleString('fr-FR')} km (à vol d’oiseau)`)}
${tile('En commune rurale', `${(c.share.rural * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`, 'des structures (grille de densité : peu ou très peu dense)')}
${tile('En ZRR', `${(c.share.zrr * 100).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`, 'des structures (zones de revitalisation rurale, liste 2023)')}
${tile('QPV avec une structure', `${n(c.qpv.covered)} / ${n(c.qpv.total)}`, 'quartiers prioritaires dont une commune accueille une structure')}
${tile('Population', n(c.population.total), 'habitants (populations légales)')}
</div>`;
}

export function dashboardPage(o: {
  report: TerritoryReport;
  map: MapData;
  sort: unknown;
  source: string;
}): string {
  const { report } = o;
  const t = report.territory;
  const url = href(t.code);
  const sorts = parseSort(o.sort);
  const crumbs: Crumb[] = [
    { label: 'Accueil', href: '/' },
    { label: 'Couverture territoriale', href: '/territoires' },
  ];
  if (report.parent && report.parent.code !== 'FR')
    crumbs.push({ label: report.parent.label, href: href(report.parent.code) });
  if (t.kind !== 'FR') crumbs.push({ label: t.label });
  const breaks = [0.8, 0.9, 0.95, 0.99];
  const fmtShare = (v: number) => `${Math.round(v * 100)} %`;
  const pointKinds = o.map.points.length ? (['structure', 'covered', 'uncovered'] as const) : undefined;
  const tables = reportTables(report);
  const body = html`<h1>${t.kind === 'FR' ? 'Couverture territoriale du réseau France Services' : t.label}</h1>
<p class="fr-text--lead">Où en est la promesse du programme : une France Services par canton, chacun à moins de 20 à 30 minutes.
<a href="/territoires/methode">Comment ces indicateurs sont calculés</a>.</p>
${indicatorTiles(report.indicators)}
<div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-lg-7">
    <h2>Carte</h2>
    <p class="fr-text--sm">${pointKinds ? 'Chaque commune, selon qu’elle est à moins de 20 minutes estimées d’une France Services, et les structures.' : 'Part de la population de chaque département à moins de 20 minutes estimées d’une France Services.'} Les mêmes valeurs sont dans les tableaux ci-dessous.</p>
    ${choropleth({ title: `Carte : ${t.label}`, areas: o.map.areas, points: o.map.points, breaks, format: fmtShare })}
    ${pointKinds ? legend([], fmtShare, pointKinds, false) : legend(breaks, fmtShare)}
  </div>
  <div class="fr-col-12 fr-col-lg-5">
    <h2>Déploiement</h2>
    ${timelineChart(report.timeline)}
    <p class="fr-text--sm">Objectif national : ${t.kind === 'FR' ? `2 500 structures fin 2022${report.timeline.goals.national?.reachedIn ? `, atteint en ${report.timeline.goals.national.reachedIn}` : ', pas encore atteint'} ; ` : ''}
    un nombre de structures au moins égal au nombre de cantons (${n(report.timeline.goals.onePerCanton.count)})${report.timeline.goals.onePerCanton.reachedIn ? `, atteint en ${report.timeline.goals.onePerCanton.reachedIn}` : ''}.
    ${report.timeline.undated ? `${n(report.timeline.undated)} structure(s) sans date de labellisation.` : ''}</p>
    <p class="fr-text--sm">Le tableau « Labellisations par mois » plus bas donne les mêmes chiffres.</p>
  </div>
</div>
${tables.map((table) => html`<h2 class="fr-mt-4w">${table.caption}</h2>${sortableTable(table, sorts.get(table.id), url, t.code)}`)}
<p class="fr-text--xs fr-mt-4w">Données : liste officielle des France Services (data.gouv.fr) et référentiel ${o.source === 'database' ? 'chargé en base' : 'lu dans MAILLAGE_REF_DIR'} (INSEE, ANCT). API : <a href="/api/v1/coverage?territory=${encodeURIComponent(t.code)}">/api/v1/coverage?territory=${t.code}</a>.</p>`;
  return page({
    title: t.kind === 'FR' ? 'Couverture territoriale' : `Couverture — ${t.label}`,
    body,
    breadcrumb: crumbs,
    nav: 'territoires',
    scripts: ['territory-chart.js'],
    styles: ['/assets/app/territory.css'],
  });
}

export function territoryIndexForm(): SafeHtml {
  return html`<form method="get" action="/territoires/aller" class="fr-mb-4w">
  <div class="fr-input-group"><label class="fr-label" for="territoire">Aller à un territoire
  <span class="fr-hint-text">FR, reg:84, dep:02, canton:0201 ou epci:SIREN</span></label>
  <input class="fr-input" id="territoire" name="territoire" maxlength="40" required></div>
  <button class="fr-btn" type="submit">Afficher</button></form>`;
}
