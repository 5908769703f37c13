export { parseCentroidsCsv } from './centroids.js';
export { CommuneCodes } from './commune-codes.js';
export {
  type Commune,
  type CommuneRecord,
  CommuneRegistry,
  type CommuneRegistryInput,
  normalizePlaceName,
} from './communes.js';
