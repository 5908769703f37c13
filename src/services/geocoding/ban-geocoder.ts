import type { Logger } from 'pino';
import type { GeocodeResult, Geocoder } from '../../domain/geocoding/geocoder.js';

interface GeocodeJsonFeature {
  geometry?: { type?: string; coordinates?: [number, number] };
  properties?: { label?: string; score?: number; type?: string; citycode?: string };
}

const KIND: Record<string, GeocodeResult['kind']> = {
  housenumber: 'adresse',
  street: 'rue',
  municipality: 'commune',
  locality: 'lieu',
};

/**
 * The national address base (BAN) `/search` endpoint, answering in GeocodeJSON.
 * A timeout bounds every call; on timeout, error or an unreadable answer, the local geocoder answers instead.
 */
export class BanGeocoder implements Geocoder {
  readonly name = 'ban';
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs: number,
    private readonly fallback: Geocoder,
    private readonly logger?: Logger,
  ) {}

  async geocode(query: string, limit = 5): Promise<GeocodeResult[]> {
    const q = query.trim().slice(0, 200);
    if (q.length < 3) return this.fallback.geocode(q, limit);
    try {
      const url = new URL('/search/', this.baseUrl);
      url.searchParams.set('q', q);
      url.searchParams.set('limit', String(limit));
      const response = await fetch(url, {
        signal: AbortSignal.timeout(this.timeoutMs),
        headers: { accept: 'application/json' },
      });
      if (!response.ok) throw new Error(`BAN HTTP ${response.status}`);
      const body = (await response.json()) as { type?: string; features?: GeocodeJsonFeature[] };
      if (body.type !== 'FeatureCollection' || !Array.isArray(body.features))
        throw new Error('BAN: réponse illisible');
      const results: GeocodeResult[] = [];
      for (const f of body.features) {
        const [lon, lat] = f.geometry?.coordinates ?? [];
        if (
          typeof lat !== 'number' ||
          typeof lon !== 'number' ||
          !Number.isFinite(lat) ||
          !Number.isFinite(lon)
        )
          continue;
        results.push({
          label: String(f.properties?.label ?? q).slice(0, 200),
          lat,
          lon,
          kind: KIND[f.properties?.type ?? ''] ?? 'adresse',
          codeInsee: f.properties?.citycode ?? null,
          score: typeof f.properties?.score === 'number' ? f.properties.score : 0.5,
        });
      }
      return results;
    } catch (error) {
      this.logger?.warn({ err: error }, 'géocodeur BAN indisponible, repli sur le géocodeur local');
      return this.fallback.geocode(q, limit);
    }
  }
}
