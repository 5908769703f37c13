/**
 * A territory the indicators are computed for: `FR` (métropole + DROM, without the COM 975–989),
 * `reg:84`, `dep:02`, `canton:0201`, `epci:200000172`.
 */
import { invalid } from '../shared/errors.js';
import type { Canton } from './reference-files.js';
import type { City, ReferenceGeography } from './reference-geography.js';

export type TerritoryKind = 'FR' | 'reg' | 'dep' | 'canton' | 'epci';

export interface Territory {
  /** Normalised code: `FR`, `reg:84`, `dep:02`, `canton:0201`, `epci:200000172`. */
  readonly code: string;
  readonly kind: TerritoryKind;
  readonly value: string;
  /** A readable name, e.g. « Aisne (02) ». */
  readonly label: string;
  hasCity(city: City): boolean;
  /** Whether a true canton (type C) belongs to the territory's canton count. */
  hasCanton(canton: Canton): boolean;
}

/** Collectivités d'outre-mer (975, 977, 978, 984, 986–989): outside the programme. 976 is Mayotte, a DROM. */
const isCom = (departement: string) =>
  /^9[78]\d$/.test(departement) && Number(departement) >= 975 && departement !== '976';
const FIELD = 'territory';

export function parseTerritory(ref: ReferenceGeography, input: unknown): Territory {
  const raw = typeof input === 'string' ? input.trim() : '';
  if (raw === '')
    throw invalid(FIELD, 'Territoire manquant : FR, reg:84, dep:02, canton:0201 ou epci:<SIREN>.');
  if (raw.toUpperCase() === 'FR') {
    return {
      code: 'FR',
      kind: 'FR',
      value: 'FR',
      label: 'France (métropole et DROM)',
      hasCity: (c) => c.zone === 'metro' || c.zone === 'drom',
      hasCanton: (c) => c.type === 'C' && !isCom(c.departement),
    };
  }
  const m = /^(reg|dep|canton|epci):([0-9A-Za-z]{2,9})$/.exec(raw);
  if (!m) {
    throw invalid(
      FIELD,
      `Territoire illisible : « ${raw.slice(0, 40)} » (attendu FR, reg:84, dep:02, canton:0201 ou epci:<SIREN>).`,
    );
  }
  const kind = m[1] as TerritoryKind;
  const value = (m[2] as string).toUpperCase();
  const unknown = () => invalid(FIELD, `Territoire inconnu : « ${raw.slice(0, 40)} ».`);
  switch (kind) {
    case 'reg': {
      if (!ref.cities.some((c) => c.region === value && !isCom(c.departement))) throw unknown();
      const name = ref.regionNames.get(value);
      return {
        code: `reg:${value}`,
        kind,
        value,
        label: name ? `${name} (région ${value})` : `Région ${value}`,
        hasCity: (c) => c.region === value && !isCom(c.departement),
        hasCanton: (c) => c.type === 'C' && c.region === value,
      };
    }
    case 'dep': {
      if (isCom(value)) {
        throw invalid(
          FIELD,
          `Le territoire ${value} est une collectivité d’outre-mer, hors des indicateurs du programme.`,
        );
      }
      if (!ref.cities.some((c) => c.departement === value)) throw unknown();
      const name = ref.departementNames.get(value);
      return {
        code: `dep:${value}`,
        kind,
        value,
        label: name ? `${name} (${value})` : `Département ${value}`,
        hasCity: (c) => c.departement === value,
        hasCanton: (c) => c.type === 'C' && c.departement === value,
      };
    }
    case 'canton': {
      const canton = ref.cantons.get(value);
      if (!canton) throw unknown();
      // A canton made of fractions of a city (Ajaccio-1…) holds no whole commune: it is
      // represented by its bureau centralisateur, the split city.
      const bureau = canton.bureauCentralisateur ? ref.city(canton.bureauCentralisateur) : undefined;
      const bureauSplit = bureau && bureau.canton !== value ? bureau.code : null;
      return {
        code: `canton:${value}`,
        kind,
        value,
        label: `Canton de ${canton.nom} (${value})`,
        hasCity: (c) => c.canton === value || c.code === bureauSplit,
        hasCanton: (c) => c.code === value && c.type === 'C',
      };
    }
    case 'epci': {
      if (!/^\d{9}$/.test(value)) throw invalid(FIELD, `SIREN d’EPCI invalide : « ${value} » (9 chiffres).`);
      if (!ref.cities.some((c) => c.epci === value)) throw unknown();
      const cantonsIn = new Set<string>();
      for (const c of ref.cities) if (c.epci === value && c.canton) cantonsIn.add(c.canton);
      for (const c of ref.cantons.values()) {
        const b = c.bureauCentralisateur ? ref.city(c.bureauCentralisateur) : undefined;
        if (b?.epci === value) cantonsIn.add(c.code);
      }
      const name = ref.epciNames.get(value);
      return {
        code: `epci:${value}`,
        kind,
        value,
        label: name ? `${name} (${value})` : `EPCI ${value}`,
        hasCity: (c) => c.epci === value,
        hasCanton: (c) => c.type === 'C' && cantonsIn.has(c.code),
      };
    }
    default:
      throw unknown();
  }
}
