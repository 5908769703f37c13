/**
 * Server-rendered SVG for the territory pages: a choropleth of department outlines with points,
 * and the deployment timeline. Rendered on the server so that they show without JavaScript; each
 * shape has a <title>, and every figure has a data table next to it.
 */
import type { DepartementOutline, DeploymentTimeline } from '../../../domain/territory/index.js';
import { html, raw, type SafeHtml } from '../../html.js';

type Ring = number[][];
type Geometry = DepartementOutline['geometry'];

const polygonsOf = (g: Geometry): Ring[][] =>
  g.type === 'Polygon' ? [g.coordinates as Ring[]] : (g.coordinates as Ring[][]);

interface Box {
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

function bbox(geoms: readonly Geometry[], points: ReadonlyArray<{ lon: number; lat: number }> = []): Box {
  const b = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  const add = (x: number, y: number) => {
    if (x < b.minX) b.minX = x;
    if (x > b.maxX) b.maxX = x;
    if (y < b.minY) b.minY = y;
    if (y > b.maxY) b.maxY = y;
  };
  for (const g of geoms)
    for (const poly of polygonsOf(g))
      for (const ring of poly) for (const p of ring) add(p[0] as number, p[1] as number);
  for (const p of points) add(p.lon, p.lat);
  return b;
}

/** Equirectangular projection at the box's mid-latitude, fitted to width × height. */
function projector(b: Box, width: number, height: number, pad = 6) {
  const k = Math.cos((((b.minY + b.maxY) / 2) * Math.PI) / 180);
  const w = Math.max((b.maxX - b.minX) * k, 1e-6);
  const h = Math.max(b.maxY - b.minY, 1e-6);
  const s = Math.min((width - 2 * pad) / w, (height - 2 * pad) / h);
  const ox = pad + (width - 2 * pad - w * s) / 2;
  const oy = pad + (height - 2 * pad - h * s) / 2;
  return (lon: number, lat: number): [number, number] => [
    ox + (lon - b.minX) * k * s,
    oy + (b.maxY - lat) * s,
  ];
}

/** SVG path data, dropping points closer than half a pixel to the previous one. */
function pathOf(g: Geometry, project: (lon: number, lat: number) => [number, number]): string {
  let d = '';
  for (const poly of polygonsOf(g)) {
    for (const ring of poly) {
      let lastX = Infinity;
      let lastY = Infinity;
      let n = 0;
      for (const p of ring) {
        const [x, y] = project(p[0] as number, p[1] as number);
        if (Math.abs(x - lastX) < 1.5 && Math.abs(y - lastY) < 1.5) continue;
        d += `${n === 0 ? 'M' : 'L'}${x.toFixed(1)} ${y.toFixed(1)}`;
        lastX = x;
        lastY = y;
        n++;
      }
      if (n) d += 'Z';
    }
  }
  return d;
}

/** Five classes, light to dark blue (DSFR "bleu France" tints), for a share in [0, 1]. */
export const SCALE = ['#f5f5fe', '#cacafb', '#8585f6', '#4a4ae4', '#000091'] as const;
export const classOf = (share: number, breaks: readonly number[]) => {
  let c = 0;
  for (const b of breaks) if (share >= b) c++;
  return Math.min(c, SCALE.length - 1);
};

export interface ChoroplethArea {
  code: string;
  label: string;
  value: number | null;
  href?: string;
  geometry: Geometry;
}

export interface MapPoint {
  lon: number;
  lat: number;
  label: string;
  kind: 'structure' | 'covered' | 'uncovered' | 'proposed';
}

const POINT_STYLE: Record<MapPoint['kind'], { r: number; fill: string; stroke: string }> = {
  structure: { r: 3.5, fill: '#e1000f', stroke: '#ffffff' },
  covered: { r: 1.6, fill: '#18753c', stroke: 'none' },
  uncovered: { r: 2.2, fill: '#b34000', stroke: 'none' },
  proposed: { r: 6, fill: '#ffca00', stroke: '#000000' },
};

export function choropleth(o: {
  title: string;
  areas: readonly ChoroplethArea[];
  points?: readonly MapPoint[];
  breaks: readonly number[];
  format: (v: number) => string;
  width?: number;
  height?: number;
}): SafeHtml {
  const width = o.width ?? 640;
  const height = o.height ?? 560;
  // Far-away areas (DROM seen from the nation) would shrink the map: they are drawn as insets.
  const main = o.areas.filter((a) => !a.code.startsWith('97'));
  const insets = o.areas.filter((a) => a.code.startsWith('97'));
  const mainAreas = main.length ? main : o.areas;
  const insetAreas = main.length ? insets : [];
  const insetH = insetAreas.length ? 90 : 0;
  const b = bbox(
    mainAreas.map((a) => a.geometry),
    (o.points ?? []).filter((p) => !insetAreas.length || p.lon > -10),
  );
  const project = projector(b, width, height - insetH);
  // With commune points on top (department, canton), the outline stays light so the points read.
  const withPoints = (o.points ?? []).length > 0;
  const shape = (a: ChoroplethArea, p: (lon: number, lat: number) => [number, number]) => {
    const fill = withPoints ? '#f6f6f6' : a.value === null ? '#eeeeee' : SCALE[classOf(a.value, o.breaks)];
    const title = `${a.label} : ${a.value === null ? 'sans donnée' : o.format(a.value)}`;
    const path = html`<path d="${pathOf(a.geometry, p)}" fill="${fill}" stroke="#3a3a3a" stroke-width="0.6"><title>${title}</title></path>`;
    return a.href ? html`<a href="${a.href}" aria-label="${title}">${path}</a>` : path;
  };
  const insetW = insetAreas.length ? Math.floor(width / insetAreas.length) : 0;
  const insetSvg = insetAreas.map((a, i) => {
    const p = projector(bbox([a.geometry]), insetW - 8, insetH - 18);
    return html`<g transform="translate(${i * insetW + 4},${height - insetH + 14})"><rect width="${insetW - 8}" height="${insetH - 18}" fill="none" stroke="#dddddd"></rect>${shape(a, p)}<text x="2" y="-3" font-size="10">${a.label}</text></g>`;
  });
  const dots = (o.points ?? []).map((pt) => {
    const st = POINT_STYLE[pt.kind];
    const [x, y] = project(pt.lon, pt.lat);
    if (x < 0 || y < 0 || x > width || y > height - insetH) return null;
    return html`<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${st.r}" fill="${st.fill}" stroke="${st.stroke}" stroke-width="1"><title>${pt.label}</title></circle>`;
  });
  // A map whose departments are links is a group of links, not an image (no interactive content
  // inside role="img").
  const role = o.areas.some((a) => a.href) ? 'group' : 'img';
  return html`<svg class="maillage-choropleth" viewBox="0 0 ${width} ${height}" role="${role}" aria-labelledby="carte-titre" xmlns="http://www.w3.org/2000/svg">
<title id="carte-titre">${o.title}</title>
${mainAreas.map((a) => shape(a, project))}
${insetSvg}
${dots}
</svg>`;
}

export function legend(
  breaks: readonly number[],
  format: (v: number) => string,
  points?: readonly MapPoint['kind'][],
  scale = true,
): SafeHtml {
  const labels = SCALE.map((_, i) => {
    const lo = i === 0 ? null : breaks[i - 1];
    const hi = breaks[i];
    if (lo === null || lo === undefined) return `moins de ${format(hi as number)}`;
    if (hi === undefined) return `${format(lo)} et plus`;
    return `${format(lo)} à ${format(hi)}`;
  });
  const pointLabels: Record<MapPoint['kind'], string> = {
    structure: 'France Services',
    covered: 'commune à moins de 20 min',
    uncovered: 'commune à plus de 20 min',
    proposed: 'site proposé',
  };
  return html`<ul class="maillage-legend">
${(scale ? SCALE : []).map((c, i) => html`<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" fill="${c}" stroke="#3a3a3a"></rect></svg> ${labels[i]}</li>`)}
${(points ?? []).map((k) => html`<li><svg width="14" height="14" aria-hidden="true"><circle cx="7" cy="7" r="${Math.min(POINT_STYLE[k].r, 6)}" fill="${POINT_STYLE[k].fill}" stroke="${POINT_STYLE[k].stroke}"></circle></svg> ${pointLabels[k]}</li>`)}
</ul>`;
}

/** Cumulative structures by labellisation month, with the goal lines. */
export function timelineChart(t: DeploymentTimeline, width = 640, height = 260): SafeHtml {
  const months = t.months;
  if (months.length === 0) return html`<p>Aucune date de labellisation connue.</p>`;
  const goals = [
    ...(t.goals.national
      ? [
          {
            label: `Objectif ${t.goals.national.count.toLocaleString('fr-FR')} fin 2022`,
            value: t.goals.national.count,
          },
        ]
      : []),
    {
      label: `Un par canton (${t.goals.onePerCanton.count.toLocaleString('fr-FR')})`,
      value: t.goals.onePerCanton.count,
    },
  ];
  const maxY = Math.max(...months.map((m) => m.cumulative), ...goals.map((g) => g.value)) * 1.08;
  const left = 48;
  const bottom = 24;
  const first = months[0]?.month as string;
  const last = months[months.length - 1]?.month as string;
  const idx = (m: string) => Number(m.slice(0, 4)) * 12 + Number(m.slice(5, 7)) - 1;
  const span = Math.max(1, idx(last) - idx(first));
  const x = (m: string) => left + ((idx(m) - idx(first)) / span) * (width - left - 10);
  const y = (v: number) => height - bottom - (v / maxY) * (height - bottom - 10);
  let d = '';
  let prev = 0;
  for (const m of months) {
    d += `${d ? 'L' : 'M'}${x(m.month).toFixed(1)} ${y(prev).toFixed(1)}L${x(m.month).toFixed(1)} ${y(m.cumulative).toFixed(1)}`;
    prev = m.cumulative;
  }
  const years: number[] = [];
  for (let yr = Number(first.slice(0, 4)); yr <= Number(last.slice(0, 4)); yr++) years.push(yr);
  return html`<svg class="maillage-timeline" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="chrono-titre" xmlns="http://www.w3.org/2000/svg" data-months="${JSON.stringify(months.map((m) => [m.month, m.cumulative]))}">
<title id="chrono-titre">Structures labellisées, en cumul, de ${first} à ${last} : ${months[months.length - 1]?.cumulative ?? 0} au total</title>
<line x1="${left}" y1="${height - bottom}" x2="${width - 10}" y2="${height - bottom}" stroke="#666"></line>
${years.map((yr) => {
  const m = `${yr}-01`;
  if (idx(m) < idx(first)) return null;
  return html`<g><line x1="${x(m).toFixed(1)}" y1="${height - bottom}" x2="${x(m).toFixed(1)}" y2="${height - bottom + 4}" stroke="#666"></line><text x="${x(m).toFixed(1)}" y="${height - 6}" font-size="11" text-anchor="middle">${yr}</text></g>`;
})}
${goals.map((g) => html`<g><line x1="${left}" y1="${y(g.value).toFixed(1)}" x2="${width - 10}" y2="${y(g.value).toFixed(1)}" stroke="#b34000" stroke-dasharray="4 3"></line><text x="${left + 4}" y="${(y(g.value) - 4).toFixed(1)}" font-size="11" fill="#b34000">${g.label}</text></g>`)}
<text x="${left - 6}" y="${y(0).toFixed(1)}" font-size="11" text-anchor="end">0</text>
<text x="${left - 6}" y="${(y(maxY / 1.08) + 4).toFixed(1)}" font-size="11" text-anchor="end">${Math.round(maxY / 1.08).toLocaleString('fr-FR')}</text>
<path d="${d}" fill="none" stroke="#000091" stroke-width="2"></path>
${raw('<g class="maillage-timeline__cursor" aria-hidden="true"></g>')}
</svg>`;
}
