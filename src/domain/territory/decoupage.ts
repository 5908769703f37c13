/**
 * What we take from `@etalab/decoupage-administratif` (the caller reads its data/*.json and
 * passes the arrays in): EPCI membership, names, and the mapping of old or subsidiary commune
 * codes to current communes.
 */

export interface DecoupageCommune {
  readonly code: string;
  readonly nom: string;
  readonly type:
    | 'commune-actuelle'
    | 'commune-deleguee'
    | 'commune-associee'
    | 'arrondissement-municipal'
    | string;
  readonly chefLieu?: string;
  readonly commune?: string;
  readonly anciensCodes?: readonly string[];
}

export interface DecoupageEpci {
  readonly code: string;
  readonly nom: string;
  readonly membres: ReadonlyArray<{ readonly code: string }>;
}

export interface DecoupageNamed {
  readonly code: string;
  readonly nom: string;
}

/**
 * Maps any commune code found in the wild to the current commune (the 2026 COG):
 * - a current commune maps to itself;
 * - an arrondissement municipal (75101, 69381, 13201…) maps to its city;
 * - a commune déléguée or associée maps to its chef-lieu;
 * - an old code listed in a current commune's `anciensCodes` maps to that commune.
 * Unknown codes map to null. Mapping is followed to a fixed point (a chef-lieu may itself have
 * been renumbered).
 */
export function communeCodeResolver(communes: readonly DecoupageCommune[]): (code: string) => string | null {
  const current = new Set<string>();
  const to = new Map<string, string>();
  for (const c of communes) if (c.type === 'commune-actuelle') current.add(c.code);
  for (const c of communes) {
    if (c.type === 'commune-actuelle') {
      for (const old of c.anciensCodes ?? []) if (!current.has(old) && !to.has(old)) to.set(old, c.code);
    }
  }
  for (const c of communes) {
    if (current.has(c.code) || to.has(c.code)) continue;
    const target = c.type === 'arrondissement-municipal' ? c.commune : c.chefLieu;
    if (target) to.set(c.code, target);
  }
  return (raw: string) => {
    let code = raw.trim().toUpperCase();
    for (let hops = 0; hops < 5; hops++) {
      if (current.has(code)) return code;
      const next = to.get(code);
      if (!next) return null;
      code = next;
    }
    return null;
  };
}

/** Current commune code → EPCI SIREN, and the EPCI names. */
export function epciMembership(epcis: readonly DecoupageEpci[]): {
  epciOf: ReadonlyMap<string, string>;
  names: ReadonlyMap<string, string>;
} {
  const epciOf = new Map<string, string>();
  const names = new Map<string, string>();
  for (const e of epcis) {
    names.set(e.code, e.nom);
    for (const m of e.membres) epciOf.set(m.code, e.code);
  }
  return { epciOf, names };
}
