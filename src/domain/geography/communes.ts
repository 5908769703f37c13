import type { LatLng } from '../shared/geo.js';

/** A commune record as @etalab/decoupage-administratif publishes it (the fields we read). */
export interface CommuneRecord {
  readonly code: string;
  readonly nom: string;
  readonly type: 'commune-actuelle' | 'commune-deleguee' | 'commune-associee' | 'arrondissement-municipal';
  readonly departement?: string;
  readonly region?: string;
  readonly codesPostaux?: readonly string[];
  readonly population?: number;
  readonly anciensCodes?: readonly string[];
  /** For a commune déléguée or associée: the current commune. */
  readonly chefLieu?: string;
  /** For an arrondissement municipal: its city. */
  readonly commune?: string;
}

export interface Commune {
  readonly code: string;
  readonly name: string;
  readonly departement: string;
  readonly region: string;
  readonly postalCodes: readonly string[];
  readonly population: number;
  readonly epci: string | null;
  /** From the reference folder's centroids; null when that folder is absent. */
  readonly centroid: LatLng | null;
  /** Arrondissements municipaux are searchable places, with their city as parent. */
  readonly parent: string | null;
}

/** Lowercase, no accents, apostrophes and hyphens as spaces, "st" spelt "saint": how people type names. */
export function normalizePlaceName(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase()
    .replace(/œ/g, 'oe')
    .replace(/æ/g, 'ae')
    .replace(/[-'’_.,/()]/g, ' ')
    .replace(/\bste\b/g, 'sainte')
    .replace(/\bst\b/g, 'saint')
    .replace(/\s+/g, ' ')
    .trim();
}

export interface CommuneRegistryInput {
  readonly records: readonly CommuneRecord[];
  /** EPCI SIREN → member commune codes. */
  readonly epciMembers?: ReadonlyMap<string, readonly string[]>;
  /** Commune code → centroid (communes-centroids.csv). */
  readonly centroids?: ReadonlyMap<string, LatLng> | null;
}

/**
 * The current communes, with old codes, communes déléguées and arrondissements resolved to them.
 * Built once at start; lookups are map reads.
 */
export class CommuneRegistry {
  readonly #byCode = new Map<string, Commune>();
  /** Old, delegated, associated codes → current code. */
  readonly #aliases = new Map<string, string>();
  readonly #byPostalCode = new Map<string, Commune[]>();
  readonly #byName = new Map<string, Commune[]>();
  readonly #names: Array<[string, Commune]> = [];
  readonly hasCentroids: boolean;

  constructor(input: CommuneRegistryInput) {
    const epciOf = new Map<string, string>();
    for (const [siren, members] of input.epciMembers ?? []) for (const m of members) epciOf.set(m, siren);
    const centroids = input.centroids ?? null;
    this.hasCentroids = centroids !== null && centroids.size > 0;

    for (const r of input.records) {
      if (r.type === 'commune-actuelle' || r.type === 'arrondissement-municipal') {
        const commune: Commune = {
          code: r.code,
          name: r.nom,
          departement: r.departement ?? '',
          region: r.region ?? '',
          postalCodes: r.codesPostaux ?? [],
          population: r.population ?? 0,
          epci: epciOf.get(r.type === 'arrondissement-municipal' && r.commune ? r.commune : r.code) ?? null,
          centroid: centroids?.get(r.code) ?? null,
          parent: r.type === 'arrondissement-municipal' ? (r.commune ?? null) : null,
        };
        this.#byCode.set(r.code, commune);
        for (const old of r.anciensCodes ?? []) if (!this.#aliases.has(old)) this.#aliases.set(old, r.code);
      }
    }
    for (const r of input.records) {
      if (
        (r.type === 'commune-deleguee' || r.type === 'commune-associee') &&
        r.chefLieu &&
        !this.#byCode.has(r.code)
      ) {
        this.#aliases.set(r.code, r.chefLieu);
      }
    }
    for (const c of this.#byCode.values()) {
      for (const cp of c.postalCodes) push(this.#byPostalCode, cp, c);
      const key = normalizePlaceName(c.name);
      push(this.#byName, key, c);
      this.#names.push([key, c]);
    }
    for (const list of [...this.#byPostalCode.values(), ...this.#byName.values()]) {
      list.sort((a, b) => b.population - a.population);
    }
  }

  get size(): number {
    return this.#byCode.size;
  }

  /** The current commune for a code: current, old (anciensCodes), délégué/associé, or arrondissement. */
  resolve(code: string): Commune | null {
    const direct = this.#byCode.get(code);
    if (direct) return direct;
    const alias = this.#aliases.get(code);
    return alias ? (this.#byCode.get(alias) ?? null) : null;
  }

  byPostalCode(postalCode: string): readonly Commune[] {
    return this.#byPostalCode.get(postalCode) ?? [];
  }

  /**
   * Communes by name, accent- and case-insensitive: exact matches first, then names starting with
   * the text, most populated first. Arrondissements come after their city.
   */
  searchByName(text: string, limit = 10): Commune[] {
    const key = normalizePlaceName(text);
    if (key.length < 2) return [];
    const exact = this.#byName.get(key) ?? [];
    if (exact.length >= limit) return exact.slice(0, limit);
    const seen = new Set(exact.map((c) => c.code));
    const prefixed: Commune[] = [];
    for (const [name, c] of this.#names) {
      if (!seen.has(c.code) && name.startsWith(key)) prefixed.push(c);
    }
    prefixed.sort((a, b) => (a.parent ? 1 : 0) - (b.parent ? 1 : 0) || b.population - a.population);
    return [...exact, ...prefixed].slice(0, limit);
  }

  all(): IterableIterator<Commune> {
    return this.#byCode.values();
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
