/**
 * Nearest site for many points: a static kd-tree over the sites (kdbush) searched on the
 * sphere (geokdbush). Inputs are typed arrays of longitudes and latitudes, as in mourner's
 * libraries; arguments are checked with precise errors.
 */

import { around } from 'geokdbush';
import KDBush from 'kdbush';
import { invalid } from '../shared/errors.js';

const EARTH_RADIUS_KM = 6371.0088;
const RAD = Math.PI / 180;
/** Kilometres per degree of latitude on the sphere of radius EARTH_RADIUS_KM. */
const KM_PER_DEG_LAT = (EARTH_RADIUS_KM * Math.PI) / 180;

/** Great-circle distance in km on raw coordinates (same formula and radius as shared/geo). */
export function haversineKm(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const dLat = (lat2 - lat1) * RAD;
  const dLon = (lon2 - lon1) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * RAD) * Math.cos(lat2 * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** A set of points as parallel typed arrays. */
export interface Points {
  readonly lon: Float64Array;
  readonly lat: Float64Array;
}

export function points(coords: ReadonlyArray<readonly [lon: number, lat: number]>): Points {
  const lon = new Float64Array(coords.length);
  const lat = new Float64Array(coords.length);
  coords.forEach(([x, y], i) => {
    lon[i] = x;
    lat[i] = y;
  });
  return checkPoints({ lon, lat }, 'points');
}

export function checkPoints(p: Points, name: string): Points {
  if (!(p?.lon instanceof Float64Array) || !(p?.lat instanceof Float64Array)) {
    throw invalid(name, `${name} : lon et lat doivent être des Float64Array.`);
  }
  if (p.lon.length !== p.lat.length) {
    throw invalid(name, `${name} : ${p.lon.length} longitudes pour ${p.lat.length} latitudes.`);
  }
  for (let i = 0; i < p.lon.length; i++) {
    const x = p.lon[i] as number;
    const y = p.lat[i] as number;
    if (!(x >= -180 && x <= 180))
      throw invalid(`${name}.lon[${i}]`, `${name} : longitude ${x} hors de [-180, 180].`);
    if (!(y >= -90 && y <= 90))
      throw invalid(`${name}.lat[${i}]`, `${name} : latitude ${y} hors de [-90, 90].`);
  }
  return p;
}

/** A spatial index over sites, built once. */
export class SiteIndex {
  readonly sites: Points;
  readonly size: number;
  private readonly tree: KDBush | null;

  constructor(sites: Points, nodeSize = 16) {
    checkPoints(sites, 'sites');
    if (!Number.isInteger(nodeSize) || nodeSize < 2 || nodeSize > 65535) {
      throw invalid('nodeSize', `nodeSize doit être un entier entre 2 et 65535 (reçu ${nodeSize}).`);
    }
    this.sites = sites;
    this.size = sites.lon.length;
    if (this.size === 0) {
      this.tree = null;
      return;
    }
    const tree = new KDBush(this.size, nodeSize, Float64Array);
    for (let i = 0; i < this.size; i++) tree.add(sites.lon[i] as number, sites.lat[i] as number);
    this.tree = tree.finish();
  }

  /**
   * Index of the nearest site, or -1 when there is none (or none within `maxKm`).
   * Fast path: a growing lon/lat box search (kdbush `range`) whose result is accepted only when
   * the box provably contains the great-circle disc of the best distance found; otherwise (large
   * radius, poles, antimeridian) the exact spherical search of geokdbush answers. `hintKm` (for
   * instance the previous neighbour's answer) sets the first box.
   */
  nearest(lon: number, lat: number, maxKm = Number.POSITIVE_INFINITY, hintKm = 5): number {
    const tree = this.tree;
    if (!tree) return -1;
    const s = this.sites;
    let rKm = Math.max(hintKm, 0.5);
    while (rKm < 1000 && rKm <= maxKm * 2) {
      const dLat = rKm / KM_PER_DEG_LAT;
      const maxAbsLat = Math.abs(lat) + dLat;
      if (maxAbsLat >= 89) break;
      const dLon = rKm / (KM_PER_DEG_LAT * Math.cos(maxAbsLat * RAD));
      if (lon - dLon < -180 || lon + dLon > 180) break;
      const ids = tree.range(lon - dLon, lat - dLat, lon + dLon, lat + dLat);
      let best = -1;
      let bestKm = Number.POSITIVE_INFINITY;
      for (const j of ids) {
        const d = haversineKm(lon, lat, s.lon[j] as number, s.lat[j] as number);
        if (d < bestKm || (d === bestKm && j < best)) {
          bestKm = d;
          best = j;
        }
      }
      // The box holds every point within rKm (a spherical rectangle contains its inscribed disc
      // when half-widths are taken at the highest latitude): a best inside that disc is exact.
      if (best >= 0 && bestKm <= rKm * 0.999) return bestKm <= maxKm ? best : -1;
      rKm *= best >= 0 ? Math.max(2, bestKm / rKm + 0.01) : 4;
    }
    const found = around(tree, lon, lat, 1, maxKm);
    return found.length ? (found[0] as number) : -1;
  }

  /** Indices of the `k` nearest sites, nearest first. */
  nearestK(lon: number, lat: number, k: number): number[] {
    if (!Number.isInteger(k) || k <= 0)
      throw invalid('k', `k doit être un entier strictement positif (reçu ${k}).`);
    if (!this.tree) return [];
    return around(this.tree, lon, lat, k);
  }

  /** Indices of every site within `km` (great circle), nearest first. */
  within(lon: number, lat: number, km: number): number[] {
    if (!(km >= 0)) throw invalid('km', `Le rayon doit être un nombre positif (reçu ${km}).`);
    if (!this.tree) return [];
    return around(this.tree, lon, lat, Number.POSITIVE_INFINITY, km);
  }
}

export interface NearestResult {
  /** For each point, the index of its nearest site (-1 when there are no sites). */
  readonly site: Int32Array;
  /** For each point, the great-circle distance to that site in km (Infinity when none). */
  readonly km: Float64Array;
}

/** Nearest site of every point, through the kd-tree. */
export function nearestAll(index: SiteIndex, pts: Points): NearestResult {
  checkPoints(pts, 'points');
  const n = pts.lon.length;
  const site = new Int32Array(n).fill(-1);
  const km = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  const s = index.sites;
  let hint = 5;
  for (let i = 0; i < n; i++) {
    const x = pts.lon[i] as number;
    const y = pts.lat[i] as number;
    const j = index.nearest(x, y, Number.POSITIVE_INFINITY, hint);
    if (j < 0) continue;
    site[i] = j;
    km[i] = haversineKm(x, y, s.lon[j] as number, s.lat[j] as number);
    // Points often come in geographic order (INSEE codes): the last answer is a good first box.
    hint = Math.min(Math.max((km[i] as number) * 1.2, 0.5), 50);
  }
  return { site, km };
}

/** The same answer by checking every pair: the baseline of the benchmark and the oracle of tests. */
export function nearestAllBruteForce(sites: Points, pts: Points): NearestResult {
  checkPoints(sites, 'sites');
  checkPoints(pts, 'points');
  const n = pts.lon.length;
  const m = sites.lon.length;
  const site = new Int32Array(n).fill(-1);
  const km = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    const x = pts.lon[i] as number;
    const y = pts.lat[i] as number;
    let best = Number.POSITIVE_INFINITY;
    let bestJ = -1;
    for (let j = 0; j < m; j++) {
      const d = haversineKm(x, y, sites.lon[j] as number, sites.lat[j] as number);
      if (d < best) {
        best = d;
        bestJ = j;
      }
    }
    site[i] = bestJ;
    km[i] = best;
  }
  return { site, km };
}
