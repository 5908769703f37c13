import { describeStopOpening, type PublicOpening, type StopHit } from '../../../domain/directory/locator.js';
import {
  PARTNER_LABELS,
  PARTNERS,
  type Partner,
  type Structure,
} from '../../../domain/directory/structure.js';
import type { GeocodeResult } from '../../../domain/geocoding/geocoder.js';
import { html, jsonIsland, type SafeHtml } from '../../html.js';
import { page } from '../layout.js';
import {
  contactLinks,
  DIRECTORY_CSS,
  formatBadges,
  formatDistance,
  formatTravel,
  type MapData,
  mapBlock,
  openingBadge,
  openingLine,
  outlinesFor,
  partnersShort,
} from './components.js';

/** The search as the URL holds it (GET form): strings as typed, so the form can show them back. */
export interface SearchForm {
  readonly q: string;
  readonly lat: string;
  readonly lon: string;
  readonly partenaire: string;
  readonly ouvert: boolean;
  readonly format: string;
  readonly rdv: boolean;
}

export type SearchErrors = Partial<Record<'q' | 'position' | 'partenaire' | 'format', string>>;

export interface ResultItem {
  readonly structure: Structure;
  /** A bus stop: the result is where the bus of `structure` stops, with its next passage. */
  readonly stop?: StopHit;
  readonly distanceKm: number;
  readonly travelMinutes: number;
  readonly opening: PublicOpening;
  /** A free slot bookable online within 14 days (issue 15). */
  readonly onlineBooking?: boolean;
}

export type SearchOutcome =
  | { readonly kind: 'none' }
  | { readonly kind: 'invalid'; readonly errors: SearchErrors }
  | { readonly kind: 'not_found'; readonly query: string }
  | { readonly kind: 'choose'; readonly choices: readonly GeocodeResult[] }
  | {
      readonly kind: 'results';
      readonly place: { readonly label: string; readonly lat: number; readonly lon: number };
      readonly items: readonly ResultItem[];
      readonly alternatives: readonly GeocodeResult[];
    };

export interface SearchPageInput {
  readonly form: SearchForm;
  readonly outcome: SearchOutcome;
  readonly at: Date;
  readonly embed: boolean;
  /** Why commune names cannot be located (no centroids), or null. */
  readonly geocodingProblem: string | null;
  readonly directoryEmpty: boolean;
  readonly map: Omit<MapData, 'points' | 'center'>;
}

const filtersQuery = (form: SearchForm): Record<string, string> => {
  const q: Record<string, string> = {};
  if (form.partenaire) q.partenaire = form.partenaire;
  if (form.ouvert) q.ouvert = '1';
  if (form.format) q.format = form.format;
  if (form.rdv) q.rdv = '1';
  return q;
};

export function searchHref(base: string, params: Record<string, string>): string {
  const qs = new URLSearchParams(params).toString();
  return qs ? `${base}?${qs}` : base;
}

function errorAlert(errors: SearchErrors): SafeHtml {
  const messages = Object.values(errors);
  return html`<div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
  <h2 class="fr-alert__title">La recherche n’a pas pu être faite</h2>
  <ul>${messages.map((m) => html`<li>${m}</li>`)}</ul>
</div>`;
}

function searchFormBlock(input: SearchPageInput, action: string): SafeHtml {
  const { form, outcome } = input;
  const errors = outcome.kind === 'invalid' ? outcome.errors : {};
  const qError = errors.q;
  const radio = (value: string, id: string, label: string) =>
    html`<div class="fr-fieldset__element fr-fieldset__element--inline"><div class="fr-radio-group">
      <input type="radio" id="${id}" name="format" value="${value}"${form.format === value ? html` checked` : null}>
      <label class="fr-label" for="${id}">${label}</label>
    </div></div>`;
  const checkbox = (name: string, label: string, checked: boolean, hint?: string) =>
    html`<div class="fr-fieldset__element"><div class="fr-checkbox-group">
      <input type="checkbox" id="${name}" name="${name}" value="1"${checked ? html` checked` : null}>
      <label class="fr-label" for="${name}">${label}${hint ? html`<span class="fr-hint-text">${hint}</span>` : null}</label>
    </div></div>`;
  // Once results are shown, the filters fold away so that the results follow the search box (phones).
  const active = Object.keys(filtersQuery(form)).length;
  const folded = outcome.kind === 'results' && !errors.partenaire && !errors.format;
  return html`<form method="get" action="${action}" id="recherche" class="fr-mb-3w" role="search" aria-label="Trouver une France Services">
  ${Object.keys(errors).length ? errorAlert(errors) : null}
  <div class="fr-input-group${qError ? ' fr-input-group--error' : ''}">
    <label class="fr-label" for="q">Adresse, commune ou code postal
      <span class="fr-hint-text">Exemples : Guise, 02120, 12 rue de la Mairie 02120 Guise</span>
    </label>
    <div class="maillage-search-row">
      <input class="fr-input${qError ? ' fr-input--error' : ''}" type="search" id="q" name="q" value="${form.q}" maxlength="200" autocomplete="address-level2"${qError ? html` aria-describedby="q-erreur" aria-invalid="true"` : null}>
      <button class="fr-btn fr-icon-search-line fr-btn--icon-left" type="submit">Rechercher</button>
    </div>
    ${qError ? html`<p class="fr-error-text" id="q-erreur">${qError}</p>` : null}
  </div>
  <div class="maillage-geoloc fr-mb-3w" hidden>
    <button type="button" class="fr-btn fr-btn--secondary fr-icon-map-pin-2-line fr-btn--icon-left" id="autour-de-moi">Autour de moi</button>
    <p class="fr-hint-text fr-mt-1w" id="autour-de-moi-etat" aria-live="polite"></p>
  </div>
  <details class="maillage-filters"${folded ? null : html` open`}>
  <summary>Affiner la recherche${active ? ` (${active === 1 ? '1 filtre actif' : `${active} filtres actifs`})` : ''}</summary>
  <fieldset class="fr-fieldset fr-mt-2w" aria-labelledby="filtres-legende">
    <legend class="fr-fieldset__legend" id="filtres-legende">Filtres</legend>
    <div class="fr-fieldset__element">
      <div class="fr-select-group${errors.partenaire ? ' fr-select-group--error' : ''}">
        <label class="fr-label" for="partenaire">Partenaire dont vous avez besoin</label>
        <select class="fr-select" id="partenaire" name="partenaire"${errors.partenaire ? html` aria-invalid="true"` : null}>
          <option value=""${form.partenaire === '' ? html` selected` : null}>Tous les partenaires</option>
          ${PARTNERS.map(
            (p) =>
              html`<option value="${p}"${form.partenaire === p ? html` selected` : null}>${PARTNER_LABELS[p]}</option>`,
          )}
        </select>
      </div>
    </div>
    ${checkbox('ouvert', 'Ouvert maintenant', form.ouvert)}
    ${checkbox('rdv', 'Rendez-vous en ligne sous 14 jours', form.rdv, 'Un créneau est libre à la réservation en ligne dans les 14 prochains jours.')}
    <div class="fr-fieldset__element">
      <fieldset class="fr-fieldset" aria-labelledby="format-legende">
        <legend class="fr-fieldset__legend fr-fieldset__legend--regular" id="format-legende">Type d’accueil</legend>
        ${radio('', 'format-tous', 'Tous')}
        ${radio('fixe', 'format-fixe', 'Sites fixes')}
        ${radio('mobile', 'format-mobile', 'Bus et France Services itinérantes')}
      </fieldset>
    </div>
  </fieldset>
  <button class="fr-btn fr-btn--secondary" type="submit">Appliquer les filtres</button>
  </details>
</form>`;
}

/** What a result card and a map point show: a structure at its address, or a bus at one of its stops. */
function describeResult(item: ResultItem, at: Date) {
  const s = item.structure;
  if (item.stop) {
    return {
      name: `${item.stop.unitName} — arrêt ${item.stop.name}`,
      href: `/mobile/stops/${encodeURIComponent(item.stop.id)}`,
      address: item.stop.address,
      lat: item.stop.lat as number | null,
      lon: item.stop.lon as number | null,
      line: {
        text: describeStopOpening(item.opening, at),
        tone: item.opening.open ? 'open' : 'closed',
      } as const,
    };
  }
  return {
    name: s.name,
    href: `/structures/${encodeURIComponent(s.id)}`,
    address: `${s.address}, ${s.postalCode} ${s.communeName}`,
    lat: s.lat,
    lon: s.lon,
    line: openingLine(s, item.opening, at),
  };
}

function stopCard(item: ResultItem, input: SearchPageInput, rank: number): SafeHtml {
  const r = describeResult(item, input.at);
  const link = input.embed
    ? html`<a href="${r.href}" target="_blank" rel="noopener" title="${r.name} — nouvelle fenêtre">${r.name}</a>`
    : html`<a href="${r.href}">${r.name}</a>`;
  return html`<li class="fr-card fr-card--no-arrow maillage-card" id="resultat-${rank}">
  <div class="fr-card__body"><div class="fr-card__content">
    <h3 class="fr-card__title">${link}</h3>
    <div class="fr-card__desc">
      ${openingBadge(r.line)}
      <p class="fr-mb-1w">${formatDistance(item.distanceKm)} · ${formatTravel(item.travelMinutes)}</p>
      <p class="fr-mb-1w">Arrêt : ${r.address}</p>
      <p class="fr-text--sm fr-mb-1w">Partenaires : ${partnersShort(item.structure)}</p>
    </div>
    <div class="fr-card__start">${formatBadges(item.structure)}</div>
  </div></div>
</li>`;
}

function resultCard(item: ResultItem, input: SearchPageInput, rank: number): SafeHtml {
  if (item.stop) return stopCard(item, input, rank);
  const s = item.structure;
  const line = openingLine(s, item.opening, input.at);
  const href = `/structures/${encodeURIComponent(s.id)}`;
  const link = input.embed
    ? html`<a href="${href}" target="_blank" rel="noopener" title="${s.name} — nouvelle fenêtre">${s.name}</a>`
    : html`<a href="${href}">${s.name}</a>`;
  const remote = line.tone === 'remote';
  return html`<li class="fr-card fr-card--no-arrow maillage-card" id="resultat-${rank}">
  <div class="fr-card__body"><div class="fr-card__content">
    <h3 class="fr-card__title">${link}</h3>
    <div class="fr-card__desc">
      ${remote ? html`<div class="fr-callout fr-p-2w fr-mb-2w">${openingBadge(line)}${contactLinks(s)}</div>` : openingBadge(line)}
      <p class="fr-mb-1w">${formatDistance(item.distanceKm)} · ${formatTravel(item.travelMinutes)}</p>
      <p class="fr-mb-1w">${s.address}, ${s.postalCode} ${s.communeName}</p>
      <p class="fr-text--sm fr-mb-1w">Partenaires : ${partnersShort(s)}</p>
    </div>
    <div class="fr-card__start">${formatBadges(s, item.onlineBooking)}</div>
  </div></div>
</li>`;
}

function choiceList(input: SearchPageInput, choices: readonly GeocodeResult[], action: string): SafeHtml {
  const filters = filtersQuery(input.form);
  return html`<section aria-labelledby="precisez">
  <h2 id="precisez">Précisez votre recherche</h2>
  <p>Plusieurs lieux correspondent à « ${input.form.q} ». Choisissez le vôtre :</p>
  <ul>
    ${choices.map(
      (c) =>
        html`<li><a href="${searchHref(action, { q: c.label, lat: String(c.lat), lon: String(c.lon), ...filters })}">${c.label}</a></li>`,
    )}
  </ul>
</section>`;
}

function notFoundBlock(input: SearchPageInput, query: string): SafeHtml {
  return html`<div class="fr-alert fr-alert--warning fr-mb-4w">
  <h2 class="fr-alert__title">Aucun lieu trouvé pour « ${query} »</h2>
  <p>Vérifiez l’orthographe, ou essayez le code postal ou le nom de la commune seul.${
    input.geocodingProblem
      ? ' La recherche par nom de commune est indisponible en ce moment (voir ci-dessus).'
      : ''
  } Vous pouvez aussi <a href="/departements">parcourir la liste par département</a>.</p>
</div>`;
}

function resultsBlock(
  input: SearchPageInput,
  outcome: Extract<SearchOutcome, { kind: 'results' }>,
  action: string,
): SafeHtml {
  const filters = filtersQuery(input.form);
  const points = outcome.items.flatMap((item, i) => {
    const r = describeResult(item, input.at);
    if (r.lat === null || r.lon === null) return [];
    return [
      {
        lat: r.lat,
        lon: r.lon,
        name: r.name,
        url: r.href,
        label: r.line.text,
        tone: r.line.tone,
        rank: i + 1,
      },
    ];
  });
  const mapData: MapData = {
    ...input.map,
    outlinesUrl: outlinesFor(
      input.map.outlinesUrl,
      outcome.items.map((i) => i.structure.departement),
    ),
    points,
    center: { lat: outcome.place.lat, lon: outcome.place.lon, label: outcome.place.label },
    newTab: input.embed,
  };
  const count = outcome.items.length;
  return html`<section aria-labelledby="resultats-titre">
  <h2 id="resultats-titre" class="fr-h4">${count === 0 ? 'Aucune France Services trouvée' : count === 1 ? '1 France Services' : `Les ${count} France Services les plus proches`} ${
    count > 0 ? html`près de ${outcome.place.label}` : null
  }</h2>
  ${
    outcome.alternatives.length
      ? html`<p class="fr-text--sm fr-mb-2w">Vous cherchiez peut-être : ${outcome.alternatives.map(
          (c, i) =>
            html`${i ? ', ' : ''}<a href="${searchHref(action, { q: c.label, lat: String(c.lat), lon: String(c.lon), ...filters })}">${c.label}</a>`,
        )}.</p>`
      : null
  }
  ${
    count === 0
      ? html`<p>Aucune France Services ne correspond à ces critères. Retirez un filtre pour élargir la recherche.</p>`
      : html`<div class="fr-grid-row fr-grid-row--gutters">
    <div class="fr-col-12 fr-col-lg-7">
      <ol class="maillage-results">${outcome.items.map((item, i) => resultCard(item, input, i + 1))}</ol>
      <p class="fr-text--sm">Distances à vol d’oiseau ; temps de trajet estimé en voiture.</p>
    </div>
    <div class="fr-col-12 fr-col-lg-5"><div class="maillage-sticky">
      ${mapBlock('carte', 'Carte des résultats ; la liste donne les mêmes informations')}
      ${jsonIsland('carte-donnees', mapData)}
    </div></div>
  </div>`
  }
</section>`;
}

function notices(input: SearchPageInput): SafeHtml {
  return html`${
    input.directoryEmpty
      ? html`<div class="fr-alert fr-alert--info fr-mb-4w">
  <h2 class="fr-alert__title">L’annuaire est vide</h2>
  <p>Aucune France Services n’est encore chargée. L’administrateur peut charger la liste officielle avec
  <code>npx maillage import structures &lt;fichier.csv&gt;</code> (fichier « Liste des structures France services » de data.gouv.fr),
  ou la télécharger et l’importer directement avec <code>npx maillage import structures --from-datagouv</code>.</p>
</div>`
      : null
  }${
    input.geocodingProblem
      ? html`<div class="fr-alert fr-alert--warning fr-mb-4w">
  <h2 class="fr-alert__title">Recherche par nom de commune indisponible</h2>
  <p>${input.geocodingProblem} Sans ces données, une commune ne peut pas être située par son nom ni par son code postal.
  Vous pouvez utiliser « Autour de moi », ou <a href="/departements">parcourir la liste par département</a>.</p>
</div>`
      : null
  }`;
}

export function searchPage(input: SearchPageInput): string {
  const action = input.embed ? '/embed' : '/';
  const { outcome } = input;
  // With results on screen, a smaller title leaves room for them on a phone.
  const body = html`<h1${outcome.kind === 'results' ? html` class="fr-h3"` : null}>Trouver une France Services</h1>
${input.embed || outcome.kind === 'results' ? null : html`<p class="fr-text--lead">Une France Services vous aide dans vos démarches : CAF, Assurance maladie, retraite, France Travail, impôts, papiers d’identité, permis, carte grise… Cherchez la plus proche et vérifiez qu’elle est ouverte.</p>`}
${notices(input)}
${searchFormBlock(input, action)}
${
  outcome.kind === 'choose'
    ? choiceList(input, outcome.choices, action)
    : outcome.kind === 'not_found'
      ? notFoundBlock(input, outcome.query)
      : outcome.kind === 'results'
        ? resultsBlock(input, outcome, action)
        : null
}`;
  const title =
    outcome.kind === 'invalid'
      ? 'Erreur : recherche incorrecte'
      : outcome.kind === 'results'
        ? `Résultats près de ${outcome.place.label}`
        : outcome.kind === 'choose'
          ? 'Précisez votre recherche'
          : outcome.kind === 'not_found'
            ? 'Aucun lieu trouvé'
            : 'Trouver une France Services';
  return page({
    title,
    body,
    nav: 'recherche',
    embed: input.embed,
    description: 'Trouvez la France Services la plus proche, ses horaires et ses partenaires.',
    scripts:
      outcome.kind === 'results' && outcome.items.length ? ['geolocate.js', 'map.js'] : ['geolocate.js'],
    styles:
      outcome.kind === 'results' && outcome.items.length
        ? [DIRECTORY_CSS, '/assets/leaflet/leaflet.css']
        : [DIRECTORY_CSS],
  });
}

export const isPartner = (v: string): v is Partner => (PARTNERS as readonly string[]).includes(v);
