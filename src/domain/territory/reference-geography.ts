/**
 * The reference geography joined once: current communes ("cities") with their canton, density
 * class, ZRR status and EPCI, and the demand units (communes, with Paris, Lyon and Marseille
 * replaced by their arrondissements so that their population is not one single point).
 */
import { invalid } from '../shared/errors.js';
import type { CantonOutlines } from './canton-outlines.js';
import { type DecoupageEpci, type DecoupageNamed, epciMembership } from './decoupage.js';
import type {
  Canton,
  CantonType,
  CommuneCanton,
  CommuneCentroid,
  CommuneZone,
  Densite,
  DensiteGrille7,
  Qpv,
  Zrr,
} from './reference-files.js';
import { FALLBACK_CLASS } from './travel-time.js';
export interface City {
  readonly index: number;
  readonly code: string;
  /** The commune's name (`nom` in the reference file). */
  readonly name: string;
  readonly departement: string;
  readonly region: string;
  readonly zone: CommuneZone;
  readonly population: number;
  readonly lon: number;
  readonly lat: number;
  readonly canton: string | null;
  readonly cantonType: CantonType | null;
  /** 7-level density class; FALLBACK_CLASS when the grid does not cover the commune (COM). */
  readonly grille7: DensiteGrille7;
  readonly densiteKnown: boolean;
  readonly rural: boolean;
  readonly zrr: boolean;
  readonly epci: string | null;
}

export interface ReferenceInput {
  readonly communes: readonly CommuneCentroid[];
  readonly communeCantons: readonly CommuneCanton[];
  readonly cantons: readonly Canton[];
  readonly densite: readonly Densite[];
  readonly zrr: readonly Zrr[];
  readonly qpv: readonly Qpv[];
  readonly epcis?: readonly DecoupageEpci[];
  readonly regions?: readonly DecoupageNamed[];
  readonly departements?: readonly DecoupageNamed[];
  /** Old, delegated or arrondissement code → current commune (see decoupage.ts). */
  readonly resolveCode?: (code: string) => string | null;
  /** Outlines of the true cantons: place structures of communes split between cantons. */
  readonly cantonOutlines?: CantonOutlines | null;
}

export interface DemandUnits {
  readonly n: number;
  readonly code: readonly string[];
  readonly name: readonly string[];
  /** The city each unit belongs to (index into `cities`). */
  readonly city: Int32Array;
  readonly lon: Float64Array;
  readonly lat: Float64Array;
  readonly population: Float64Array;
  readonly grille7: Uint8Array;
}

export class ReferenceGeography {
  readonly cities: readonly City[];
  readonly demand: DemandUnits;
  readonly cantons: ReadonlyMap<string, Canton>;
  /** Null without cantons-2025.geojson: split communes then fall back to the bureau centralisateur. */
  readonly cantonOutlines: CantonOutlines | null;
  /** Canton code → indices of the cities wholly in it (communes-cantons.csv). */
  readonly citiesOfCanton: ReadonlyMap<string, readonly number[]>;
  readonly qpv: readonly Qpv[];
  readonly regionNames: ReadonlyMap<string, string>;
  readonly departementNames: ReadonlyMap<string, string>;
  readonly epciNames: ReadonlyMap<string, string>;
  private readonly byCode: ReadonlyMap<string, number>;
  private readonly resolveCode: ((code: string) => string | null) | undefined;

  constructor(input: ReferenceInput) {
    if (input.communes.length === 0) throw invalid('communes', 'Le référentiel des communes est vide.');
    const cantonOf = new Map(input.communeCantons.map((c) => [c.code, c]));
    const densite = new Map(input.densite.map((d) => [d.code, d]));
    const zrr = new Map(input.zrr.map((z) => [z.code, z]));
    const { epciOf, names } = epciMembership(input.epcis ?? []);
    const cities: City[] = [];
    const byCode = new Map<string, number>();
    for (const c of input.communes) {
      if (c.zone === 'arrondissement-municipal') continue;
      const cc = cantonOf.get(c.code);
      const d = densite.get(c.code);
      const city: City = {
        index: cities.length,
        code: c.code,
        name: c.nom,
        departement: c.departement,
        region: c.region,
        zone: c.zone,
        population: c.population,
        lon: c.lon,
        lat: c.lat,
        canton: cc?.canton ?? null,
        cantonType: cc?.cantonType ?? null,
        grille7: d?.grille7 ?? FALLBACK_CLASS,
        densiteKnown: d !== undefined,
        rural: d?.rural ?? false,
        zrr: zrr.get(c.code)?.zrr ?? false,
        epci: epciOf.get(c.code) ?? null,
      };
      byCode.set(c.code, cities.length);
      cities.push(city);
    }
    // Demand units: every city, except that a city with arrondissements is replaced by them.
    const arrondissements = input.communes.filter((c) => c.zone === 'arrondissement-municipal');
    const withArr = new Set(arrondissements.map((a) => a.parent));
    const units: Array<{ code: string; name: string; city: number; lon: number; lat: number; pop: number }> =
      [];
    for (const city of cities) {
      if (!withArr.has(city.code)) {
        units.push({
          code: city.code,
          name: city.name,
          city: city.index,
          lon: city.lon,
          lat: city.lat,
          pop: city.population,
        });
      }
    }
    for (const a of arrondissements) {
      const parent = byCode.get(a.parent as string);
      if (parent === undefined)
        throw invalid('commune_parente', `Arrondissement ${a.code} : commune ${a.parent} inconnue.`);
      units.push({ code: a.code, name: a.nom, city: parent, lon: a.lon, lat: a.lat, pop: a.population });
    }
    const n = units.length;
    const demand = {
      n,
      code: units.map((u) => u.code),
      name: units.map((u) => u.name),
      city: Int32Array.from(units, (u) => u.city),
      lon: Float64Array.from(units, (u) => u.lon),
      lat: Float64Array.from(units, (u) => u.lat),
      population: Float64Array.from(units, (u) => u.pop),
      grille7: Uint8Array.from(units, (u) => (cities[u.city] as City).grille7),
    };
    const citiesOfCanton = new Map<string, number[]>();
    for (const city of cities) {
      if (!city.canton) continue;
      const list = citiesOfCanton.get(city.canton) ?? [];
      list.push(city.index);
      citiesOfCanton.set(city.canton, list);
    }
    const arrCodes = new Map(arrondissements.map((a) => [a.code, a.parent as string]));
    this.cities = cities;
    this.demand = demand;
    this.byCode = byCode;
    this.cantons = new Map(input.cantons.map((c) => [c.code, c]));
    this.cantonOutlines = input.cantonOutlines ?? null;
    this.citiesOfCanton = citiesOfCanton;
    this.qpv = input.qpv;
    this.regionNames = new Map((input.regions ?? []).map((r) => [r.code, r.nom]));
    this.departementNames = new Map((input.departements ?? []).map((d) => [d.code, d.nom]));
    this.epciNames = names;
    const external = input.resolveCode;
    this.resolveCode = (code) => {
      const v = code.trim().toUpperCase();
      if (byCode.has(v)) return v;
      const parent = arrCodes.get(v);
      if (parent) return parent;
      return external ? external(v) : null;
    };
  }

  /** Index of the current commune for any code (old code, arrondissement…), or -1. */
  cityIndex(code: string): number {
    const resolved = this.resolveCode?.(code);
    if (!resolved) return -1;
    return this.byCode.get(resolved) ?? -1;
  }

  city(code: string): City | undefined {
    const i = this.cityIndex(code);
    return i < 0 ? undefined : this.cities[i];
  }
}
