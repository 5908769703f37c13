import type { ColumnType } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface MobileUnitsTable {
  id: string;
  structure_id_fs: string;
  name: string;
  vehicle: string | null;
  depot_lat: number;
  depot_lon: number;
  updated_at: Timestamp;
}

export interface MobileStopsTable {
  id: string;
  unit_id: string;
  name: string;
  kind: string;
  commune: string;
  address: string;
  lat: number;
  lon: number;
  access_notes: string | null;
}

export interface MobileEntriesTable {
  id: string;
  unit_id: string;
  stop_id: string;
  rrule: string;
  start_time: string;
  end_time: string;
  from_date: string;
  until_date: string;
  holidays: string;
  sequence: number;
}

export interface MobileExceptionsTable {
  entry_id: string;
  date: string;
  action: string;
  reason: string | null;
  to_date: string | null;
  to_start: string | null;
  to_end: string | null;
}

export interface MobileTables {
  mobile_units: MobileUnitsTable;
  mobile_stops: MobileStopsTable;
  mobile_entries: MobileEntriesTable;
  mobile_exceptions: MobileExceptionsTable;
}
