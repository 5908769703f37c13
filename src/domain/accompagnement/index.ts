/** Accompaniments (issue 12): the record, its codes, the démarche catalogue, statistics, the exchange CSV. */
export * from './catalogue.js';
export { CATALOGUE_RELEASE } from './catalogue-data.js';
export * from './codes.js';
export * from './exchange-csv.js';
export {
  type GenerateOptions,
  type GeneratorStructure,
  generateRecords,
  PARTNER_WEIGHTS,
  seededRandom,
} from './generate.js';
export * from './local-time.js';
export * from './rappel.js';
export * from './record.js';
export * from './stats.js';
