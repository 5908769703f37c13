import { html, type SafeHtml } from '../../html.js';

/**
 * Server-drawn, accessible charts (issue 14): an SVG with role="img", a <title> and a <desc> that
 * says what it shows, and ALWAYS the data table next to it (the table is the reference; the chart
 * only helps the eye). No JavaScript.
 */
export interface ChartRow {
  readonly label: string;
  readonly value: number;
}

const fmt = new Intl.NumberFormat('fr-FR');
export const frNumber = (n: number) => fmt.format(n);
export const frPercent = (share: number) =>
  `${new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 }).format(share * 100)} %`;

let seq = 0;

/** Horizontal bars (categories), at most 20 shown (the table has them all). */
export function barChart(o: {
  id: string;
  title: string;
  rows: readonly ChartRow[];
  unit: string;
}): SafeHtml {
  const rows = o.rows.slice(0, 20);
  const max = Math.max(1, ...rows.map((r) => r.value));
  const rowH = 26;
  const labelW = 260;
  const width = 720;
  const barW = width - labelW - 90;
  const height = rows.length * rowH + 10;
  const titleId = `${o.id}-titre-${++seq}`;
  const descId = `${o.id}-desc-${seq}`;
  const desc =
    rows.length === 0
      ? 'Aucune donnée sur la période.'
      : rows.map((r) => `${r.label} : ${frNumber(r.value)} ${o.unit}`).join(' ; ');
  return html`<svg class="maillage-chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${Math.max(height, 30)}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
<title id="${titleId}">${o.title}</title><desc id="${descId}">${desc}</desc>
${rows.map((r, i) => {
  const y = 5 + i * rowH;
  const w = Math.round((r.value / max) * barW);
  return html`<g><text x="${labelW - 8}" y="${y + 17}" text-anchor="end" font-size="13" fill="#161616">${r.label.length > 38 ? `${r.label.slice(0, 36)}…` : r.label}</text>
<rect x="${labelW}" y="${y + 4}" width="${Math.max(w, r.value > 0 ? 2 : 0)}" height="${rowH - 8}" fill="#000091"></rect>
<text x="${labelW + w + 6}" y="${y + 17}" font-size="13" fill="#161616">${frNumber(r.value)}</text></g>`;
})}
</svg>`;
}

/** Vertical columns (months, weeks), in order. */
export function columnChart(o: {
  id: string;
  title: string;
  rows: readonly ChartRow[];
  unit: string;
  max?: number;
  format?: (v: number) => string;
}): SafeHtml {
  const rows = o.rows.slice(-60);
  const format = o.format ?? frNumber;
  const max = o.max ?? Math.max(1, ...rows.map((r) => r.value));
  const width = 720;
  const height = 220;
  const base = 190;
  const colW = rows.length === 0 ? 0 : (width - 20) / rows.length;
  const titleId = `${o.id}-titre-${++seq}`;
  const descId = `${o.id}-desc-${seq}`;
  const desc =
    rows.length === 0
      ? 'Aucune donnée sur la période.'
      : rows.map((r) => `${r.label} : ${format(r.value)}${o.unit ? ` ${o.unit}` : ''}`).join(' ; ');
  const every = Math.max(1, Math.ceil(rows.length / 12));
  return html`<svg class="maillage-chart" role="img" aria-labelledby="${titleId} ${descId}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
<title id="${titleId}">${o.title}</title><desc id="${descId}">${desc}</desc>
<line x1="10" y1="${base}" x2="${width - 10}" y2="${base}" stroke="#666"></line>
${rows.map((r, i) => {
  const h = Math.round((Math.min(r.value, max) / max) * (base - 20));
  const x = 10 + i * colW;
  return html`<g><rect x="${x + colW * 0.15}" y="${base - h}" width="${Math.max(colW * 0.7, 1)}" height="${h}" fill="#000091"></rect>
${i % every === 0 ? html`<text x="${x + colW / 2}" y="${base + 16}" text-anchor="middle" font-size="11" fill="#161616">${r.label}</text>` : null}</g>`;
})}
</svg>`;
}

/** The data table of a chart (DSFR), with a caption. */
export function dataTable(o: {
  caption: string;
  head: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<string | number>>;
  foot?: ReadonlyArray<string | number>;
}): SafeHtml {
  const cell = (v: string | number) => (typeof v === 'number' ? frNumber(v) : v);
  return html`<div class="fr-table"><table>
<caption>${o.caption}</caption>
<thead><tr>${o.head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${o.rows.length === 0 ? html`<tr><td colspan="${o.head.length}">Aucune donnée sur la période.</td></tr>` : o.rows.map((r) => html`<tr>${r.map((v, i) => (i === 0 ? html`<th scope="row">${cell(v)}</th>` : html`<td>${cell(v)}</td>`))}</tr>`)}</tbody>
${o.foot ? html`<tfoot><tr>${o.foot.map((v, i) => (i === 0 ? html`<th scope="row">${cell(v)}</th>` : html`<td>${cell(v)}</td>`))}</tr></tfoot>` : null}
</table></div>`;
}
