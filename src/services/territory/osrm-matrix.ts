import { DomainError } from '../../domain/shared/errors.js';
import type { LatLng } from '../../domain/shared/geo.js';
import type { TravelTimeMatrix } from '../../domain/territory/index.js';

export interface OsrmOptions {
  /** OSRM profile in the URL (`driving` on a car graph). */
  readonly profile?: string;
  /** Coordinates per request (OSRM's --max-table-size defaults to 100). */
  readonly maxCoordinates?: number;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
}

interface OsrmTable {
  code?: string;
  message?: string;
  durations?: Array<Array<number | null>>;
}

/**
 * Road travel times from an OSRM server's `/table` service (MAILLAGE_OSRM_URL), in minutes.
 * Large matrices are cut into requests of at most `maxCoordinates` points (sources and
 * destinations together); `null` where OSRM finds no route.
 */
export class OsrmMatrix implements TravelTimeMatrix {
  private readonly base: string;
  private readonly profile: string;
  private readonly max: number;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(baseUrl: string, o: OsrmOptions = {}) {
    this.base = baseUrl.replace(/\/$/, '');
    this.profile = o.profile ?? 'driving';
    this.max = o.maxCoordinates ?? 100;
    this.timeoutMs = o.timeoutMs ?? 10_000;
    this.fetchImpl = o.fetchImpl ?? fetch;
    if (!Number.isInteger(this.max) || this.max < 2) {
      throw new DomainError('invalid', 'maxCoordinates doit être un entier ≥ 2.', 'maxCoordinates');
    }
  }

  async table(sources: readonly LatLng[], destinations: readonly LatLng[]): Promise<(number | null)[][]> {
    if (destinations.length === 0) return sources.map(() => []);
    if (destinations.length >= this.max) {
      throw new DomainError(
        'too_large',
        `Trop de destinations pour une requête OSRM (${destinations.length}, au plus ${this.max - 1}).`,
        'destinations',
      );
    }
    const out: (number | null)[][] = [];
    const perRequest = this.max - destinations.length;
    for (let i = 0; i < sources.length; i += perRequest) {
      const chunk = sources.slice(i, i + perRequest);
      out.push(...(await this.request(chunk, destinations)));
    }
    return out;
  }

  private async request(
    sources: readonly LatLng[],
    destinations: readonly LatLng[],
  ): Promise<(number | null)[][]> {
    const coords = [...sources, ...destinations]
      .map((p) => `${p.lon.toFixed(6)},${p.lat.toFixed(6)}`)
      .join(';');
    const src = sources.map((_, i) => i).join(';');
    const dst = destinations.map((_, j) => sources.length + j).join(';');
    const url = `${this.base}/table/v1/${encodeURIComponent(this.profile)}/${coords}?sources=${src}&destinations=${dst}&annotations=duration`;
    let body: OsrmTable;
    try {
      const response = await this.fetchImpl(url, { signal: AbortSignal.timeout(this.timeoutMs) });
      body = (await response.json()) as OsrmTable;
      if (!response.ok && !body.code) throw new Error(`HTTP ${response.status}`);
    } catch (e) {
      throw new DomainError(
        'unavailable',
        `Le serveur d’itinéraires OSRM ne répond pas (${e instanceof Error ? e.message : String(e)}).`,
        'osrm',
      );
    }
    if (body.code !== 'Ok' || !Array.isArray(body.durations) || body.durations.length !== sources.length) {
      throw new DomainError(
        'unavailable',
        `Réponse OSRM inattendue : ${body.code ?? '?'} ${body.message ?? ''}`.trim(),
        'osrm',
      );
    }
    return body.durations.map((row) => {
      if (!Array.isArray(row) || row.length !== destinations.length) {
        throw new DomainError('unavailable', 'Réponse OSRM inattendue : ligne de durées incomplète.', 'osrm');
      }
      return row.map((s) => (typeof s === 'number' && Number.isFinite(s) ? s / 60 : null));
    });
  }
}
