/**
 * Canton outlines, to place a structure that sits in a commune split between several cantons
 * (pseudo-canton V, canton fictif N), for which the COG gives no canton. Pure: GeoJSON text in,
 * point-in-polygon out (even-odd ray casting, holes included), with a bounding-box prefilter.
 */
import { DomainError, type RowIssue } from '../shared/errors.js';

type Ring = ReadonlyArray<readonly [number, number]>;
/** A polygon: its outer ring then its holes, [lon, lat] pairs. */
type Polygon = readonly Ring[];

export interface CantonShape {
  readonly code: string;
  readonly departement: string;
  readonly polygons: readonly Polygon[];
  /** [minLon, minLat, maxLon, maxLat] */
  readonly bbox: readonly [number, number, number, number];
}

/** Even-odd rule on one ring: the ray goes east from the point. */
function inRing(ring: Ring, lon: number, lat: number): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i] as readonly [number, number];
    const [xj, yj] = ring[j] as readonly [number, number];
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Inside the outer ring and outside every hole. */
export function pointInPolygon(polygon: Polygon, lon: number, lat: number): boolean {
  const [outer, ...holes] = polygon;
  if (!outer || !inRing(outer, lon, lat)) return false;
  return !holes.some((h) => inRing(h, lon, lat));
}

/** Squared distance (in km², local flat projection) from a point to a segment. */
function segmentDistance2(lon: number, lat: number, a: readonly number[], b: readonly number[]): number {
  const k = Math.cos((lat * Math.PI) / 180) * 111.32;
  const ax = ((a[0] as number) - lon) * k;
  const ay = ((a[1] as number) - lat) * 110.57;
  const bx = ((b[0] as number) - lon) * k;
  const by = ((b[1] as number) - lat) * 110.57;
  const dx = bx - ax;
  const dy = by - ay;
  const len2 = dx * dx + dy * dy;
  const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, -(ax * dx + ay * dy) / len2));
  const x = ax + t * dx;
  const y = ay + t * dy;
  return x * x + y * y;
}

function distanceKm(shape: CantonShape, lon: number, lat: number): number {
  let best = Number.POSITIVE_INFINITY;
  for (const polygon of shape.polygons)
    for (const ring of polygon)
      for (let i = 1; i < ring.length; i++)
        best = Math.min(
          best,
          segmentDistance2(lon, lat, ring[i - 1] as readonly number[], ring[i] as readonly number[]),
        );
  return Math.sqrt(best);
}

/** A point just outside every outline (coast, border) goes to the nearest canton within this distance. */
export const NEAREST_OUTLINE_KM = 2;

export class CantonOutlines {
  private readonly byDepartement = new Map<string, CantonShape[]>();

  constructor(readonly shapes: readonly CantonShape[]) {
    for (const s of shapes) {
      const list = this.byDepartement.get(s.departement) ?? [];
      list.push(s);
      this.byDepartement.set(s.departement, list);
    }
  }

  get size(): number {
    return this.shapes.length;
  }

  /**
   * The canton of `departement` whose outline holds the point; else the nearest outline within
   * NEAREST_OUTLINE_KM (simplified coasts); else null.
   */
  locate(departement: string, lon: number, lat: number): string | null {
    if (!Number.isFinite(lon) || !Number.isFinite(lat)) return null;
    const shapes = this.byDepartement.get(departement) ?? [];
    for (const s of shapes) {
      const [x0, y0, x1, y1] = s.bbox;
      if (lon < x0 || lon > x1 || lat < y0 || lat > y1) continue;
      if (s.polygons.some((p) => pointInPolygon(p, lon, lat))) return s.code;
    }
    let best: { code: string; km: number } | null = null;
    for (const s of shapes) {
      const km = distanceKm(s, lon, lat);
      if (km <= NEAREST_OUTLINE_KM && (!best || km < best.km)) best = { code: s.code, km };
    }
    return best?.code ?? null;
  }
}

const CANTON_CODE = /^(?:\d{2}|2[AB])\d{2}$|^97\d{3}$/;
const isPosition = (p: unknown): p is [number, number] =>
  Array.isArray(p) &&
  p.length >= 2 &&
  Number.isFinite(p[0]) &&
  Number.isFinite(p[1]) &&
  Math.abs(p[0] as number) <= 180 &&
  Math.abs(p[1] as number) <= 90;

/** Largest outline accepted, in vertices per canton: bounds the work of one lookup. */
const MAX_VERTICES = 200_000;

function readPolygon(raw: unknown): Polygon | null {
  if (!Array.isArray(raw) || raw.length === 0) return null;
  const rings: Ring[] = [];
  for (const ring of raw) {
    if (!Array.isArray(ring) || ring.length < 4 || !ring.every(isPosition)) return null;
    rings.push(ring.map((p) => [p[0], p[1]] as const));
  }
  return rings;
}

/**
 * cantons-2025.geojson (../shared/data/README.md): one Feature per true canton, properties
 * `canton_code`, `departement`. A bad feature is reported with its position and left out; a file
 * that is not a FeatureCollection is refused.
 */
export function parseCantonOutlines(text: string): { outlines: CantonOutlines; issues: RowIssue[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new DomainError('invalid', 'cantons-2025.geojson : ce n’est pas du JSON lisible.', 'en-tête');
  }
  const features = (doc as { features?: unknown })?.features;
  if ((doc as { type?: unknown })?.type !== 'FeatureCollection' || !Array.isArray(features)) {
    throw new DomainError('invalid', 'cantons-2025.geojson : une FeatureCollection est attendue.', 'en-tête');
  }
  const shapes: CantonShape[] = [];
  const issues: RowIssue[] = [];
  features.forEach((f: unknown, i: number) => {
    const line = i + 1;
    const props = (f as { properties?: Record<string, unknown> })?.properties ?? {};
    const code = String(props.canton_code ?? '').toUpperCase();
    const departement = String(props.departement ?? '').toUpperCase();
    if (!CANTON_CODE.test(code) || !code.startsWith(departement) || departement.length < 2) {
      issues.push({ line, field: 'canton_code', message: `Code de canton invalide : « ${code} ».` });
      return;
    }
    const g = (f as { geometry?: { type?: unknown; coordinates?: unknown } })?.geometry;
    const raw = g?.type === 'Polygon' ? [g.coordinates] : g?.type === 'MultiPolygon' ? g.coordinates : null;
    const polygons = Array.isArray(raw) ? raw.map(readPolygon) : [null];
    if (polygons.length === 0 || polygons.some((p) => p === null)) {
      issues.push({ line, field: 'geometry', message: `Contour illisible pour le canton ${code}.` });
      return;
    }
    const valid = polygons as Polygon[];
    const points = valid.flat(2);
    if (points.length > MAX_VERTICES) {
      issues.push({ line, field: 'geometry', message: `Contour trop détaillé pour le canton ${code}.` });
      return;
    }
    let [x0, y0, x1, y1] = [180, 90, -180, -90];
    for (const [x, y] of points) {
      x0 = Math.min(x0, x);
      y0 = Math.min(y0, y);
      x1 = Math.max(x1, x);
      y1 = Math.max(y1, y);
    }
    shapes.push({ code, departement, polygons: valid, bbox: [x0, y0, x1, y1] });
  });
  return { outlines: new CantonOutlines(shapes), issues };
}
