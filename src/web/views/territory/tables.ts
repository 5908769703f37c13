/**
 * The dashboard's tables as data: rendered as sortable HTML tables (sorting by links, no JavaScript)
 * and exported as CSV from the same model, so the two never disagree.
 */
import { writeCsv } from '../../../domain/shared/csv.js';
import type { TerritoryReport } from '../../../services/territory/territory.service.js';
import { html, type SafeHtml } from '../../html.js';

export interface Column {
  key: string;
  label: string;
  numeric?: boolean;
  format?: (v: number) => string;
}

export type Cell = string | number | null;

export interface Table {
  id: 'territoires' | 'cantons-non-couverts' | 'chronologie';
  caption: string;
  columns: Column[];
  rows: Array<Record<string, Cell> & { href?: string }>;
  defaultSort: string;
}

const share = (part: number, total: number) => (total ? Math.round((part / total) * 1000) / 10 : null);
const pctFmt = (v: number) => `${v.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} %`;
const int = (v: number) => v.toLocaleString('fr-FR');
const km = (v: number) => `${v.toLocaleString('fr-FR', { maximumFractionDigits: 1 })} km`;

export function href(code: string): string {
  if (code === 'FR') return '/territoires';
  const [kind, value] = code.split(':');
  return `/territoires/${kind}/${encodeURIComponent(value ?? '')}`;
}

export function reportTables(r: TerritoryReport): Table[] {
  const tables: Table[] = [];
  if (r.children.length) {
    tables.push({
      id: 'territoires',
      caption:
        r.territory.kind === 'FR'
          ? 'Régions'
          : r.territory.kind === 'reg'
            ? 'Départements'
            : 'Cantons du département',
      defaultSort: 'code',
      columns: [
        { key: 'code', label: 'Code' },
        { key: 'nom', label: 'Territoire' },
        { key: 'structures', label: 'Structures', numeric: true, format: int },
        { key: 'cantons', label: 'Cantons couverts', numeric: true, format: int },
        { key: 'cantonsTotal', label: 'Cantons', numeric: true, format: int },
        { key: 'rural', label: 'En commune rurale', numeric: true, format: pctFmt },
        { key: 'zrr', label: 'En ZRR', numeric: true, format: pctFmt },
        { key: 'population', label: 'Population', numeric: true, format: int },
        { key: 'within20', label: 'À 20 min', numeric: true, format: pctFmt },
        { key: 'within30', label: 'À 30 min', numeric: true, format: pctFmt },
        { key: 'distance', label: 'Distance moyenne', numeric: true, format: km },
      ],
      rows: r.children.map((c) => ({
        code: c.code.replace(/^\w+:/, ''),
        nom: c.label,
        structures: c.indicators.structures.total,
        cantons: c.indicators.cantons.covered,
        cantonsTotal: c.indicators.cantons.total,
        rural: Math.round(c.indicators.share.rural * 1000) / 10,
        zrr: Math.round(c.indicators.share.zrr * 1000) / 10,
        population: c.indicators.population.total,
        within20: share(c.indicators.population.within20, c.indicators.population.total),
        within30: share(c.indicators.population.within30, c.indicators.population.total),
        distance: c.indicators.distanceKm.mean,
        href: href(c.code),
      })),
    });
  }
  tables.push({
    id: 'cantons-non-couverts',
    caption: 'Cantons sans France Services',
    defaultSort: 'population',
    columns: [
      { key: 'code', label: 'Code' },
      { key: 'nom', label: 'Canton' },
      { key: 'departement', label: 'Département' },
      { key: 'population', label: 'Population (communes entières)', numeric: true, format: int },
      { key: 'distance', label: 'Distance moyenne à la plus proche', numeric: true, format: km },
    ],
    rows: r.uncovered.map((c) => ({
      code: c.code,
      nom: c.nom,
      departement: c.departement,
      population: c.population,
      distance: c.distanceKm,
      href: href(`canton:${c.code}`),
    })),
  });
  tables.push({
    id: 'chronologie',
    caption: 'Labellisations par mois',
    defaultSort: 'mois',
    columns: [
      { key: 'mois', label: 'Mois' },
      { key: 'ajouts', label: 'Labellisées', numeric: true, format: int },
      { key: 'cumul', label: 'Cumul', numeric: true, format: int },
    ],
    rows: r.timeline.months.map((m) => ({ mois: m.month, ajouts: m.added, cumul: m.cumulative })),
  });
  return tables;
}

export interface SortState {
  key: string;
  desc: boolean;
}

export function sortRows(t: Table, s: SortState | undefined): Table['rows'] {
  const key = s && t.columns.some((c) => c.key === s.key) ? s.key : t.defaultSort;
  const desc = s && key === s.key ? s.desc : t.id === 'cantons-non-couverts';
  const col = t.columns.find((c) => c.key === key);
  return [...t.rows].sort((a, b) => {
    const x = a[key] ?? null;
    const y = b[key] ?? null;
    if (x === y) return 0;
    if (x === null) return 1;
    if (y === null) return -1;
    const c = col?.numeric ? Number(x) - Number(y) : String(x).localeCompare(String(y), 'fr');
    return desc ? -c : c;
  });
}

/** A DSFR table whose headers are links that sort it (server-side), and a CSV export link. */
export function sortableTable(
  t: Table,
  sort: SortState | undefined,
  baseUrl: string,
  territory: string,
): SafeHtml {
  const active =
    sort && t.columns.some((c) => c.key === sort.key)
      ? sort
      : { key: t.defaultSort, desc: t.id === 'cantons-non-couverts' };
  const rows = sortRows(t, sort);
  const link = (key: string) => {
    const desc = active.key === key ? !active.desc : false;
    return `${baseUrl}?tri=${encodeURIComponent(`${t.id}:${key}:${desc ? 'desc' : 'asc'}`)}#${t.id}`;
  };
  const fmt = (c: Column, v: Cell) =>
    v === null ? '—' : c.format && typeof v === 'number' ? c.format(v) : String(v);
  return html`<div class="fr-table fr-table--no-caption maillage-table" id="${t.id}">
  <div class="fr-table__wrapper"><div class="fr-table__container"><div class="fr-table__content">
  <table>
    <caption>${t.caption}</caption>
    <thead><tr>${t.columns.map(
      (c) =>
        html`<th scope="col"${active.key === c.key ? html` aria-sort="${active.desc ? 'descending' : 'ascending'}"` : null}${c.numeric ? html` class="maillage-num"` : null}><a href="${link(c.key)}">${c.label}${active.key === c.key ? (active.desc ? ' ↓' : ' ↑') : ''}<span class="fr-sr-only"> (trier)</span></a></th>`,
    )}</tr></thead>
    <tbody>${
      rows.length
        ? rows.map(
            (r) =>
              html`<tr>${t.columns.map((c, i) =>
                i === 1 && r.href
                  ? html`<td><a href="${r.href}">${fmt(c, r[c.key] ?? null)}</a></td>`
                  : html`<td${c.numeric ? html` class="maillage-num"` : null}>${fmt(c, r[c.key] ?? null)}</td>`,
              )}</tr>`,
          )
        : html`<tr><td colspan="${t.columns.length}">Aucune ligne.</td></tr>`
    }</tbody>
  </table>
  </div></div></div>
  <p class="fr-mt-1w"><a class="fr-link fr-icon-download-line fr-link--icon-left" href="/territoires/export.csv?territoire=${encodeURIComponent(territory)}&amp;table=${t.id}" download>Télécharger « ${t.caption} » (CSV)</a></p>
</div>`;
}

/** One table as CSV, through the one writer and its rule against formulas (finding 10). */
export function tableCsv(t: Table): string {
  return writeCsv([
    t.columns.map((c) => c.label),
    ...sortRows(t, undefined).map((r) => t.columns.map((c) => r[c.key] ?? null)),
  ]);
}

export function parseSort(raw: unknown): Map<string, SortState> {
  const out = new Map<string, SortState>();
  if (typeof raw !== 'string') return out;
  const m = /^([a-z-]{1,40}):([A-Za-z0-9]{1,20}):(asc|desc)$/.exec(raw);
  if (m) out.set(m[1] as string, { key: m[2] as string, desc: m[3] === 'desc' });
  return out;
}
