export {
  type StructureFeature,
  type StructureFeatureCollection,
  type StructureFeatureProperties,
  toGeoJson,
} from './geojson.js';
export {
  type LmnExport,
  type LmnIssue,
  type LmnOptions,
  toLieuxMediationNumerique,
  toOsmOpeningHours,
} from './lmn.js';
export {
  type AcceptedRow,
  FORMAT_FROM_OFFICIAL,
  FORMAT_TO_OFFICIAL,
  OFFICIAL_COLUMNS,
  OFFICIAL_DAYS,
  type OfficialColumn,
  type OfficialCsvRead,
  type ReadOfficialCsvOptions,
  readOfficialCsv,
  type StructureInput,
  type StructureLike,
  TYPE_FROM_OFFICIAL,
  TYPE_TO_OFFICIAL,
} from './official-csv.js';
export { toOfficialRow, writeOfficialCsv } from './official-csv-write.js';
