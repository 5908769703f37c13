import { around } from 'geokdbush';
import KDBush from 'kdbush';
import type { Db } from '../../db/database.js';
import {
  directoryFingerprint,
  listAllStructures,
  nearestStructuresSql,
} from '../../db/repositories/directory.repository.js';
import {
  estimateTravelMinutes,
  type LocatorFilters,
  matchesStaticFilters,
  type PublicOpening,
  publicOpening,
} from '../../domain/directory/locator.js';
import type { Structure } from '../../domain/directory/structure.js';
import { greatCircleKm } from '../../domain/shared/geo.js';
import type { Clock } from '../../domain/shared/time.js';

export interface NearestQuery extends LocatorFilters {
  readonly lat: number;
  readonly lon: number;
  readonly limit: number;
  readonly radiusKm?: number;
}

export interface NearestItem {
  readonly structure: Structure;
  readonly distanceKm: number;
  readonly travelMinutes: number;
  readonly opening: PublicOpening;
}

interface Snapshot {
  readonly fingerprint: string;
  readonly index: KDBush;
  readonly located: readonly Structure[];
  readonly byId: ReadonlyMap<string, Structure>;
}

/** How long an instance trusts its index before asking the database whether the directory changed. */
const FRESHNESS_MS = 2_000;

/**
 * Nearest structures from an in-memory kd-tree (kdbush + geokdbush), kept in step with the database:
 * every instance checks a cheap fingerprint (count, last update) at most every 2 s and rebuilds when it moved,
 * so several stateless instances behind a load balancer agree within seconds. The same query exists in SQL
 * (earth_box/earth_distance) for comparison; bench/locator.bench.ts says which serves.
 */
export class LocatorService {
  #snapshot: Snapshot | null = null;
  #checkedAt = 0;
  #refreshing: Promise<Snapshot> | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Force a rebuild at the next query (after an import or an edit in this instance). */
  invalidate(): void {
    this.#checkedAt = 0;
  }

  async snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (this.#snapshot && now - this.#checkedAt < FRESHNESS_MS) return this.#snapshot;
    this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  async #refresh(): Promise<Snapshot> {
    const fingerprint = await directoryFingerprint(this.db);
    this.#checkedAt = Date.now();
    if (this.#snapshot?.fingerprint === fingerprint) return this.#snapshot;
    const all = await listAllStructures(this.db);
    const located = all.filter((s) => s.lat !== null && s.lon !== null);
    const index = new KDBush(Math.max(located.length, 1));
    for (const s of located) index.add(s.lon as number, s.lat as number);
    if (located.length === 0) index.add(0, 0); // kdbush needs one point; the filter below ignores it
    index.finish();
    this.#snapshot = { fingerprint, index, located, byId: new Map(all.map((s) => [s.id, s])) };
    return this.#snapshot;
  }

  async nearest(q: NearestQuery): Promise<NearestItem[]> {
    const snap = await this.snapshot();
    const at = this.clock.now();
    const accept = (i: number) => {
      const s = snap.located[i];
      if (!s || !matchesStaticFilters(s, q)) return false;
      return !q.openNow || publicOpening(s, at).open;
    };
    const ids = around(snap.index, q.lon, q.lat, q.limit, q.radiusKm ?? Number.POSITIVE_INFINITY, accept);
    return ids.map((i) => this.#item(snap.located[i] as Structure, q, at));
  }

  /** The same answer computed in SQL (earthdistance), filters applied after the distance order. */
  async nearestSql(q: NearestQuery): Promise<NearestItem[]> {
    const snap = await this.snapshot();
    const at = this.clock.now();
    const wanted = q.limit;
    for (let fetch = Math.max(wanted * 4, 40); ; fetch *= 4) {
      const rows = await nearestStructuresSql(this.db, q.lat, q.lon, fetch, q.radiusKm ?? 20_000);
      const items = rows
        .map((r) => snap.byId.get(r.id))
        .filter(
          (s): s is Structure =>
            !!s && matchesStaticFilters(s, q) && (!q.openNow || publicOpening(s, at).open),
        )
        .slice(0, wanted)
        .map((s) => this.#item(s, q, at));
      if (items.length >= wanted || rows.length < fetch) return items;
    }
  }

  async byId(id: string): Promise<Structure | null> {
    return (await this.snapshot()).byId.get(id) ?? null;
  }

  #item(s: Structure, q: NearestQuery, at: Date): NearestItem {
    const distanceKm = greatCircleKm(
      { lat: q.lat, lon: q.lon },
      { lat: s.lat as number, lon: s.lon as number },
    );
    return {
      structure: s,
      distanceKm,
      travelMinutes: estimateTravelMinutes(distanceKm),
      opening: publicOpening(s, at),
    };
  }
}
