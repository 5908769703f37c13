/**
 * Structures as a GeoJSON FeatureCollection (RFC 7946): one Point per structure, `[lon, lat]`.
 * Structures without coordinates cannot be drawn: they are left out and their id_fs listed in the
 * foreign member `skipped`, so that a consumer can say how many are missing from the map.
 */
import { formatDayHours, WEEKDAYS, type Weekday } from '../opening-hours.js';
import {
  isMobileFormat,
  type OperatingStatus,
  type Partner,
  type StructureFormat,
  type StructureType,
} from '../structure.js';
import type { StructureLike } from './official-csv.js';

export interface StructureFeatureProperties {
  id: string | null;
  idFs: string;
  name: string;
  type: StructureType;
  format: StructureFormat;
  mobile: boolean;
  group: string | null;
  address: string;
  addressComplement: string | null;
  postalCode: string;
  codeInsee: string;
  commune: string;
  departement: string;
  emails: string[];
  telephones: string[];
  appointment: boolean;
  /** Official text per day (`09:00 - 12:00 / 13:30 - 17:00`), empty string when closed. */
  hours: Record<Weekday, string>;
  partners: Partner[];
  status: OperatingStatus;
  statusUntil: string | null;
  labelledOn: string | null;
  comment: string | null;
}

export interface StructureFeature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [lon: number, lat: number] };
  properties: StructureFeatureProperties;
}

export interface StructureFeatureCollection {
  type: 'FeatureCollection';
  features: StructureFeature[];
  /** Foreign member: id_fs of the structures left out for want of coordinates. */
  skipped: string[];
}

export function toGeoJson(structures: readonly StructureLike[]): StructureFeatureCollection {
  const features: StructureFeature[] = [];
  const skipped: string[] = [];
  for (const s of structures) {
    if (s.lat === null || s.lon === null || !Number.isFinite(s.lat) || !Number.isFinite(s.lon)) {
      skipped.push(s.idFs);
      continue;
    }
    features.push({
      type: 'Feature',
      id: s.id ?? s.idFs,
      geometry: { type: 'Point', coordinates: [s.lon, s.lat] },
      properties: {
        id: s.id ?? null,
        idFs: s.idFs,
        name: s.name,
        type: s.type,
        format: s.format,
        mobile: isMobileFormat(s.format),
        group: s.group,
        address: s.address,
        addressComplement: s.addressComplement,
        postalCode: s.postalCode,
        codeInsee: s.codeInsee,
        commune: s.communeName,
        departement: s.departement,
        emails: [...s.emails],
        telephones: [...s.telephones],
        appointment: s.appointment,
        hours: Object.fromEntries(
          WEEKDAYS.map((d) => [d, s.hours.days[d].length === 0 ? '' : formatDayHours(s.hours.days[d])]),
        ) as Record<Weekday, string>,
        partners: [...s.partners],
        status: s.status ?? 'ouverte',
        statusUntil: s.statusUntil ?? null,
        labelledOn: s.labelledOn,
        comment: s.comment,
      },
    });
  }
  return { type: 'FeatureCollection', features, skipped };
}
