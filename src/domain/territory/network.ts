/**
 * The network of structures placed on the reference geography: each structure resolved to its
 * current commune (old codes and arrondissements mapped), located where it stands (its own
 * coordinates, or its commune's centroid when it has none), and the nearest structure of every
 * demand unit.
 */
import { isInFrance } from '../shared/geo.js';
import { nearestAll, SiteIndex } from './nearest.js';
import type { City, ReferenceGeography } from './reference-geography.js';

export type SiteKind = 'fixed' | 'antenne' | 'mobile';

/** A structure as the territory capability needs it. */
export interface StructureSite {
  readonly id: string;
  readonly name: string;
  /** The commune code as published (may be old, delegated, or an arrondissement). */
  readonly codeInsee: string;
  readonly lat: number | null;
  readonly lon: number | null;
  readonly kind: SiteKind;
  /** YYYY-MM-DD */
  readonly labelledOn: string | null;
}

/**
 * Format wins over type: a bus or an itinerant service is mobile (counted at its home address
 * until stops exist); otherwise an `Antenne` is an antenne; everything else is fixed.
 */
export function siteKind(type: string, format: string): SiteKind {
  const f = format.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
  if (f.startsWith('bus') || f.startsWith('itinerant')) return 'mobile';
  if (type.toLowerCase().startsWith('antenne')) return 'antenne';
  return 'fixed';
}

export interface PlacedSite {
  readonly site: StructureSite;
  readonly city: City;
  readonly lon: number;
  readonly lat: number;
}

export class Network {
  readonly ref: ReferenceGeography;
  readonly placed: readonly PlacedSite[];
  /** Structures whose commune code matches no current commune (reported, not counted). */
  readonly unresolved: readonly StructureSite[];
  readonly index: SiteIndex;
  /** Per demand unit: index into `placed` of its nearest structure, and the distance in km. */
  readonly nearestSite: Int32Array;
  readonly nearestKm: Float64Array;
  /** Cities that host at least one structure. */
  readonly hostCities: ReadonlySet<number>;

  constructor(ref: ReferenceGeography, sites: readonly StructureSite[]) {
    const placed: PlacedSite[] = [];
    const unresolved: StructureSite[] = [];
    for (const site of sites) {
      const ci = ref.cityIndex(site.codeInsee);
      if (ci < 0) {
        unresolved.push(site);
        continue;
      }
      const city = ref.cities[ci] as City;
      const own =
        site.lat !== null &&
        site.lon !== null &&
        Number.isFinite(site.lat) &&
        Number.isFinite(site.lon) &&
        isInFrance({ lat: site.lat, lon: site.lon });
      placed.push({
        site,
        city,
        lon: own ? (site.lon as number) : city.lon,
        lat: own ? (site.lat as number) : city.lat,
      });
    }
    this.ref = ref;
    this.placed = placed;
    this.unresolved = unresolved;
    this.index = new SiteIndex({
      lon: Float64Array.from(placed, (p) => p.lon),
      lat: Float64Array.from(placed, (p) => p.lat),
    });
    const near = nearestAll(this.index, { lon: ref.demand.lon, lat: ref.demand.lat });
    this.nearestSite = near.site;
    this.nearestKm = near.km;
    this.hostCities = new Set(placed.map((p) => p.city.index));
  }

  /** A new network with one change applied (what-if). */
  with(change: { add?: readonly StructureSite[]; removeIds?: readonly string[] }): Network {
    const remove = new Set(change.removeIds ?? []);
    const kept = this.placed
      .map((p) => p.site)
      .concat(this.unresolved)
      .filter((s) => !remove.has(s.id));
    return new Network(this.ref, kept.concat(change.add ?? []));
  }
}
