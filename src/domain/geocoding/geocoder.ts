import type { CommuneRegistry } from '../geography/index.js';

export interface GeocodeResult {
  readonly label: string;
  readonly lat: number;
  readonly lon: number;
  readonly kind: 'commune' | 'code_postal' | 'adresse' | 'rue' | 'lieu';
  readonly codeInsee: string | null;
  /** 0..1, higher is better. */
  readonly score: number;
}

export interface Geocoder {
  readonly name: string;
  geocode(query: string, limit?: number): Promise<GeocodeResult[]>;
}

/**
 * Local geocoding from the reference folder: a commune name (accent- and case-insensitive),
 * a postal code, or an INSEE code, resolved to the commune's centroid. No network.
 */
export class LocalGeocoder implements Geocoder {
  readonly name = 'local';
  constructor(private readonly communes: CommuneRegistry) {}

  async geocode(query: string, limit = 5): Promise<GeocodeResult[]> {
    return this.geocodeSync(query, limit);
  }

  geocodeSync(query: string, limit = 5): GeocodeResult[] {
    const q = query.trim().slice(0, 200);
    if (q.length < 2) return [];
    const out: GeocodeResult[] = [];
    const postal = q.match(/\b(\d{5})\b/)?.[1];
    if (/^(?:\d{2}|2[AB])\d{3}$/i.test(q)) {
      const byCode = this.communes.resolve(q.toUpperCase());
      if (byCode?.centroid) out.push(this.result(byCode, 'commune', 1));
    }
    const name = q.replace(/\b\d{5}\b/, '').trim();
    const hasName = name.length >= 2 && !/^\d+$/.test(name);
    if (postal && !hasName) {
      for (const c of this.communes.byPostalCode(postal)) {
        if (c.centroid) out.push({ ...this.result(c, 'code_postal', 0.9), label: `${c.name} (${postal})` });
      }
    }
    // Names, without a postal code in the text: "Guise", "guise 02120", "Saint-Étienne".
    if (hasName) {
      for (const c of this.communes.searchByName(name, limit * 2)) {
        if (!c.centroid) continue;
        if (postal && !c.postalCodes.includes(postal)) continue;
        out.push(this.result(c, 'commune', 0.8));
      }
    }
    const seen = new Set<string>();
    return out
      .filter((r) => {
        const key = `${r.codeInsee}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      })
      .slice(0, limit);
  }

  private result(
    c: { code: string; name: string; departement: string; centroid: { lat: number; lon: number } | null },
    kind: GeocodeResult['kind'],
    score: number,
  ): GeocodeResult {
    return {
      label: `${c.name} (${c.departement})`,
      lat: c.centroid?.lat ?? 0,
      lon: c.centroid?.lon ?? 0,
      kind,
      codeInsee: c.code,
      score,
    };
  }
}
