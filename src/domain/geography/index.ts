export { parseCentroidsCsv } from './centroids.js';
export {
  type Commune,
  type CommuneRecord,
  CommuneRegistry,
  type CommuneRegistryInput,
  normalizePlaceName,
} from './communes.js';
