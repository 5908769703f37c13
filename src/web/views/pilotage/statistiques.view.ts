import { OPENDATA_COLUMNS } from '../../../domain/pilotage/index.js';
import { html } from '../../html.js';
import { page } from '../layout.js';

export const OPENDATA_FILES = [
  {
    id: 'departement-partenaire',
    label: 'Accompagnements par département et par partenaire',
    columns: 'departement',
  },
  { id: 'departement-canal', label: 'Accompagnements par département et par canal', columns: 'departement' },
  { id: 'national-demarche', label: 'Accompagnements en France entière par démarche', columns: 'demarche' },
] as const;
export type OpenDataFileId = (typeof OPENDATA_FILES)[number]['id'];

/** /statistiques: the open-data files of the last months, their columns, the secrecy rule. */
export function statistiquesPage(o: { months: readonly string[]; threshold: number }): string {
  return page({
    title: 'Statistiques d’activité (données ouvertes)',
    nav: 'api',
    breadcrumb: [{ label: 'Accueil', href: '/' }, { label: 'Statistiques d’activité' }],
    description:
      'Accompagnements des France Services par mois, département, partenaire, canal et démarche, en données ouvertes sous secret statistique.',
    body: html`<h1>Statistiques d’activité des France Services</h1>
<p>Chaque mois, le nombre d’accompagnements enregistrés par les France Services, en fichiers CSV et JSON réutilisables (Licence Ouverte 2.0). Le mois est celui du jour local de chaque structure.</p>
<div class="fr-callout fr-mb-4w"><h2 class="fr-callout__title">Secret statistique</h2>
<p class="fr-callout__text">Aucune personne ne doit pouvoir être reconnue. Une case comptant de 1 à ${o.threshold - 1} accompagnements n’est jamais publiée (un vrai zéro l’est). D’autres cases sont masquées quand elles permettraient de retrouver une case masquée à partir des totaux publiés (secret secondaire). Une case masquée est vide dans le CSV et vaut <code>null</code> en JSON.</p></div>
<h2>Fichiers par mois</h2>
${
  o.months.length === 0
    ? html`<p>Aucun mois publié pour l’instant.</p>`
    : html`<div class="fr-table"><table><caption>Fichiers disponibles</caption>
<thead><tr><th scope="col">Mois</th>${OPENDATA_FILES.map((f) => html`<th scope="col">${f.label}</th>`)}</tr></thead>
<tbody>${o.months.map(
        (m) =>
          html`<tr><th scope="row" class="maillage-nowrap">${m}</th>${OPENDATA_FILES.map(
            (f) =>
              html`<td><a class="fr-link" href="/statistiques/${m}-${f.id}.csv" download>CSV<span class="fr-sr-only"> ${f.label}, ${m}</span></a> · <a class="fr-link" href="/statistiques/${m}-${f.id}.json">JSON<span class="fr-sr-only"> ${f.label}, ${m}</span></a></td>`,
          )}</tr>`,
      )}</tbody></table></div>`
}
<h2>Description des colonnes</h2>
<h3>Par département (partenaire ou canal)</h3>
<dl>${OPENDATA_COLUMNS.departement.map(([k, v]) => html`<dt><code>${k}</code></dt><dd>${v}</dd>`)}</dl>
<p>Colonnes des partenaires : <code>caf</code>, <code>assurance_maladie</code>, <code>assurance_retraite</code>, <code>france_travail</code>, <code>la_poste</code>, <code>dgfip</code>, <code>ants</code>, <code>justice</code>, <code>msa</code>, <code>autre</code>. Colonnes des canaux : <code>guichet</code>, <code>bus</code>, <code>telephone</code>, <code>courriel</code>, <code>visio</code>.</p>
<p>En JSON : <code>{period, threshold, columns, rows: [{departement, cells: {colonne: n|null}, total: n|null}], totals: {colonne: n|null, all: n}}</code>. Les lignes sont les départements de métropole et des DROM ayant au moins un accompagnement dans le mois.</p>
<h3>France entière par démarche</h3>
<dl>${OPENDATA_COLUMNS.demarche.map(([k, v]) => html`<dt><code>${k}</code></dt><dd>${v}</dd>`)}</dl>
<p>En JSON : <code>{period, threshold, rows: [{demarche, libelle, n|null}], total}</code>.</p>`,
  });
}
