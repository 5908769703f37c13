import type { PublicOpening } from '../../../domain/directory/locator.js';
import type { Structure } from '../../../domain/directory/structure.js';
import { html, jsonIsland } from '../../html.js';
import { page } from '../layout.js';
import {
  DIRECTORY_CSS,
  formatBadges,
  type MapData,
  mapBlock,
  openingBadge,
  openingLine,
  outlinesFor,
} from './components.js';

export interface DepartementRow {
  readonly code: string;
  readonly name: string;
  readonly region: string | null;
  readonly count: number;
}

export function departementsPage(rows: readonly DepartementRow[], total: number): string {
  const body = html`<h1>Les France Services par département</h1>
<p class="fr-text--lead">${total === 0 ? 'Aucune France Services n’est encore chargée.' : `${total.toLocaleString('fr-FR')} France Services au total.`} Choisissez un département pour voir la liste complète, avec les horaires.</p>
<div class="fr-table"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content">
<table>
  <caption>Nombre de France Services par département</caption>
  <thead><tr><th scope="col">Code</th><th scope="col">Département</th><th scope="col">Région</th><th scope="col">France Services</th></tr></thead>
  <tbody>
    ${rows.map(
      (r) =>
        html`<tr><td>${r.code}</td><th scope="row"><a href="/departements/${r.code}">${r.name}</a></th><td>${r.region ?? ''}</td><td>${r.count}</td></tr>`,
    )}
  </tbody>
</table>
</div></div></div></div>`;
  return page({
    title: 'Les France Services par département',
    body,
    nav: 'departements',
    styles: [DIRECTORY_CSS],
    breadcrumb: [{ label: 'Accueil', href: '/' }, { label: 'Par département' }],
  });
}

export interface DepartementPageInput {
  readonly code: string;
  readonly name: string;
  readonly region: string | null;
  readonly items: readonly { structure: Structure; opening: PublicOpening }[];
  readonly at: Date;
  readonly map: Omit<MapData, 'points' | 'center'>;
}

export function departementPage(input: DepartementPageInput): string {
  const { items, at } = input;
  const lines = items.map((i) => ({ ...i, line: openingLine(i.structure, i.opening, at) }));
  const mapData: MapData = {
    ...input.map,
    outlinesUrl: outlinesFor(input.map.outlinesUrl, [input.code]),
    center: null,
    points: lines.flatMap(({ structure: s, line }) =>
      s.lat === null || s.lon === null
        ? []
        : [
            {
              lat: s.lat,
              lon: s.lon,
              name: s.name,
              url: `/structures/${s.id}`,
              label: line.text,
              tone: line.tone,
            },
          ],
    ),
  };
  const title = `France Services : ${input.name} (${input.code})`;
  const body = html`<h1>${title}</h1>
<p class="fr-text--lead">${
    items.length === 0
      ? 'Aucune France Services n’est enregistrée dans ce département.'
      : items.length === 1
        ? '1 France Services dans ce département.'
        : `${items.length} France Services dans ce département, par commune.`
  }${input.region ? ` Région : ${input.region}.` : ''}</p>
${
  items.length === 0
    ? null
    : html`<div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-lg-7">
    <ul class="maillage-results">
      ${lines.map(
        ({ structure: s, line }) => html`<li class="fr-card fr-card--no-arrow fr-card--sm">
  <div class="fr-card__body"><div class="fr-card__content">
    <h2 class="fr-card__title fr-h6"><a href="/structures/${s.id}">${s.name}</a></h2>
    <div class="fr-card__desc">
      ${openingBadge(line)}
      <p class="fr-mb-1w">${s.address}, ${s.postalCode} ${s.communeName}</p>
      ${s.telephones.length ? html`<p class="fr-mb-0">Téléphone : ${s.telephones.join(', ')}</p>` : null}
    </div>
    <div class="fr-card__start">${formatBadges(s)}</div>
  </div></div>
</li>`,
      )}
    </ul>
  </div>
  <div class="fr-col-12 fr-col-lg-5"><div class="maillage-sticky">
    ${mapBlock('carte', `Carte des France Services du département ${input.name} ; la liste donne les mêmes informations`)}
    ${jsonIsland('carte-donnees', mapData)}
  </div></div>
</div>`
}`;
  return page({
    title,
    body,
    nav: 'departements',
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: 'Par département', href: '/departements' },
      { label: `${input.name} (${input.code})` },
    ],
    scripts: items.length ? ['map.js'] : [],
    styles: items.length ? [DIRECTORY_CSS, '/assets/leaflet/leaflet.css'] : [DIRECTORY_CSS],
  });
}
