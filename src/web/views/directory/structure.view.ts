import type { PublicOpening } from '../../../domain/directory/locator.js';
import { localWeekday, type TimeRange, WEEKDAYS } from '../../../domain/directory/opening-hours.js';
import { FORMAT_LABELS, STATUS_LABELS, type Structure } from '../../../domain/directory/structure.js';
import { isOverseasZone, localDate, timeZoneOfPlace } from '../../../domain/shared/time-zone.js';
import { html, jsonIsland, type SafeHtml } from '../../html.js';
import { page } from '../layout.js';
import {
  contactLinks,
  DIRECTORY_CSS,
  formatBadges,
  frenchDate,
  frenchDateTime,
  type MapData,
  mapBlock,
  openingBadge,
  openingLine,
  outlinesFor,
  partnersList,
  postalAddress,
} from './components.js';

const hhmm = (m: number) =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
const rangesText = (ranges: readonly TimeRange[]) =>
  ranges.length === 0 ? 'Fermé' : ranges.map((r) => `${hhmm(r.start)} – ${hhmm(r.end)}`).join(' et ');

const DAY_LABELS: Record<(typeof WEEKDAYS)[number], string> = {
  lundi: 'Lundi',
  mardi: 'Mardi',
  mercredi: 'Mercredi',
  jeudi: 'Jeudi',
  vendredi: 'Vendredi',
  samedi: 'Samedi',
  dimanche: 'Dimanche',
};

function hoursTable(s: Structure, at: Date): SafeHtml {
  const zone = timeZoneOfPlace(s);
  const today = localWeekday(at, zone);
  return html`<div class="fr-table fr-table--no-scroll fr-table--no-caption" id="horaires-tableau"><div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content">
<table>
  <caption>Horaires d’ouverture habituels${isOverseasZone(zone) ? ' (heure locale)' : ''}</caption>
  <thead><tr><th scope="col">Jour</th><th scope="col">Horaires</th></tr></thead>
  <tbody>
    ${WEEKDAYS.map((d) =>
      d === today
        ? html`<tr class="maillage-today" aria-current="date"><th scope="row">${DAY_LABELS[d]} <span class="fr-badge fr-badge--sm fr-badge--blue-cumulus">aujourd’hui</span></th><td>${rangesText(s.hours.days[d])}</td></tr>`
        : html`<tr><th scope="row">${DAY_LABELS[d]}</th><td>${rangesText(s.hours.days[d])}</td></tr>`,
    )}
  </tbody>
</table>
</div></div></div></div>`;
}

function closuresBlock(s: Structure, at: Date): SafeHtml {
  const today = localDate(at, timeZoneOfPlace(s));
  const upcoming = s.closures.filter((c) => c.to >= today).sort((a, b) => a.from.localeCompare(b.from));
  if (upcoming.length === 0) return html``;
  return html`<h3 class="fr-h6">Fermetures exceptionnelles</h3>
<ul>${upcoming.map(
    (c) =>
      html`<li>${c.from === c.to ? html`Le ${frenchDate(c.from)}` : html`Du ${frenchDate(c.from)} au ${frenchDate(c.to)} inclus`}${
        c.message ? html` : ${c.message}` : null
      }</li>`,
  )}</ul>`;
}

function statusBlock(s: Structure): SafeHtml {
  if (s.status === 'accueil_a_distance') {
    return html`<div class="fr-callout fr-callout--blue-ecume fr-mb-4w" id="accueil-a-distance">
  <h2 class="fr-callout__title">Accueil à distance uniquement</h2>
  <p class="fr-callout__text">L’accueil sur place est suspendu. Les conseillers vous répondent par téléphone et par courriel :</p>
  ${contactLinks(s)}
</div>`;
  }
  if (s.status === 'fermee_temporairement' || s.status === 'fermee_definitivement') {
    return html`<div class="fr-alert fr-alert--warning fr-mb-4w">
  <h2 class="fr-alert__title">${STATUS_LABELS[s.status]}${
    s.status === 'fermee_temporairement' && s.statusUntil
      ? ` jusqu’au ${frenchDate(s.statusUntil)} inclus`
      : ''
  }</h2>
  <p>Cette France Services n’accueille pas le public${s.status === 'fermee_temporairement' ? ' pour le moment' : ''}.${
    s.lat !== null && s.lon !== null
      ? html` <a href="/?lat=${String(s.lat)}&amp;lon=${String(s.lon)}">Trouver une autre France Services à proximité</a>.`
      : null
  }</p>
</div>`;
  }
  return html``;
}

export function directionsUrl(lat: number, lon: number): string {
  return `https://www.openstreetmap.org/directions?to=${lat.toFixed(5)}%2C${lon.toFixed(5)}`;
}

export interface StructurePageInput {
  readonly structure: Structure;
  readonly opening: PublicOpening;
  readonly at: Date;
  readonly departementName: string | null;
  readonly map: Omit<MapData, 'points' | 'center'>;
  /** The "Être rappelé(e)" form, when the structure takes call-back requests: first when it is remote only. */
  readonly rappel?: SafeHtml | null;
  /** The structure takes appointments online through Maillage (issue 15). */
  readonly onlineBooking?: boolean;
}

export function structurePage(input: StructurePageInput): string {
  const { structure: s, opening, at } = input;
  const line = openingLine(s, opening, at);
  const remote = s.status === 'accueil_a_distance';
  const located = s.lat !== null && s.lon !== null;
  const mapData: MapData | null = located
    ? {
        ...input.map,
        outlinesUrl: outlinesFor(input.map.outlinesUrl, [s.departement]),
        points: [
          {
            lat: s.lat as number,
            lon: s.lon as number,
            name: s.name,
            url: `/structures/${s.id}`,
            label: line.text,
            tone: line.tone,
          },
        ],
        center: null,
      }
    : null;
  const contactSection = html`<section aria-labelledby="contact" class="fr-mb-4w">
  <h2 id="contact" class="fr-h4">Contact</h2>
  ${contactLinks(s)}
</section>`;
  const body = html`<h1>${s.name}</h1>
${formatBadges(s)}
<p class="fr-text--lead fr-mb-2w">${FORMAT_LABELS[s.format]}${s.type === 'antenne' ? ' (antenne)' : ''} · ${s.communeName}</p>
${statusBlock(s)}
${remote ? (input.rappel ?? null) : openingBadge(line)}
<div class="fr-grid-row fr-grid-row--gutters">
  <div class="fr-col-12 fr-col-md-7">
    ${remote ? null : contactSection}
    <section aria-labelledby="horaires" class="fr-mb-4w">
      <h2 id="horaires" class="fr-h4">Horaires</h2>
      ${remote ? html`<p>L’accueil sur place est suspendu : ces horaires sont ceux de l’accueil habituel.</p>` : null}
      ${hoursTable(s, at)}
      ${closuresBlock(s, at)}
      ${
        input.onlineBooking
          ? html`<p><a class="fr-btn fr-icon-calendar-line fr-btn--icon-left" href="/structures/${s.id}/rendez-vous">Prendre rendez-vous en ligne</a></p>`
          : html`<p class="fr-text--sm">${s.appointment ? 'Vous pouvez prendre rendez-vous : appelez ou écrivez à la France Services.' : 'Accueil sans rendez-vous aux heures d’ouverture.'}</p>`
      }
    </section>
    <section aria-labelledby="services" class="fr-mb-4w">
      <h2 id="services" class="fr-h4">Démarches et partenaires</h2>
      <p>Les conseillers vous accompagnent pour les démarches de :</p>
      ${partnersList(s)}
      ${s.description ? html`<p>${s.description}</p>` : null}
      ${s.comment ? html`<h3 class="fr-h6">À savoir</h3><p>${s.comment}</p>` : null}
    </section>
    ${remote ? null : (input.rappel ?? null)}
  </div>
  <div class="fr-col-12 fr-col-md-5">
    <section aria-labelledby="adresse" class="fr-mb-4w">
      <h2 id="adresse" class="fr-h4">Adresse</h2>
      <address class="fr-mb-2w">${postalAddress(s)}</address>
      ${
        located
          ? html`<p><a class="fr-link fr-icon-road-map-line fr-link--icon-left" href="${directionsUrl(s.lat as number, s.lon as number)}" target="_blank" rel="noopener" title="Itinéraire sur OpenStreetMap — nouvelle fenêtre">Itinéraire sur OpenStreetMap</a></p>`
          : html`<p>Position non renseignée.</p>`
      }
      ${mapData ? html`${mapBlock('carte', `Carte : emplacement de ${s.name}`)}${jsonIsland('carte-donnees', mapData)}` : null}
    </section>
    <section aria-labelledby="infos" class="fr-mb-4w">
      <h2 id="infos" class="fr-h6">Informations</h2>
      <ul class="fr-text--sm">
        <li>Identifiant France Services : ${s.idFs}</li>
        ${s.labelledOn ? html`<li>Labellisée le ${frenchDate(s.labelledOn)}</li>` : null}
        ${s.group ? html`<li>Groupe : ${s.group}</li>` : null}
        <li>Mise à jour le ${frenchDateTime(s.updatedAt, timeZoneOfPlace(s))}</li>
      </ul>
    </section>
  </div>
</div>`;
  return page({
    title: s.name,
    body,
    nav: 'recherche',
    description: `${s.name} : horaires, adresse, contact et partenaires.`,
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      {
        label: input.departementName
          ? `${input.departementName} (${s.departement})`
          : `Département ${s.departement}`,
        href: `/departements/${s.departement}`,
      },
      { label: s.name },
    ],
    scripts: mapData ? ['map.js'] : [],
    styles: mapData ? [DIRECTORY_CSS, '/assets/leaflet/leaflet.css'] : [DIRECTORY_CSS],
  });
}
