import { DEFAULT_TRAVEL_PARAMS, DENSITE7_LABELS, type TravelModel } from '../../../domain/territory/index.js';
import { html } from '../../html.js';
import { page } from '../layout.js';

/** The method, in words a préfecture can check. */
export function methodPage(
  model: TravelModel,
  files: ReadonlyArray<{ file: string; vintage: string; rows: number }>,
): string {
  const classes = [1, 2, 3, 4, 5, 6, 7] as const;
  const body = html`<h1>Méthode des indicateurs de couverture</h1>
<p class="fr-text--lead">Chaque indicateur est calculé à partir de données publiques, pour la France entière (métropole et
départements d’outre-mer), une région, un département, un canton ou une intercommunalité (EPCI). Les collectivités d’outre-mer
(Saint-Pierre-et-Miquelon, Saint-Martin, Polynésie…) sont hors du programme et hors des indicateurs.</p>

<h2>Structures</h2>
<p>Les structures sont celles de la liste officielle (data.gouv.fr), sauf celles fermées définitivement. Chacune est comptée dans
la commune où elle se trouve. Un ancien code de commune (commune fusionnée, commune déléguée) est ramené à la commune actuelle, et
un arrondissement de Paris, Lyon ou Marseille à sa ville. Un bus ou une France Services itinérante compte à son adresse de
rattachement tant que ses arrêts ne sont pas connus. « Antenne » : type Antenne ; « itinérante » : format bus ou itinérant ;
« fixe » : le reste.</p>

<h2>Cantons couverts</h2>
<p>On compte les <strong>cantons au sens strict</strong> (type C du Code officiel géographique de l’INSEE, 2 054 en France), pas les
« pseudo-cantons » qui représentent une ville partagée entre plusieurs cantons. Un canton est couvert quand une structure se
trouve dans une de ses communes. Quand une structure est dans une ville partagée entre plusieurs cantons (Amiens, Ajaccio…),
l’INSEE ne publie pas quelle fraction de la ville appartient à quel canton : on place alors la structure, à son adresse (un bus
à son adresse de rattachement), dans le contour du canton qui la contient (contours IGN Admin Express). Sans ces contours, on
compte les cantons dont cette ville est le bureau centralisateur, ce qui donne une borne haute. Paris et la Métropole de Lyon
n’ont pas de canton au sens strict ; la Martinique et la Guyane n’ont pas de cantons.</p>

<h2>Ruralité et ZRR</h2>
<p>Une structure est « rurale » si sa commune est peu dense ou très peu dense dans la grille communale de densité de l’INSEE
(définition de 2020). Elle est « en ZRR » si sa commune était classée, en tout ou partie, en zone de revitalisation rurale
(liste ANCT de 2023). Le dispositif ZRR a été remplacé par France Ruralités Revitalisation à l’été 2024 ; ce nouveau zonage
n’est pas encore pris en compte.</p>

<h2>Quartiers prioritaires (QPV)</h2>
<p>Les QPV de 2024 n’ont pas de coordonnées dans nos données : un QPV est compté comme couvert quand une structure se trouve dans
une des communes sur lesquelles il s’étend. C’est une approximation favorable pour les grandes villes.</p>

<h2>Temps de trajet</h2>
<p>Chaque commune est représentée par son centre (Paris, Lyon et Marseille par leurs arrondissements). Le temps jusqu’à la
France Services la plus proche est estimé à partir de la distance à vol d’oiseau, multipliée par un facteur de détour, et
divisée par une vitesse moyenne. Ces deux paramètres dépendent de la densité de la commune de départ (grille à 7 niveaux) :</p>
<div class="fr-table"><table>
<caption>Paramètres du temps de trajet estimé</caption>
<thead><tr><th scope="col">Densité de la commune</th><th scope="col">Facteur de détour</th><th scope="col">Vitesse moyenne</th><th scope="col">Distance à vol d’oiseau en 20 min</th></tr></thead>
<tbody>${classes.map(
    (c) =>
      html`<tr><td>${DENSITE7_LABELS[c]}</td><td>${model.params[c].detour.toLocaleString('fr-FR')}${model.params[c].detour !== DEFAULT_TRAVEL_PARAMS[c].detour ? ' (modifié)' : ''}</td><td>${model.params[c].speedKmh} km/h</td><td>${model.radiusKm(20, c).toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km</td></tr>`,
  )}</tbody></table></div>
<p>Ces valeurs sont réglables. Quand un serveur de calcul d’itinéraires OSRM est configuré, ses temps routiers peuvent remplacer
cette estimation. La population « à moins de 20 minutes » est la somme des populations légales des communes dont le centre est
à moins de 20 minutes estimées d’une structure. La distance moyenne et son 95e centile sont pondérés par la population, à vol
d’oiseau.</p>

<h2>Où ouvrir les prochaines structures ?</h2>
<p>L’outil de planification cherche les <em>k</em> communes qui, si elles accueillaient une France Services, mettraient le plus
d’habitants nouveaux à moins du seuil choisi (problème de couverture maximale). Les structures existantes restent en place :
seuls comptent les habitants qu’elles n’atteignent pas déjà. La méthode est gloutonne (on choisit à chaque étape la commune qui
apporte le plus), puis améliorée par échanges ; pour un département ou une région, l’optimum exact est calculé par le solveur
HiGHS pour vérifier l’écart.</p>

<h2>Données et millésimes</h2>
<ul>${files.map((f) => html`<li>${f.file} : ${f.vintage}${f.rows ? ` (${f.rows.toLocaleString('fr-FR')} lignes)` : ''}</li>`)}</ul>
<p>Sources détaillées : INSEE (Code officiel géographique, grille de densité, populations légales), ANCT (ZRR, QPV, contours),
geo.api.gouv.fr (centres des communes), tous sous Licence Ouverte.</p>`;
  return page({
    title: 'Méthode des indicateurs de couverture',
    body,
    nav: 'territoires',
    breadcrumb: [
      { label: 'Accueil', href: '/' },
      { label: 'Couverture territoriale', href: '/territoires' },
      { label: 'Méthode' },
    ],
  });
}
