import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { StopsSource } from '../directory/locator.service.js';
import type { MobileService } from './mobile.service.js';

/**
 * The bus stops, for the locator: each with its bus's next passage. The fingerprint moves whenever a tour
 * is loaded or edited (edits touch mobile_units.updated_at), so every instance rebuilds its index then.
 */
export function mobileStopsSource(db: Db, service: MobileService): StopsSource {
  return {
    async fingerprint() {
      const { rows } = await sql<{
        units: number;
        stops: number;
        entries: number;
        exceptions: number;
        last: Date | null;
      }>`
        select (select count(*) from mobile_units) as units,
               (select count(*) from mobile_stops) as stops,
               (select count(*) from mobile_entries) as entries,
               (select count(*) from mobile_exceptions) as exceptions,
               (select max(updated_at) from mobile_units) as last`.execute(db);
      const r = rows[0];
      return r
        ? `${r.units}:${r.stops}:${r.entries}:${r.exceptions}:${r.last ? new Date(r.last).getTime() : 0}`
        : '';
    },
    async list(now) {
      return (await service.listStopsWithNextPassage(now)).map((x) => ({
        id: x.stop.id,
        name: x.stop.name,
        kind: x.stop.kind,
        address: x.stop.address,
        codeInsee: x.stop.commune,
        lat: x.stop.lat,
        lon: x.stop.lon,
        unitName: x.unitName,
        structureIdFs: x.structureIdFs,
        next: x.next ? { start: x.next.start, end: x.next.end } : null,
      }));
    },
  };
}
