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
  type StopHit,
} from '../../domain/directory/locator.js';
import type { Structure } from '../../domain/directory/structure.js';

export type { StopHit } from '../../domain/directory/locator.js';

import { greatCircleKm } from '../../domain/shared/geo.js';
import type { Clock } from '../../domain/shared/time.js';
import { timeZoneOf } from '../../domain/shared/time-zone.js';

export interface NearestQuery extends LocatorFilters {
  readonly lat: number;
  readonly lon: number;
  readonly limit: number;
  readonly radiusKm?: number;
}

export interface NearestItem {
  /** For a stop, the bus's structure: contact, partners, format. */
  readonly structure: Structure;
  /** Present when the result is a bus stop rather than a structure's own address. */
  readonly stop?: StopHit;
  readonly distanceKm: number;
  readonly travelMinutes: number;
  readonly opening: PublicOpening;
  /** A free slot bookable online within 14 days (issue 15). */
  readonly onlineBooking: boolean;
}

/**
 * Which structures are bookable online within 14 days, from real availability (the rendez-vous service,
 * which keeps the set briefly): behind this interface so that the directory does not depend on it.
 */
export interface OnlineBookingSource {
  bookableOnline(): Promise<{ readonly ids: ReadonlySet<string>; readonly stamp: string }>;
}

const NO_BOOKING = { ids: new Set<string>() as ReadonlySet<string>, stamp: '' };

/**
 * Where the mobile capability's stops come from (src/services/mobile): kept behind this interface so that
 * the directory does not depend on the mobile module's internals.
 */
export interface StopsSource {
  fingerprint(): Promise<string>;
  list(
    now: Date,
  ): Promise<ReadonlyArray<Omit<StopHit, 'next'> & { structureIdFs: string; next: StopHit['next'] }>>;
}

interface StopsSnapshot {
  readonly fingerprint: string;
  readonly index: KDBush;
  readonly stops: ReadonlyArray<StopHit & { structure: Structure }>;
  readonly builtAt: number;
  /** The earliest end of a listed next passage: past it, the list is stale. */
  readonly staleAt: number;
}

interface Snapshot {
  readonly fingerprint: string;
  readonly index: KDBush;
  readonly located: readonly Structure[];
  readonly byId: ReadonlyMap<string, Structure>;
}

/** Next passages move with time: rebuild the stops list at least this often. */
const STOPS_MAX_AGE_MS = 60_000;

/** A rebuild of the index: waiting for the one before it, or started under a generation of the data. */
interface RefreshEntry {
  started: boolean;
  generation: number;
  promise: Promise<Snapshot>;
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
  #refreshing: RefreshEntry | null = null;
  /** Bumped by invalidate(): a rebuild started under an older generation may miss the change. */
  #generation = 0;

  #stops: StopsSnapshot | null = null;
  #stopsCheckedAt = 0;
  #stopsRefreshing: Promise<StopsSnapshot | null> | null = null;
  /** The stamp of the last set of structures bookable online (part of the answers' version). */
  #bookingStamp = '';

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly stopsSource: StopsSource | null = null,
    private readonly onlineBooking: OnlineBookingSource | null = null,
  ) {}

  async #bookable(): Promise<{ readonly ids: ReadonlySet<string>; readonly stamp: string }> {
    const set = this.onlineBooking ? await this.onlineBooking.bookableOnline() : NO_BOOKING;
    this.#bookingStamp = set.stamp;
    return set;
  }

  /**
   * What the answers depend on, besides the query and the minute: the directory's and the stops' fingerprints.
   * Lets the API build an ETag without hashing each response body.
   */
  version(): string {
    return `${this.#snapshot?.fingerprint ?? ''}|${this.#stops?.fingerprint ?? ''}|${this.#stops?.builtAt ?? ''}|${this.#bookingStamp}`;
  }

  /** Force a rebuild at the next query (after an import or an edit in this instance). */
  invalidate(): void {
    this.#checkedAt = 0;
    this.#stopsCheckedAt = 0;
    this.#stops = null;
    // A rebuild already under way may have read the data before the change: queries from now on wait for a
    // rebuild that starts after it (see snapshot()).
    this.#generation++;
    this.#stopsRefreshing = null;
  }

  async snapshot(): Promise<Snapshot> {
    const now = Date.now();
    if (this.#snapshot && now - this.#checkedAt < FRESHNESS_MS) return this.#snapshot;
    const current = this.#refreshing;
    if (current && (!current.started || current.generation === this.#generation)) return current.promise;
    // At most one rebuild running and one waiting, which every later query joins: back-office edits in a loop
    // used to start a full rebuild for each query that followed an edit, all at once on the database, and the
    // locator starved (found by the soak proof of issue 9). The waiting one reads the data after the edit.
    const entry: RefreshEntry = { started: false, generation: -1, promise: Promise.resolve(null as never) };
    entry.promise = (current ? current.promise.catch(() => null) : Promise.resolve(null))
      .then(() => {
        entry.started = true;
        entry.generation = this.#generation;
        return this.#refresh(entry.generation);
      })
      .finally(() => {
        if (this.#refreshing === entry) this.#refreshing = null;
      });
    this.#refreshing = entry;
    return entry.promise;
  }

  async #refresh(generation: number): Promise<Snapshot> {
    const fingerprint = await directoryFingerprint(this.db);
    // A rebuild that began before the last invalidate() must not make its result look fresh.
    if (generation === this.#generation) this.#checkedAt = Date.now();
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
    const [snap, bookable] = await Promise.all([this.snapshot(), this.#bookable()]);
    const at = this.clock.now();
    const accept = (i: number) => {
      const s = snap.located[i];
      if (!s || !matchesStaticFilters(s, q, bookable.ids)) return false;
      return !q.openNow || publicOpening(s, at).open;
    };
    const maxKm = q.radiusKm ?? Number.POSITIVE_INFINITY;
    const structures = around(snap.index, q.lon, q.lat, q.limit, maxKm, accept).map((i) =>
      this.#item(snap.located[i] as Structure, q, at, bookable.ids),
    );
    const stops = await this.#nearestStops(q, at, snap, maxKm, bookable.ids);
    if (stops.length === 0) return structures;
    return [...structures, ...stops].sort((a, b) => a.distanceKm - b.distanceKm).slice(0, q.limit);
  }

  async #nearestStops(
    q: NearestQuery,
    at: Date,
    snap: Snapshot,
    maxKm: number,
    bookable: ReadonlySet<string>,
  ): Promise<NearestItem[]> {
    const stops = await this.#stopsSnapshot(snap, at);
    if (!stops || stops.stops.length === 0) return [];
    const accept = (i: number) => {
      const hit = stops.stops[i];
      if (!hit || !matchesStaticFilters(hit.structure, q, bookable)) return false;
      return !q.openNow || stopOpening(hit, at).open;
    };
    return around(stops.index, q.lon, q.lat, q.limit, maxKm, accept).map((i) => {
      const { structure, ...stop } = stops.stops[i] as StopHit & { structure: Structure };
      const distanceKm = greatCircleKm({ lat: q.lat, lon: q.lon }, stop);
      return {
        structure,
        stop,
        distanceKm,
        travelMinutes: estimateTravelMinutes(distanceKm),
        opening: stopOpening(stop, at),
        onlineBooking: bookable.has(structure.id),
      };
    });
  }

  /** Still good for a query at `at`: not too old, and no listed passage over yet. */
  #stopsUsable(current: StopsSnapshot | null, now: number, at: Date): current is StopsSnapshot {
    return current !== null && now - current.builtAt < STOPS_MAX_AGE_MS && at.getTime() < current.staleAt;
  }

  async #stopsSnapshot(snap: Snapshot, at: Date): Promise<StopsSnapshot | null> {
    if (!this.stopsSource) return null;
    const now = Date.now();
    if (this.#stopsUsable(this.#stops, now, at) && now - this.#stopsCheckedAt < FRESHNESS_MS)
      return this.#stops;
    // Concurrent requests that find the list stale share one rebuild rather than each expanding every tour.
    this.#stopsRefreshing ??= this.#refreshStops(snap, at, now).finally(() => {
      this.#stopsRefreshing = null;
    });
    return this.#stopsRefreshing;
  }

  async #refreshStops(snap: Snapshot, at: Date, now: number): Promise<StopsSnapshot | null> {
    if (!this.stopsSource) return null;
    const current = this.#stops;
    const fingerprint = `${await this.stopsSource.fingerprint()}|${snap.fingerprint}`;
    this.#stopsCheckedAt = now;
    if (this.#stopsUsable(current, now, at) && current.fingerprint === fingerprint) return current;
    const byIdFs = new Map([...snap.byId.values()].map((s) => [s.idFs, s]));
    const stops: Array<StopHit & { structure: Structure }> = [];
    for (const { structureIdFs, ...hit } of await this.stopsSource.list(at)) {
      const structure = byIdFs.get(structureIdFs);
      // A stop whose bus is not in the directory has no contact to show: it waits for the import.
      if (structure) stops.push({ ...hit, structure });
    }
    const index = new KDBush(Math.max(stops.length, 1));
    for (const s of stops) index.add(s.lon, s.lat);
    if (stops.length === 0) index.add(0, 0);
    index.finish();
    const ends = stops.flatMap((s) => (s.next ? [s.next.end.getTime()] : []));
    this.#stops = {
      fingerprint,
      index,
      stops,
      builtAt: now,
      staleAt: ends.length ? Math.min(...ends) : Number.POSITIVE_INFINITY,
    };
    return this.#stops;
  }

  /** The same answer computed in SQL (earthdistance), filters applied after the distance order. */
  async nearestSql(q: NearestQuery): Promise<NearestItem[]> {
    const [snap, bookable] = await Promise.all([this.snapshot(), this.#bookable()]);
    const at = this.clock.now();
    const wanted = q.limit;
    for (let fetch = Math.max(wanted * 4, 40); ; fetch *= 4) {
      const rows = await nearestStructuresSql(this.db, q.lat, q.lon, fetch, q.radiusKm ?? 20_000);
      const items = rows
        .map((r) => snap.byId.get(r.id))
        .filter(
          (s): s is Structure =>
            !!s && matchesStaticFilters(s, q, bookable.ids) && (!q.openNow || publicOpening(s, at).open),
        )
        .slice(0, wanted)
        .map((s) => this.#item(s, q, at, bookable.ids));
      if (items.length >= wanted || rows.length < fetch) return items;
    }
  }

  async byId(id: string): Promise<Structure | null> {
    return (await this.snapshot()).byId.get(id) ?? null;
  }

  #item(s: Structure, q: NearestQuery, at: Date, bookable: ReadonlySet<string>): NearestItem {
    const distanceKm = greatCircleKm(
      { lat: q.lat, lon: q.lon },
      { lat: s.lat as number, lon: s.lon as number },
    );
    return {
      structure: s,
      distanceKm,
      travelMinutes: estimateTravelMinutes(distanceKm),
      opening: publicOpening(s, at),
      onlineBooking: bookable.has(s.id),
    };
  }
}

/**
 * A stop is "open" only while the bus is actually there; otherwise it opens at its next passage.
 * Same shape as a structure's opening, so that pages and API speak of both alike.
 */
export function stopOpening(stop: Pick<StopHit, 'next' | 'codeInsee'>, at: Date): PublicOpening {
  const t = at.getTime();
  const next = stop.next;
  const open = next !== null && next.start.getTime() <= t && t < next.end.getTime();
  return {
    open,
    closesAt: open && next ? next.end : null,
    opensAt: !open && next && next.start.getTime() > t ? next.start : null,
    closure: null,
    zone: timeZoneOf(stop.codeInsee),
    remoteOnly: false,
    closedByStatus: false,
  };
}
