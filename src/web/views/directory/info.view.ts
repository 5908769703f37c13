import { html } from '../../html.js';
import { page } from '../layout.js';
import { frenchDateTime } from './components.js';

export interface DataPageInput {
  readonly total: number;
  readonly lastImport: { readonly source: string; readonly at: Date } | null;
  readonly publicUrl: string;
}

export function dataPage(input: DataPageInput): string {
  const body = html`<h1>Données ouvertes et API</h1>
<p class="fr-text--lead">L’annuaire des France Services est publié en données ouvertes, sous Licence Ouverte 2.0 (Etalab). Réutilisez-le librement en citant la source.</p>
<p>${input.total.toLocaleString('fr-FR')} France Services dans l’annuaire.${
    input.lastImport
      ? ` Dernière mise à jour de la liste officielle : ${frenchDateTime(input.lastImport.at)} (${input.lastImport.source}).`
      : ''
  }</p>
<h2>Téléchargements</h2>
<ul>
  <li><a href="/api/v1/structures/export?format=csv" download>CSV au format officiel</a> — les 24 colonnes de la « Liste des structures France services » de data.gouv.fr (id_fs, lib_fs, adresse, horaires h_lundi à h_samedi…).</li>
  <li><a href="/api/v1/structures/export?format=geojson" download>GeoJSON</a> — un point par France Services, avec ses propriétés, pour les logiciels de cartographie.</li>
  <li><a href="/api/v1/structures/export?format=lmn" download>Schéma des lieux de médiation numérique</a> — le format national de l’ANCT (JSON), dispositif « France Services ».</li>
  <li><a href="/statistiques">Statistiques d’activité</a> — accompagnements par mois, département, partenaire, canal et démarche, sous secret statistique (CSV et JSON).</li>
</ul>
<h2>API</h2>
<p>Une API publique, sans clé, répond en JSON :</p>
<ul>
  <li><code>GET /api/v1/structures/nearest?lat=49.9&amp;lon=3.63&amp;limit=10</code> : les plus proches d’un point, avec la distance, le temps de trajet estimé et l’état « ouvert maintenant ». Filtres : <code>openNow</code>, <code>partner</code>, <code>format</code> (fixe ou mobile), <code>appointment</code> (un créneau réservable en ligne dans les 14 prochains jours, d’après les disponibilités réelles ; chaque résultat le dit dans <code>onlineBooking</code>, et <code>appointment</code> y garde la prise de rendez-vous déclarée dans la liste officielle), <code>radiusKm</code>.</li>
  <li><code>GET /api/v1/structures?department=02</code> : la liste d’un département, paginée.</li>
  <li><code>GET /api/v1/structures/{id}</code> : une France Services (identifiant Maillage ou id_fs officiel).</li>
</ul>
<p><a class="fr-link fr-icon-arrow-right-line fr-link--icon-right" href="/api/docs">Documentation de l’API (OpenAPI)</a></p>
<h2>Intégrer la recherche sur votre site</h2>
<p>La page <a href="/embed">/embed</a> peut être affichée dans un cadre (iframe) sur le site d’une mairie ou d’un partenaire ; les fiches s’ouvrent dans un nouvel onglet.</p>
<pre><code>&lt;iframe src="${input.publicUrl}/embed" title="Trouver une France Services" width="100%" height="700"&gt;&lt;/iframe&gt;</code></pre>`;
  return page({
    title: 'Données ouvertes et API',
    body,
    nav: 'api',
    breadcrumb: [{ label: 'Accueil', href: '/' }, { label: 'Données et API' }],
  });
}

export function accessibilityPage(): string {
  const body = html`<h1>Déclaration d’accessibilité</h1>
<p class="fr-text--lead">Le service « Trouver une France Services » s’engage à rendre ses pages accessibles, conformément à l’article 47 de la loi n° 2005-102 du 11 février 2005.</p>
<h2>État de conformité</h2>
<p>Ce site est <strong>partiellement conforme</strong> avec le référentiel général d’amélioration de l’accessibilité (RGAA) version 4.1 : aucun audit complet n’a encore été réalisé par un organisme indépendant.</p>
<h2>Ce qui a été vérifié</h2>
<ul>
  <li>Les pages d’accueil, de résultats, de fiche d’une France Services et des départements sont contrôlées automatiquement à chaque version avec axe-core, dans Chromium : aucune erreur grave ou critique.</li>
  <li>Toutes les pages sont rendues par le serveur et fonctionnent sans JavaScript ; la recherche passe par un formulaire et l’adresse de la page garde la recherche.</li>
  <li>Chaque résultat est un titre contenant un vrai lien, atteignable au clavier ; l’ordre de tabulation suit l’ordre de lecture.</li>
  <li>Les horaires sont un tableau avec en-têtes ; le jour courant est signalé visuellement et aux lecteurs d’écran.</li>
  <li>L’état « ouvert » ou « fermé » est écrit en toutes lettres, jamais donné par la seule couleur.</li>
  <li>La page est en français (<code>lang="fr"</code>) et utilise le Système de design de l’État (DSFR).</li>
</ul>
<h2>Contenus non accessibles</h2>
<ul>
  <li>La carte (Leaflet) n’est pas entièrement utilisable au clavier et par un lecteur d’écran. Elle est facultative : la liste des résultats donne les mêmes informations.</li>
  <li>Les textes libres (commentaires, descriptions) viennent des structures et peuvent contenir des abréviations non expliquées.</li>
</ul>
<h2>Retour d’information et contact</h2>
<p>Si vous n’arrivez pas à accéder à un contenu ou à un service, contactez la France Services la plus proche, qui vous aidera, ou écrivez à l’équipe du site. Vous pouvez aussi saisir le Défenseur des droits (<a href="https://formulaire.defenseurdesdroits.fr/" target="_blank" rel="noopener" title="Formulaire du Défenseur des droits — nouvelle fenêtre">formulaire en ligne</a>).</p>`;
  return page({
    title: 'Déclaration d’accessibilité',
    body,
    breadcrumb: [{ label: 'Accueil', href: '/' }, { label: 'Accessibilité' }],
  });
}
